import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProfileError } from './profile-error';
import { readImportFile, readImportText } from './import-bundle';
import { readSshConfigProfile } from './ssh-config-profile';

// Include is followed only for a file the user named by its path, and nothing read through an Include
// is ever quoted back: an Include may name any file on the machine (a key, the secrets file), and
// before this, its unparsable lines came back verbatim in the preview's warnings.

const MARKER = 'Zq7SECRETmarker';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'porthole-include-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

/** A fresh home with ~/.ssh/config and the given files under ~/.ssh/. */
function home(config: string, files: Record<string, string> = {}): { home: string; config: string } {
  const h = path.join(tmp, `h${++n}`);
  for (const [name, text] of Object.entries({ config, ...files })) {
    const f = path.join(h, '.ssh', name);
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, text);
  }
  return { home: h, config: path.join(h, '.ssh', 'config') };
}

function profileError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProfileError);
    return (err as Error).message;
  }
  throw new Error('expected a ProfileError');
}

/** A secrets-like file: lines no ssh_config reader can parse, each carrying the marker. */
const SECRET_FILE = `{"ssh.password.1": "${MARKER}-pw"}\nroot:${MARKER}:19000:0:99999:7:::\n-----BEGIN ${MARKER} PRIVATE KEY-----\n`;

describe('Include in text that was not read from a path the user named', () => {
  it('is not followed: no other file is read, and a warning says why and what to do instead', () => {
    const h = home('Host unused\n', { 'secrets.json': SECRET_FILE, 'config.d/work': 'Host work\n  HostName work.example\n' });
    const abs = path.join(h.home, '.ssh', 'secrets.json');
    const text = `Include ${abs}\nInclude config.d/*\nHost lab\n  HostName 127.0.0.1\n  Include ~/.ssh/secrets.json\n  LocalForward 8080 127.0.0.1:80\n`;
    const b = readImportText(text, 'pasted', { home: h.home, user: 'me' });
    expect(JSON.stringify(b)).not.toContain(MARKER);
    expect(b.servers.map((s) => s.name)).toEqual(['lab']);
    const advice = 'included files are read only when Porthole opens the file itself — run `porthole import ~/.ssh/config`, or choose the file with Import → Choose files… in the desktop app';
    expect(b.warnings).toEqual([
      `pasted:1: Include ${abs} was not followed: ${advice}`,
      'pasted:2: Include config.d/* was not followed: ' + advice,
      'pasted:5: Include ~/.ssh/secrets.json was not followed: ' + advice,
    ]);
  });

  it('an Include of an unreadable or missing file is not even looked at', () => {
    const b = readImportText('Include /proc/self/environ /nonexistent\nHost a\n  HostName 127.0.0.1\n', 'link', { home: tmp, user: 'me' });
    expect(b.warnings).toEqual([
      expect.stringMatching(/^link:1: Include \/proc\/self\/environ \/nonexistent was not followed: /),
      'link: no LocalForward, RemoteForward or DynamicForward for the hosts named here: 1 SSH server imported, no mappings',
    ]);
  });
});

describe('Include in a file the user named by its path', () => {
  it('is followed (readImportFile and readSshConfigProfile of a path)', () => {
    const h = home('Include config.d/*\nHost lab\n  HostName 127.0.0.1\n', { 'config.d/work': 'Host work\n  HostName work.example\n  LocalForward 9000 db:5432\n' });
    const viaFile = readImportFile(h.config, { home: h.home, user: 'me' });
    expect(viaFile.servers.map((s) => s.name)).toEqual(['work', 'lab']);
    expect(viaFile.rules.map((r) => r.name)).toEqual(['work: L 9000 → db:5432']);
    expect(viaFile.warnings).toEqual([]);
    expect(readSshConfigProfile(h.config, { home: h.home, user: 'me' }).servers).toHaveLength(2);
  });

  it('warnings about an included file name the file and line and never quote it', () => {
    const inc = [
      `${MARKER}Option yes`, // 1 unknown option
      'Host box1',
      `  LocalForward 0.0.0.0:7001 ${MARKER}a:80`, // 3 listens on all interfaces
      `  LocalForward 7002 /run/${MARKER}.sock`, // 4 Unix socket: unsupported
      `  RemoteForward *:7003 ${MARKER}b:1`, // 5 remote all interfaces
      `  LocalForward 7001 ${MARKER}c:1`, // 6 same listen address as line 3
      `  IdentityFile ~${MARKER}/key`, // 7 ~user path
      `  IdentityFile /k/${MARKER}2`, // 8 only the first is used
      `  UserKnownHostsFile %C${MARKER}`, // 9 unknown %-token
      '  ServerAliveInterval 99999', // 10 too long
      '  ServerAliveCountMax 0', // 11 clamped
      'Host box2',
      `  HostName %x${MARKER}`, // 13 HostName token
      'Host box3',
      `  ProxyJump ${MARKER}@`, // 15 not a jump spec
      `Match ${MARKER}crit x`, // 16 unknown Match criterion
      `Match exec "cat ${MARKER}"`, // 17 Match exec
      `Include ${MARKER}/nothing.conf`, // 18 missing include
    ].join('\n');
    const h = home('Include config.d/*\n', { 'config.d/work': `${inc}\n` });
    const p = readSshConfigProfile(h.config, { home: h.home, user: 'me' });
    expect(JSON.stringify(p.warnings)).not.toContain(MARKER);
    const w = '~/.ssh/config.d/work';
    expect(p.warnings).toEqual([
      `${w}:18: Include: the file does not exist; skipped`,
      `${w}:1: unknown option, skipped`,
      `${w}:3: LocalForward listens on all interfaces, reachable from other machines`,
      `${w}:4: LocalForward: Unix-socket forwards are not supported; skipped`,
      `${w}:5: RemoteForward asks the SSH server to listen on all its interfaces`,
      `${w}:16: this Match criterion is not supported; the options of this Match block are ignored`,
      `${w}:17: Match exec is never run by Porthole; the options of this Match block are ignored`,
      `box1: IdentityFile: ~user paths are not expanded (${w}:7)`,
      `box1: only the first IdentityFile (${w}:7) is used; 1 more ignored`,
      `box1: UserKnownHostsFile: %-tokens not expanded (${w}:9)`,
      `box1: ServerAliveInterval (${w}:10) is longer than Porthole allows; using 600 seconds`,
      `box1: ServerAliveCountMax (${w}:11) is outside 1–100; using 1`,
      `box1: LocalForward (${w}:6) uses the same listen address 127.0.0.1:7001 as an earlier forward; skipped`,
      'box2: skipped: HostName: only %h and %% can be expanded',
      `box3: skipped: ProxyJump is not [user@]host[:port] (${w}:15)`,
    ]);
  });

  it.each([
    ['  Port 22MARK', 'Port: not a port number (1–65535)'],
    ['  StrictHostKeyChecking MARK', 'StrictHostKeyChecking: expected yes, accept-new, no, off or ask'],
    ['  ClearAllForwardings MARK', 'ClearAllForwardings: expected yes or no'],
    ['  ServerAliveInterval MARK', 'ServerAliveInterval: not a time in seconds'],
    ['  ServerAliveCountMax MARK', 'ServerAliveCountMax: not a whole number'],
    ['  HostName a MARK', 'HostName: expected one value'],
    ['  LocalForward MARK', 'LocalForward: not a valid LocalForward (expected [bind_address:]port host:hostport)'],
    ['  DynamicForward MARK', 'DynamicForward: not a valid DynamicForward (expected [bind_address:]port)'],
    ['Match host', 'Match: a criterion needs a value'],
  ])('an error in an included file names file and line, never the value: %s', (line, what) => {
    const h = home('Include bad.conf\n', { 'bad.conf': `Host e\n${line.replace('MARK', MARKER)}\n` });
    expect(profileError(() => readSshConfigProfile(h.config, { home: h.home, user: 'me' }))).toBe(`~/.ssh/bad.conf:2: ${what}`);
  });

  it('the file the user named is still quoted in full', () => {
    const h = home('Host e\n  Port 22x\n');
    expect(profileError(() => readSshConfigProfile(h.config, { home: h.home, user: 'me' }))).toBe(`${h.config}:2: Port "22x": not a port number (1–65535)`);
  });
});
