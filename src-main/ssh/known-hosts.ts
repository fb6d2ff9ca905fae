import { createHash, createHmac } from 'node:crypto';
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

// OpenSSH known_hosts, as sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT" describes it: one key per line,
// `[@marker] patterns keytype base64 [comment]`. Patterns are comma-separated, may use * and ?,
// may be negated with !, and name non-22 ports as [host]:port. ssh-keygen -H replaces the patterns
// with |1|base64(salt)|base64(HMAC-SHA1(salt, name)) so the file does not list where you go.

export interface KnownHostEntry {
  marker?: 'revoked' | 'cert-authority';
  patterns: string[];
  keyType: string;
  key: Buffer;
  /** Where it came from, for messages ("~/.ssh/known_hosts line 12"). */
  file: string;
  line: number;
}

export type CheckResult =
  | { status: 'match'; entry: KnownHostEntry }
  | { status: 'mismatch'; entry: KnownHostEntry; fingerprint: string; revoked: boolean }
  | { status: 'unknown' };

/** OpenSSH's fingerprint: `SHA256:` + unpadded base64 of sha256(blob), as `ssh-keygen -lf` prints it. */
export function fingerprint(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

/** The key type named inside a wire-format public key blob (its first length-prefixed string). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return '';
  const len = keyBlob.readUInt32BE(0);
  if (len > keyBlob.length - 4 || len > 64) return '';
  return keyBlob.toString('latin1', 4, 4 + len);
}

/** The name OpenSSH looks up: plain host for port 22, `[host]:port` otherwise. */
export function hostKeyName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

export function formatEntry(host: string, port: number, keyType: string, keyBlob: Buffer): string {
  return `${hostKeyName(host, port)} ${keyType} ${keyBlob.toString('base64')}`;
}

export function parseKnownHosts(text: string, file = 'known_hosts'): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const fields = (lines[i] ?? '').trim().split(/\s+/);
    if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) continue;
    let marker: KnownHostEntry['marker'];
    if (fields[0].startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else continue; // an unknown marker: OpenSSH skips the line too
    }
    const [hosts, keyType, b64] = fields;
    if (hosts === undefined || keyType === undefined || b64 === undefined) continue;
    // Lines with a bare key (SSH1 "bits e n") or broken base64 are skipped, as OpenSSH does.
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) continue;
    const key = Buffer.from(b64, 'base64');
    if (key.length === 0) continue;
    entries.push({ marker, patterns: hosts.split(','), keyType, key, file, line: i + 1 });
  }
  return entries;
}

/** Glob match of OpenSSH's match_pattern(): `*` any run, `?` one character, case-insensitive. */
function globMatch(name: string, pattern: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(name);
}

function hashedMatch(name: string, pattern: string): boolean {
  const parts = pattern.split('|'); // ['', '1', salt, hash]
  if (parts.length !== 4 || parts[1] !== '1' || !parts[2] || !parts[3]) return false;
  const mac = createHmac('sha1', Buffer.from(parts[2], 'base64')).update(name).digest('base64');
  return mac === parts[3];
}

/** OpenSSH match_hostname(): any positive pattern matches and no negated one does. */
export function entryMatchesHost(entry: KnownHostEntry, name: string): boolean {
  let positive = false;
  for (const raw of entry.patterns) {
    if (raw.startsWith('|')) {
      if (hashedMatch(name, raw)) positive = true;
    } else if (raw.startsWith('!')) {
      if (globMatch(name, raw.slice(1))) return false;
    } else if (globMatch(name, raw)) {
      positive = true;
    }
  }
  return positive;
}

function entryKeyType(entry: KnownHostEntry): string {
  return keyTypeOf(entry.key) || entry.keyType;
}

/**
 * Same precedence as OpenSSH's check_key_in_hostkeys(): a revoked key is refused whatever else is
 * recorded; otherwise any matching line wins; otherwise a recorded key of the same type means the key
 * changed; a host known only by keys of other types is treated as new (OpenSSH asks in that case too).
 */
export function check(entries: readonly KnownHostEntry[], host: string, port: number, keyType: string, keyBlob: Buffer): CheckResult {
  const name = hostKeyName(host, port);
  let changed: KnownHostEntry | undefined;
  let matched: KnownHostEntry | undefined;
  for (const entry of entries) {
    if (entry.marker === 'cert-authority') continue; // certificates are not supported; the CA line says nothing about plain keys
    if (!entryMatchesHost(entry, name)) continue;
    if (entry.marker === 'revoked') {
      if (entry.key.equals(keyBlob)) return { status: 'mismatch', entry, fingerprint: fingerprint(entry.key), revoked: true };
      continue;
    }
    if (entry.key.equals(keyBlob)) matched ??= entry;
    else if (entryKeyType(entry) === keyType) changed ??= entry;
  }
  if (matched) return { status: 'match', entry: matched };
  if (changed) return { status: 'mismatch', entry: changed, fingerprint: fingerprint(changed.key), revoked: false };
  return { status: 'unknown' };
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

async function readEntries(path: string): Promise<KnownHostEntry[]> {
  try {
    return parseKnownHosts(await readFile(path, 'utf8'), path);
  } catch (err) {
    // A missing file is the ordinary first-run case; an unreadable one just contributes nothing.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

export interface KnownHostsStoreOptions {
  /** Porthole's own file (`<dataDir>/known_hosts`), the only one it writes. */
  appFile: string;
  /** Trusted read-only files; default `~/.ssh/known_hosts`. */
  extraFiles?: string[];
}

/** The app's known_hosts plus read-only user files. Files are re-read on each check: they are small and people edit them. */
export class KnownHostsStore {
  readonly appFile: string;
  private readonly extraFiles: string[];
  private appending: Promise<void> = Promise.resolve();

  constructor(opts: KnownHostsStoreOptions) {
    this.appFile = opts.appFile;
    this.extraFiles = (opts.extraFiles ?? ['~/.ssh/known_hosts']).map(expandHome);
  }

  static forDataDir(dataDir: string): KnownHostsStore {
    return new KnownHostsStore({ appFile: join(dataDir, 'known_hosts') });
  }

  /** `serverFile` is an SshServer's own knownHostsFile (read-only, trusted like the others). */
  async check(host: string, port: number, keyBlob: Buffer, serverFile?: string): Promise<CheckResult> {
    const files = [this.appFile, ...this.extraFiles, ...(serverFile ? [expandHome(serverFile)] : [])];
    const all = (await Promise.all([...new Set(files)].map((f) => readEntries(f).catch(() => [])))).flat();
    return check(all, host, port, keyTypeOf(keyBlob), keyBlob);
  }

  /** Appends one entry to the app's file (created 0600); appends are serialised so lines never interleave. */
  add(host: string, port: number, keyBlob: Buffer): Promise<void> {
    const line = formatEntry(host, port, keyTypeOf(keyBlob), keyBlob) + '\n';
    const run = this.appending.then(async () => {
      await mkdir(dirname(this.appFile), { recursive: true, mode: 0o700 });
      // A file whose last line lacks its newline (edited by hand) would otherwise merge with ours.
      const size = await stat(this.appFile).then((s) => s.size, () => 0);
      const tail = size > 0 ? (await readFile(this.appFile, 'utf8')).endsWith('\n') : true;
      await appendFile(this.appFile, (tail ? '' : '\n') + line, { mode: 0o600 });
    });
    this.appending = run.catch(() => undefined);
    return run;
  }
}
