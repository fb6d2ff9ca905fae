import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'ssh-config';
import { afterAll, describe, expect, it } from 'vitest';
import { RuleDraftSchema } from '../../src-shared/model/rule';
import { SshServerDraftSchema } from '../../src-shared/model/ssh';
import { ProfileError } from './profile-error';
import { type SshConfigProfile, readSshConfigProfile } from './ssh-config-profile';
import { prng } from '../../test-support/prng';

const HOME = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'home');
const SSH = path.join(HOME, '.ssh');
const CONFIG = path.join(SSH, 'config');

const tmp = mkdtempSync(path.join(os.tmpdir(), 'porthole-sshcfg-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
function write(text: string | Buffer, name = `config-${++n}`): string {
  const f = path.join(tmp, name);
  mkdirSync(path.dirname(f), { recursive: true });
  writeFileSync(f, text);
  return f;
}
/** The detail tests below look at one behaviour each: the note that a config has no forwards (tested in ssh-config-layouts.test.ts) is left out. */
function read(text: string, opts: { home?: string; user?: string } = {}): SshConfigProfile {
  const p = readSshConfigProfile(write(text), { home: tmp, user: 'me', ...opts });
  return { ...p, warnings: p.warnings.filter((w) => !/: no LocalForward, RemoteForward or DynamicForward /.test(w)) };
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

/** Every draft passes the shared schemas and every reference resolves. */
function expectValid(p: SshConfigProfile): void {
  const refs = new Set(p.servers.map((s) => s.ref));
  const seen = new Set<string>();
  for (const s of p.servers) {
    const { ref, ...draft } = s;
    expect(ref).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(SshServerDraftSchema.safeParse(draft).success).toBe(true);
    for (const j of s.jump) expect(seen.has(j)).toBe(true); // jump hosts come first
    seen.add(ref);
  }
  expect(refs.size).toBe(p.servers.length);
  for (const r of p.rules) {
    expect(RuleDraftSchema.safeParse(r).success).toBe(true);
    expect('server' in r && refs.has(r.server)).toBe(true);
  }
}

describe('readSshConfigProfile: a real-world corpus', () => {
  it('the fixture really has a BOM, CRLF line ends and tabs', () => {
    const bytes = readFileSync(CONFIG);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('latin1')).toContain('\r\n\tHostName');
  });

  it('reads servers, rules and warnings exactly', () => {
    const p = readSshConfigProfile(CONFIG, { home: HOME, user: 'me' });
    expectValid(p);
    const ref = Object.fromEntries(p.servers.map((s) => [s.name, s.ref]));
    const common = { keepaliveIntervalMs: 30_000, keepaliveCountMax: 4, jump: [] };
    expect(p.servers).toEqual([
      { ...common, name: 'work-web', host: '192.0.2.10', port: 22, user: 'deploy', auth: { method: 'agent' }, hostKeyPolicy: 'strict', knownHostsFile: path.join(SSH, 'known_hosts_work'), ref: ref['work-web'] },
      { ...common, name: 'lab', host: 'lab.local', port: 2022, user: 'alice', auth: { method: 'agent' }, hostKeyPolicy: 'off', ref: ref.lab },
      { ...common, name: 'bastion', host: 'bastion.example.com', port: 2222, user: 'jumper', auth: { method: 'key', keyPath: path.join(SSH, 'id_bastion'), hasPassphrase: false }, hostKeyPolicy: 'ask', ref: ref.bastion },
      {
        ...common,
        name: 'db-tunnel',
        host: 'db.internal.example.com',
        port: 22,
        user: 'alice',
        auth: { method: 'key', keyPath: path.join(SSH, 'id_alice@db.internal.example.com'), hasPassphrase: false },
        jump: [ref.bastion],
        hostKeyPolicy: 'accept-new',
        ref: ref['db-tunnel'],
      },
      // Synthesized for `ProxyJump …,admin@10.0.0.7:2200`: `Host *` still supplies its defaults.
      { ...common, name: 'admin@10.0.0.7:2200', host: '10.0.0.7', port: 2200, user: 'admin', auth: { method: 'agent' }, hostKeyPolicy: 'ask', ref: ref['admin@10.0.0.7:2200'] },
      {
        ...common,
        name: 'deep',
        host: 'deep.internal',
        port: 22,
        user: 'alice',
        auth: { method: 'agent' },
        // db-tunnel's own jump (bastion) first: one flat chain in traversal order.
        jump: [ref.bastion, ref['db-tunnel'], ref['admin@10.0.0.7:2200']],
        hostKeyPolicy: 'ask',
        ref: ref.deep,
      },
    ]);
    for (const r of Object.values(ref)) expect(r).toMatch(/^ssh-[A-Za-z0-9_-]+-[0-9a-f]{8}$/);

    const base = { enabled: true, autoStart: true, tags: [] };
    expect(p.rules).toEqual([
      { ...base, type: 'ssh-local', name: 'work-web: L 8080 → localhost:80', server: ref['work-web'], listen: { host: '127.0.0.1', port: 8080 }, target: { host: 'localhost', port: 80 } },
      { ...base, type: 'ssh-local', name: 'work-web: L 8443 → localhost:443', server: ref['work-web'], listen: { host: '127.0.0.1', port: 8443 }, target: { host: 'localhost', port: 443 } },
      { ...base, type: 'ssh-local', name: 'db-tunnel: L 15432 → localhost:5432', server: ref['db-tunnel'], listen: { host: '127.0.0.1', port: 15432 }, target: { host: 'localhost', port: 5432 } },
      { ...base, type: 'ssh-local', name: 'db-tunnel: L [::1]:18080 → [2001:db8::10]:80', server: ref['db-tunnel'], listen: { host: '::1', port: 18080 }, target: { host: '2001:db8::10', port: 80 } },
      { ...base, type: 'ssh-local', name: 'db-tunnel: L 0.0.0.0:9000 → metrics.internal:9000', server: ref['db-tunnel'], listen: { host: '0.0.0.0', port: 9000 }, target: { host: 'metrics.internal', port: 9000 } },
      { ...base, type: 'ssh-remote', name: 'db-tunnel: R 8022 → 127.0.0.1:22', server: ref['db-tunnel'], remote: { host: '127.0.0.1', port: 8022 }, target: { host: '127.0.0.1', port: 22 } },
      { ...base, type: 'ssh-dynamic', name: 'db-tunnel: D 1080 (SOCKS)', server: ref['db-tunnel'], listen: { host: '127.0.0.1', port: 1080 }, socks: { hasPassword: false, connectTimeoutMs: 10_000 } },
      { ...base, type: 'ssh-local', name: 'deep: L 3001 → [::1]:3001', server: ref.deep, listen: { host: '127.0.0.1', port: 3001 }, target: { host: '::1', port: 3001 } },
    ]);

    expect(p.warnings).toEqual([
      `${CONFIG}:2: Include "local.conf": ${path.join(SSH, 'local.conf')} does not exist; skipped`,
      `${CONFIG}:15: LocalForward "*:9000 metrics.internal:9000" listens on all interfaces, reachable from other machines`,
      `${CONFIG}:17: RemoteForward "9999": a RemoteForward without a destination is a reverse dynamic (SOCKS) forward, which is not supported; skipped`,
      `${CONFIG}:20: unknown keyword "FancyNewOption" ignored`,
      `${CONFIG}:26: LocalForward "3000 /run/app.sock": Unix-socket forwards are not supported; skipped`,
      `${CONFIG}:32: Match user is not supported; the options of this Match block are ignored`,
      `${CONFIG}:36: Host *.example.com matches no host named in this config: its options are not imported — name each host in a Host line of its own`,
      'lab: StrictHostKeyChecking no: any host key is accepted, even a changed one',
      `${CONFIG}:40: Compression is not carried over — set for every host (5)`,
    ]);
  });

  it('reads the same result twice (deterministic refs)', () => {
    const a = readSshConfigProfile(CONFIG, { home: HOME, user: 'me' });
    const b = readSshConfigProfile(CONFIG, { home: HOME, user: 'me' });
    expect(b).toEqual(a);
  });
});

describe('readSshConfigProfile: details', () => {
  it('uses the local user name when no User is set, and 22 / agent / ask by default', () => {
    const p = read('Host plain\n');
    expect(p.servers).toEqual([{ name: 'plain', host: 'plain', port: 22, user: 'me', auth: { method: 'agent' }, jump: [], keepaliveIntervalMs: 15_000, keepaliveCountMax: 3, hostKeyPolicy: 'ask', ref: p.servers[0]!.ref }]);
    expect(p.warnings).toEqual([]);
  });

  it('expands %d %u %h %r %n %p %% in IdentityFile and warns about unknown tokens', () => {
    const p = read('Host a\n  HostName a.example\n  User bob\n  Port 2200\n  IdentityFile %d/k/%u-%r@%h-%n:%p-%%-%C\n  IdentityFile ~/second\n');
    expect(p.servers[0]!.auth).toEqual({ method: 'key', keyPath: `${tmp}/k/me-bob@a.example-a:2200-%-%C`, hasPassphrase: false });
    expect(p.warnings).toEqual(['a: IdentityFile "%d/k/%u-%r@%h-%n:%p-%%-%C": %C not expanded', 'a: only the first IdentityFile (%d/k/%u-%r@%h-%n:%p-%%-%C) is used; 1 more ignored']);
  });

  it('first value wins, Key=Value and quotes, Match originalhost, HostName %h', () => {
    const p = read('Host=web "api"\n  HostName=%h.example.com\nHost web\n  Port 1\n  Port 2\nMatch originalhost api\n  User "svc"\nHost *\n  Port 3\n');
    expect(p.servers.map((s) => [s.name, s.host, s.port, s.user])).toEqual([
      ['web', 'web.example.com', 1, 'me'],
      ['api', 'api.example.com', 3, 'svc'],
    ]);
  });

  it('several forwards per host, in file order, bind forms', () => {
    const p = read(
      'Host h\n  LocalForward 1 a:1\n  DynamicForward [::1]:2\n  RemoteForward [::]:0 b:2\n  LocalForward localhost:3 [::1]:3\n  LocalForward ::1/4 fe80::1/4\n  RemoteForward *:5 c:5\n',
    );
    expect(p.rules.map((r) => r.name)).toEqual(['h: L 1 → a:1', 'h: D [::1]:2 (SOCKS)', 'h: R [::]:0 → b:2', 'h: L localhost:3 → [::1]:3', 'h: L [::1]:4 → [fe80::1]:4', 'h: R 0.0.0.0:5 → c:5']);
    expect(p.warnings).toEqual([
      expect.stringMatching(/:4: RemoteForward "\[::\]:0 b:2" asks the SSH server to listen on all its interfaces$/),
      expect.stringMatching(/:7: RemoteForward "\*:5 c:5" asks the SSH server to listen on all its interfaces$/),
    ]);
  });

  it('a second forward on the same listen address is skipped with a warning', () => {
    const p = read('Host *\n  LocalForward 8080 a:80\nHost h\n  LocalForward 8080 b:80\n');
    // OpenSSH binds the first one in file order; the second would fail to bind.
    expect(p.rules.map((r) => r.name)).toEqual(['h: L 8080 → a:80']);
    expect(p.warnings).toEqual([expect.stringMatching(/^h: LocalForward "8080 b:80" \(.*:4\) uses the same listen address 127\.0\.0\.1:8080 as an earlier forward; skipped$/)]);
  });

  it('ProxyCommand is never run and is reported; ProxyJump loops and bad hosts are skipped with warnings', () => {
    const p = read(
      'Host pc\n  ProxyCommand ssh -W %h:%p gw\nHost a\n  ProxyJump b\nHost b\n  ProxyJump a\nHost bad_name\n  LocalForward 1 x:1\nHost ok\n  ProxyJump bad_name\n',
    );
    expect(p.servers.map((s) => s.name)).toEqual(['pc']);
    expect(p.rules).toEqual([]);
    expect(p.warnings).toEqual([
      'pc: ProxyCommand is not supported (Porthole never runs commands from an imported file): connecting directly to pc',
      'a: its ProxyJump chain loops back to itself',
      'b: skipped: its jump host "a" could not be imported',
      'a: skipped: its jump host "b" could not be imported',
      'bad_name: skipped: host "bad_name": not a valid host name or IP address',
      'bad_name: 1 forward not imported because the server was skipped',
      'ok: skipped: its jump host "bad_name" could not be imported',
    ]);
  });

  it('UserKnownHostsFile /dev/null: no file, and a warning unless keys are not checked anyway', () => {
    const p = read('Host k\n  UserKnownHostsFile /dev/null\n');
    expect(p.servers[0]!.knownHostsFile).toBeUndefined();
    expect(p.warnings).toEqual(['k: UserKnownHostsFile /dev/null: no host keys are remembered, so the host key is asked every time unless StrictHostKeyChecking says otherwise']);
  });

  it('keepalives: seconds → ms, time suffixes, clamping', () => {
    const p = read('Host a\n  ServerAliveInterval 1m30s\n  ServerAliveCountMax 0\nHost b\n  ServerAliveInterval 3600\n');
    expect(p.servers.map((s) => [s.keepaliveIntervalMs, s.keepaliveCountMax])).toEqual([
      [90_000, 1],
      [600_000, 3],
    ]);
    expect(p.warnings).toEqual(['a: ServerAliveCountMax 0 is outside 1–100; using 1', 'b: ServerAliveInterval 3600 is longer than Porthole allows; using 600 seconds']);
  });

  it('IgnoreUnknown silences unknown keywords; GatewayPorts yes makes a forward without a bind address listen on every interface', () => {
    const p = read('IgnoreUnknown UseKeychain,Foo*\nUseKeychain yes\nFooBar 1\nBaz 2\nGatewayPorts yes\nHost h\n  LocalForward 1 a:1\n  LocalForward 127.0.0.1:2 a:2\n');
    expect(p.rules.map((r) => (r.type === 'ssh-local' ? r.listen : undefined))).toEqual([
      { host: '0.0.0.0', port: 1 },
      { host: '127.0.0.1', port: 2 },
    ]);
    expect(p.warnings).toEqual([
      expect.stringMatching(/:4: unknown keyword "Baz" ignored$/),
      expect.stringMatching(/^h: LocalForward "1 a:1" \(.*:7\) listens on all interfaces because of GatewayPorts yes \(.*:5\), reachable from other machines$/),
      expect.stringMatching(/:2: UseKeychain is not carried over — set for h$/),
    ]);
  });

  it('an Include inside a Host block is inserted in place and the block resumes after it', () => {
    write('Host inc\n  Port 2201\n', 'h1/.ssh/inc.conf');
    const p = readSshConfigProfile(write('Host outer\n  Include inc.conf\n  User after\n', 'h1/.ssh/config'), { home: path.join(tmp, 'h1'), user: 'me' });
    expect(p.servers.map((s) => [s.name, s.port, s.user])).toEqual([
      ['outer', 22, 'after'],
      ['inc', 2201, 'me'],
    ]);
    expect(p.warnings).toEqual([
      expect.stringMatching(/:2: Include inside a Host block: the Host\/Match sections of .*inc\.conf are applied unconditionally/),
      expect.stringMatching(/config: no LocalForward, RemoteForward or DynamicForward for the hosts named here: 2 SSH servers imported, no mappings$/),
    ]);
  });

  it('ClearAllForwardings yes drops the forwards with a warning', () => {
    const p = read('Host h\n  ClearAllForwardings yes\n  LocalForward 1 a:1\n');
    expect(p.rules).toEqual([]);
    expect(p.warnings).toEqual([expect.stringMatching(/^h: ClearAllForwardings yes \(.*:2\): its 1 forward\(s\) are not imported$/)]);
  });
});

describe('readSshConfigProfile: nothing in the file ever runs', () => {
  it('Match exec never runs a command (and the library alone would have run it)', () => {
    const control = path.join(tmp, 'control-ran');
    const marker = path.join(tmp, 'exec-ran');
    const text = (m: string) => `Host box\n  HostName box.example\nMatch exec "touch ${m}"\n  User evil\nMatch host box.example exec "touch ${m}"\n  Port 2200\n`;

    // Control: the library's default compute() does run it, so this test can tell.
    parse(text(control)).compute('box');
    expect(existsSync(control)).toBe(true);

    const p = read(text(marker));
    expect(existsSync(marker)).toBe(false);
    expect(p.servers).toMatchObject([{ name: 'box', user: 'me', port: 22 }]);
    expect(p.warnings).toEqual([
      expect.stringMatching(/:3: Match exec is never run by Porthole; the options of this Match block are ignored$/),
      expect.stringMatching(/:5: Match exec is never run by Porthole; the options of this Match block are ignored$/),
    ]);
  });

  it('host name canonicalization (which makes the library spawn nslookup) is never evaluated', () => {
    const bin = path.join(tmp, 'bin');
    mkdirSync(bin, { recursive: true });
    const control = path.join(tmp, 'nslookup-control');
    const marker = path.join(tmp, 'nslookup-ran');
    const fake = path.join(bin, 'nslookup');
    const text = 'Host box\n  CanonicalizeHostname yes\n  CanonicalDomains a.example b.example\n';
    const oldPath = process.env.PATH;
    process.env.PATH = `${bin}${path.delimiter}${oldPath ?? ''}`;
    try {
      writeFileSync(fake, `#!/bin/sh\ntouch "${control}"\n`);
      chmodSync(fake, 0o755);
      parse(text).compute('box', { matchExec: false, ignoreCase: true });
      expect(existsSync(control)).toBe(true);

      writeFileSync(fake, `#!/bin/sh\ntouch "${marker}"\n`);
      const p = read(text);
      expect(existsSync(marker)).toBe(false);
      expect(p.servers).toMatchObject([{ name: 'box', host: 'box' }]);
    } finally {
      process.env.PATH = oldPath;
    }
  });
});

describe('readSshConfigProfile: bad input', () => {
  it.each([
    ['LocalForward 8080', 'missing the destination: expected [bind_address:]port host:hostport'],
    ['LocalForward 99999 db:5432', 'port 99999 is out of range (1–65535)'],
    ['LocalForward 8080 db', '"db" has no port: write HOST:PORT'],
    ['LocalForward ::1:8080 db:1', '"::1:8080": put an IPv6 address in brackets, as [::1]:8080'],
    ['LocalForward 8080 db:1 extra', 'expected two arguments, [bind_address:]port host:hostport'],
    ['RemoteForward 80 db:99999', 'port 99999 is out of range (1–65535)'],
    ['DynamicForward abc', '"abc" is not a port or bind_address:port'],
    ['DynamicForward [a..b]:1080', '"a..b" is not a valid bind address'],
  ])('%s → ProfileError with file:line', (line, what) => {
    const f = write(`# comment\nHost h\n  ${line}\n`);
    const kw = line.split(' ')[0];
    expect(profileError(() => readSshConfigProfile(f, { home: tmp, user: 'me' }))).toBe(`${f}:3: ${kw} "${line.split(' ').slice(1).join(' ')}": ${what}`);
  });

  it('a malformed forward in an included file names that file and line, without quoting it', () => {
    write('Host x\n\n  LocalForward nope\n', 'h2/.ssh/bad.conf');
    const f = write('Include bad.conf\n', 'h2/.ssh/config');
    expect(profileError(() => readSshConfigProfile(f, { home: path.join(tmp, 'h2'), user: 'me' }))).toBe('~/.ssh/bad.conf:3: LocalForward: not a valid LocalForward (expected [bind_address:]port host:hostport)');
  });

  it('other values OpenSSH refuses are errors too', () => {
    expect(profileError(() => read('Host h\n  Port 0x16\n'))).toMatch(/:2: Port "0x16": not a port number/);
    expect(profileError(() => read('Host h\n  StrictHostKeyChecking maybe\n'))).toMatch(/:2: StrictHostKeyChecking "maybe": expected/);
    expect(profileError(() => read('Host h\n  User "unclosed\n'))).toMatch(/:2: a quote is not closed$/);
    expect(profileError(() => read('Host\n'))).toMatch(/:1: Host: missing host pattern$/);
    expect(profileError(() => read('Host h\nMatch host\n'))).toMatch(/:2: Match "host": "host" needs a value$/);
  });

  it('refuses a binary file and a file over 1 MiB, naming the file', () => {
    const bin = write(Buffer.from('Host a\n\0\x01\x02'));
    expect(profileError(() => readSshConfigProfile(bin))).toBe(`${bin}: binary data (NUL bytes) — not an ssh_config file`);
    const big = write(`Host a\n${'# padding\n'.repeat(110_000)}`);
    expect(profileError(() => readSshConfigProfile(big))).toBe(`${big}: the file is larger than 1 MiB — not an ssh_config file`);
    const missing = path.join(tmp, 'missing');
    expect(profileError(() => readSshConfigProfile(missing))).toBe(`${missing}: cannot read the file (ENOENT)`);
  });

  it('refuses a file that is not an ssh_config at all', () => {
    const f = write('{ "rules": [] }\n');
    expect(profileError(() => readSshConfigProfile(f))).toBe(`${f}: does not look like an ssh_config file (no Host, Match or other ssh_config keyword)`);
    expect(profileError(() => read(''))).toMatch(/does not look like an ssh_config file/);
  });

  it('stops an Include loop at depth 16', () => {
    const f = write('Include loop.conf\nHost a\n', 'h3/.ssh/loop.conf');
    expect(profileError(() => readSshConfigProfile(f, { home: path.join(tmp, 'h3'), user: 'me' }))).toBe('~/.ssh/loop.conf:1: Include: includes nested more than 16 deep (does a file include itself?)');
  });
});

describe('readSshConfigProfile: fuzz', () => {
  it('500 random mutations of a valid config: a valid result or a ProfileError, never anything else', () => {
    const base = readFileSync(CONFIG, 'utf8');
    const alphabet = [...'abcxyz019:[]*?!%~/\\"\'#= \t\n\r,@.-_', '\u00e9', 'Host ', 'Match ', 'LocalForward ', 'ProxyJump ', 'Include ', '\n  Port '];
    const rnd = prng(20240611);
    const pick = (n: number) => Math.floor(rnd() * n);
    let ok = 0;
    let refused = 0;
    for (let i = 0; i < 500; i++) {
      let text = base;
      const edits = 1 + pick(6);
      for (let e = 0; e < edits; e++) {
        const at = pick(text.length + 1);
        const op = pick(3);
        const piece = alphabet[pick(alphabet.length)]!;
        if (op === 0) text = text.slice(0, at) + piece + text.slice(at);
        else if (op === 1) text = text.slice(0, at) + text.slice(at + 1 + pick(8));
        else text = text.slice(0, at) + piece + text.slice(at + piece.length);
      }
      const f = write(text, `fuzz/${i}`);
      try {
        const p = readSshConfigProfile(f, { home: HOME, user: 'me' });
        expectValid(p);
        for (const w of p.warnings) expect(typeof w).toBe('string');
        ok++;
      } catch (err) {
        if (!(err instanceof ProfileError)) throw new Error(`mutation ${i} threw ${(err as Error).stack}\n--- input ---\n${text}`, { cause: err });
        refused++;
      }
    }
    expect(ok + refused).toBe(500);
    // Both outcomes are exercised (with this seed: 244 read, 256 refused).
    expect(ok).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  });
});
