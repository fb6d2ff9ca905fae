import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { replaceFile } from './replace-file';
import { type SecretRead, type SecretScheme, migrateStoredSecret, readStoredSecret, tagSecret } from './secret-tags';

// Passwords, passphrases and tokens never go into porthole.json. They live in `secrets.json` next to it
// (mode 0600), each value passed through a codec: Electron's safeStorage (OS keychain) in the desktop
// app; in headless mode the file mode is the only protection, and the UI says so. Every stored value
// carries a tag naming how it was stored (secret-tags.ts): one this process cannot read counts as
// missing — the person is asked for it again, and it is never sent anywhere as it is.

export interface SecretCodec {
  /** Shown to the user: where secrets are kept and how well. */
  readonly backend: string;
  /** How values this codec writes are stored (the tag they get). */
  readonly scheme: SecretScheme;
  /** The stored body of a value of this codec's scheme. */
  encode(plain: string): string;
  /** Reads a body of this codec's scheme; throws when it cannot. */
  decode(body: string): string;
  /**
   * 'memory': keep secrets for this session only. Nothing is written, and a secrets file found on
   * disk (from earlier runs or the CLI) is read but removed at the next change, since the set in
   * memory is then the whole truth. Default 'disk'. Read on every write, so it may change at run time.
   */
  readonly keep?: 'disk' | 'memory';
  /** Lets the store hear that `keep` changed, so it writes (or removes) the file at once. */
  onKeepChange?(listener: () => void): void;
}

export const fileOnlyCodec: SecretCodec = {
  backend: 'file readable only by you (secrets.json, mode 0600)',
  scheme: 'file',
  encode: (s) => s,
  decode: (s) => s,
};

/**
 * A secret as the store holds it — tagged and encoded by whichever Porthole wrote it, so possibly one
 * this process cannot read (the desktop app's keychain ciphertext, seen from the CLI). Taken with
 * stored() and given back to setMany(), it is put back byte for byte: undo restores what it cannot read.
 */
export class StoredSecret {
  constructor(readonly body: string) {}
}

/** A value for setMany(): plain text to encode, a StoredSecret to put back as it was, undefined to delete. */
export type SecretChange = string | StoredSecret | undefined;

export interface SecretStore {
  readonly backend: string;
  /** The secret; undefined when none is stored or the stored one cannot be read here (see problem). */
  get(key: string): string | undefined;
  /** Why a stored secret cannot be used here (e.g. encrypted by the desktop app's keyring); else undefined. */
  problem(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
  /**
   * Sets each key to its value, or deletes it where the value is undefined, in one write (an import
   * stores many at once; a write per secret rewrites the file n times). Returns what puts those keys
   * back as they were stored — values this process cannot read included — in one write.
   */
  setMany(changes: Iterable<readonly [key: string, value: SecretChange]>): SecretRestore;
  /** The secret as stored (undefined: none), to be put back later with setMany — readable here or not. */
  stored(key: string): StoredSecret | undefined;
  /** A StoredSecret read as get() would read it: its value, or why it cannot be used here. */
  readStored(s: StoredSecret): SecretRead;
}

export type SecretRestore = () => void;

export const SECRETS_FILE = 'secrets.json';

export class FileSecretStore implements SecretStore {
  private readonly path: string;
  private entries: Record<string, string>;

  constructor(
    dataDir: string,
    private readonly codec: SecretCodec = fileOnlyCodec,
  ) {
    this.path = join(dataDir, SECRETS_FILE);
    this.entries = this.load();
    codec.onKeepChange?.(() => this.applyKeep());
  }

  /** Brings the disk in line with `codec.keep`: the file is written, or removed for memory-only. */
  private applyKeep(): void {
    if (this.codec.keep === 'memory') rmSync(this.path, { force: true });
    else if (Object.keys(this.entries).length > 0) this.write(this.entries);
  }

  get backend(): string {
    return this.codec.backend;
  }

  get(key: string): string | undefined {
    const v = this.entries[key];
    if (v === undefined) return undefined;
    const read = readStoredSecret(v, this.codec);
    return read.ok ? read.value : undefined;
  }

  problem(key: string): string | undefined {
    const v = this.entries[key];
    if (v === undefined) return undefined;
    const read = readStoredSecret(v, this.codec);
    return read.ok ? undefined : read.reason;
  }

  set(key: string, value: string): void {
    this.setMany([[key, value]]);
  }

  delete(key: string): void {
    this.setMany([[key, undefined]]);
  }

  setMany(changes: Iterable<readonly [key: string, value: SecretChange]>): SecretRestore {
    const stored = new Map<string, string | undefined>();
    for (const [key, value] of changes) stored.set(key, value === undefined || value instanceof StoredSecret ? value?.body : tagSecret(this.codec.scheme, this.codec.encode(value)));
    const before = this.putStored(stored);
    return () => void this.putStored(before);
  }

  stored(key: string): StoredSecret | undefined {
    const v = this.entries[key];
    return v === undefined ? undefined : new StoredSecret(v);
  }

  readStored(s: StoredSecret): SecretRead {
    return readStoredSecret(s.body, this.codec);
  }

  /** Writes stored (tagged) values, undefined deleting, in one write; returns the stored values they replaced. */
  private putStored(stored: ReadonlyMap<string, string | undefined>): Map<string, string | undefined> {
    const before = new Map<string, string | undefined>();
    const next = { ...this.entries };
    for (const [key, value] of stored) {
      before.set(key, this.entries[key]);
      if (value !== undefined) next[key] = value;
      else delete next[key];
    }
    // Deleting what is not there writes nothing, as a single delete never did.
    if ([...stored].some(([key, value]) => value !== undefined || key in this.entries)) this.write(next);
    return before;
  }

  private load(): Record<string, string> {
    if (!existsSync(this.path)) return {};
    try {
      const doc: unknown = JSON.parse(readFileSync(this.path, 'utf8'));
      const entries = (doc as { entries?: unknown })?.entries;
      if (typeof entries !== 'object' || entries === null) return {};
      // Values from before the tags get the tag their shape implies (written back at the next change);
      // ones this process cannot read stay as they are, for the Porthole that can.
      return Object.fromEntries(
        Object.entries(entries)
          .filter((e): e is [string, string] => typeof e[1] === 'string')
          .map(([k, v]) => [k, migrateStoredSecret(v)]),
      );
    } catch {
      // A damaged secrets file loses only the secrets; keep it aside for the curious.
      renameSync(this.path, `${this.path}.corrupt-${Date.now()}`);
      return {};
    }
  }

  private write(next: Record<string, string>): void {
    if (this.codec.keep === 'memory') {
      this.entries = next;
      rmSync(this.path, { force: true });
      return;
    }
    try {
      replaceFile(this.path, JSON.stringify({ version: 1, entries: next }), 0o600);
    } catch (err) {
      throw couldNotWrite(this.path, err);
    }
    this.entries = next;
  }
}

/**
 * A failed write of the secrets file, in the words of the other stores' (service-error.ts couldNotSave):
 * it names secrets.json, not the temporary file the system's message names, and says what to check.
 */
function couldNotWrite(path: string, err: unknown): Error {
  // Node's "EACCES: permission denied, open '<file>.tmp-123'": the cause without the operation and file.
  const why = err instanceof Error ? err.message.replace(/, \w+ '[^']*'(?: -> '[^']*')?$/, '') : String(err);
  return new Error(`Could not save to ${path}: ${why} — check that Porthole may write to ${dirname(path)} and that the disk has room`, { cause: err });
}

/** Keys under which each kind of secret is stored. */
export const secretKey = {
  sshPassword: (serverId: string) => `ssh:${serverId}:password`,
  sshPassphrase: (serverId: string) => `ssh:${serverId}:passphrase`,
  socksPassword: (ruleId: string) => `socks:${ruleId}:password`,
  relayToken: (relayId: string) => `relay:${relayId}:token`,
  /** A token the in-app relay server expects from one agent name. */
  localRelayAgentToken: (agentName: string) => `relay-server:${agentName}:token`,
};
