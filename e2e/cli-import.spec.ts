import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from './support/fixtures';
import { freePort } from './support/host';

// `porthole import FILE` as a person runs it: the built CLI reads real-world files (the import corpus,
// whose ssh_config Includes a file from ~/.ssh), saves them to a data dir, reports conflicts on a
// second run, refuses bad files with exit 2 and file:line, and leaves a data dir the app holds alone.

const CLI = resolve('out/main/cli.js');
const CORPUS = resolve('src-main/profiles/fixtures/corpus');
/** The corpus's home: its ~/.ssh/config Includes conf.d/*.conf relative to ~/.ssh. */
const HOME = join(CORPUS, 'ssh', 'home');
const SSH_CONFIG = join(HOME, '.ssh', 'config');

let data: { dir: string };

// The fixture's temp dir (removed after each test) holds the files written here and the data dir, state/.
test.beforeEach(({ porthole: fixture }) => {
  data = { dir: fixture.dataDir };
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function porthole(args: string[], home = HOME): Promise<Run> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: home, PORTHOLE_DATA_DIR: '' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', rej);
    p.on('close', (code) => res({ code, stdout, stderr }));
  });
}

const store = () => join(data.dir, 'state');
const storeFile = () => join(store(), 'porthole.json');

test('--dry-run --json prints the rules, servers, relays and warnings it read, and saves nothing', async () => {
  const r = await porthole(['import', SSH_CONFIG, '--dry-run', '--json', '--data-dir', store()]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout) as { format: string; rules: Array<{ name: string; type: string; server: string }>; servers: Array<{ name: string; ref: string }>; relays: unknown[]; warnings: string[] };
  expect(out.format).toBe('ssh-config');
  expect(out.servers.map((s) => s.name)).toEqual(['build', 'jump', 'app', 'gpu-a', 'gpu-b']);
  expect(out.rules.map((x) => [x.type, x.name])).toEqual([
    ['ssh-local', 'build: L 8080 → localhost:8080'],
    ['ssh-local', 'build: L 8081 → localhost:8081'],
    ['ssh-dynamic', 'build: D 1081 (SOCKS)'],
    ['ssh-local', 'app: L 5432 → db.internal:5432'],
    ['ssh-local', 'app: L [::1]:6379 → [2001:db8::6]:6379'],
    ['ssh-local', 'app: L 8443 → localhost:443'],
    ['ssh-remote', 'app: R 9000 → localhost:3000'],
    ['ssh-remote', 'app: R [::1]:9001 → [::1]:3001'],
    ['ssh-dynamic', 'app: D [::1]:1080 (SOCKS)'],
    ['ssh-local', 'gpu-a: L 8888 → localhost:8888'],
  ]);
  const refs = new Set(out.servers.map((s) => s.ref));
  for (const x of out.rules) expect(refs.has(x.server)).toBe(true);
  expect(out.relays).toEqual([]);
  expect(out.warnings).toEqual([
    `${SSH_CONFIG}:19: unknown keyword "WeirdVendorOption" ignored`,
    `${SSH_CONFIG}:28: Match exec is never run by Porthole; the options of this Match block are ignored`,
    `gpu-b: LocalForward "8888 localhost:8888" (${SSH_CONFIG}:25) uses the same listen address 127.0.0.1:8888 as the forward of gpu-a (Porthole runs every host's forwards at once); skipped`,
    `${SSH_CONFIG}:37: AddKeysToAgent is not carried over (Porthole adds no keys to the agent) — set for every host (5)`,
  ]);
  expect(existsSync(store())).toBe(false);
});

test('--dry-run --json says a file carries secrets without printing them', async () => {
  const r = await porthole(['import', join(CORPUS, 'porthole', 'export-secrets.json'), '--dry-run', '--json']);
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout) as { rules: Array<Record<string, unknown>>; servers: Array<Record<string, unknown>>; relays: Array<Record<string, unknown>> };
  expect(out.rules.map((x) => [x.name, x.type, x.hasSocksPassword])).toEqual([['NAS SOCKS', 'ssh-dynamic', true], ['NAS web', 'relay-expose', undefined]]);
  expect(out.servers[0]).toMatchObject({ name: 'NAS', hasPassword: true });
  expect(out.relays[0]).toMatchObject({ name: 'Home relay', hasToken: true });
  for (const secret of ['nas-Pw-5521', 'relay-Tok-8812-Lk4Q', 'socks-Pw-3391']) expect(r.stdout + r.stderr).not.toContain(secret);
});

test('import saves to the data dir; importing the same file again reuses the servers, skips taken ports and renames the rest', async () => {
  const first = await porthole(['import', SSH_CONFIG, '--data-dir', store()]);
  expect(first.code).toBe(0);
  expect(first.stdout).toContain(`${SSH_CONFIG}: ssh-config — 10 mappings, 5 SSH servers, 0 relays\n`);
  expect(first.stdout).toContain('  server  jump: ops@jump.example.net:2200\n');
  expect(first.stdout).toContain('  mapping app: L [::1]:6379 → [2001:db8::6]:6379: ssh -L [::1]:6379 → [2001:db8::6]:6379\n');
  expect(first.stdout).toContain(`saved 10 mappings, 5 servers, 0 relays to ${store()}; they are switched off — switch them on in Porthole, or import with --enable\n`);
  expect(first.stderr).toContain('warning: gpu-b: LocalForward "8888 localhost:8888"');
  const saved = JSON.parse(readFileSync(storeFile(), 'utf8')) as { rules: Array<{ name: string; enabled: boolean }>; servers: Array<{ name: string }> };
  expect(saved.rules).toHaveLength(10);
  // Nothing starts by itself: every mapping is saved switched off (the file has them all on).
  expect(saved.rules.filter((x) => x.enabled)).toEqual([]);
  // conf.d/work.conf came in through the Include of the file named on the command line.
  expect(saved.servers.map((x) => x.name)).toContain('build');
  expect(saved.servers.map((s) => s.name)).toEqual(['build', 'jump', 'app', 'gpu-a', 'gpu-b']);

  const second = await porthole(['import', SSH_CONFIG, '--data-dir', store()]);
  expect(second.code).toBe(0);
  expect(second.stdout).toContain('  reused the saved one: jump — the same server is saved as "jump"\n');
  expect(second.stdout).toContain('  skipped: app: L 5432 → db.internal:5432 — a mapping named "app: L 5432 → db.internal:5432" exists; "app: L 5432 → db.internal:5432" already listens on 127.0.0.1:5432\n');
  expect(second.stdout).toContain('  renamed to "app: R 9000 → localhost:3000 (2)": app: R 9000 → localhost:3000 — a mapping named "app: R 9000 → localhost:3000" exists\n');
  expect(second.stdout).toContain(`saved 2 mappings, 0 servers, 0 relays to ${store()} (8 skipped); they are switched off — switch them on in Porthole, or import with --enable\n`);
  const again = JSON.parse(readFileSync(storeFile(), 'utf8')) as { rules: Array<{ name: string }>; servers: unknown[] };
  expect(again.servers).toHaveLength(5);
  expect(again.rules.map((x) => x.name).slice(10)).toEqual(['app: R 9000 → localhost:3000 (2)', 'app: R [::1]:9001 → [::1]:3001 (2)']);

  // --json reports the same outcome and conflicts as data.
  const third = await porthole(['import', SSH_CONFIG, '--json', '--data-dir', store()]);
  expect(third.code).toBe(0);
  const out = JSON.parse(third.stdout) as { outcome: { rules: number; skipped: number }; conflicts: Array<{ name: string; action: string; renameTo?: string }> };
  expect(out.outcome).toMatchObject({ rules: 2, servers: 0, skipped: 8 });
  expect(out.conflicts.find((c) => c.name === 'app: R 9000 → localhost:3000')).toMatchObject({ action: 'rename', renameTo: 'app: R 9000 → localhost:3000 (3)' });
});

test('a malformed file exits 2 with file:line on stderr and leaves the saved mappings as they were', async () => {
  expect((await porthole(['import', join(CORPUS, 'porthole', 'export.yaml'), '--data-dir', store()])).code).toBe(0);
  const before = readFileSync(storeFile());
  const cases: Array<[string, string, RegExp]> = [
    ['config', 'Host x\n  HostName 127.0.0.1\n  LocalForward notaport 127.0.0.1:80\n', /:3: LocalForward "notaport 127\.0\.0\.1:80": "notaport" is not a port/],
    ['export.yaml', 'porthole: 1\nrules:\n  - type: tcp-forward\n    name: web\n    listen: { host: 127.0.0.1, port: 99999 }\n    target: { host: a, port: 1 }\n', /:5: rules\[0\]\.listen\.port: port must be between 1 and 65535/],
    ['export.json', '{\n  "porthole": 1,\n  "rules": [,]\n}\n', /:3: not valid JSON: /],
    ['frpc.toml', 'serverAddr = "relay.example.com"\n[[proxies]]\nname = "ssh"\nlocalPort = 22\nremotePort = "x\n', /:5: not valid TOML: /],
    ['relay.yaml', 'name: lab\nserver: relay.example.com:notaport\n', /:2: server "relay\.example\.com:notaport": /],
  ];
  for (const [name, text, why] of cases) {
    const f = join(data.dir, name);
    writeFileSync(f, text);
    const r = await porthole(['import', f, '--data-dir', store()]);
    expect([name, r.code]).toEqual([name, 2]);
    expect(r.stderr).toMatch(new RegExp(`^porthole import: ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${why.source}`));
    expect(r.stdout).toBe('');
    expect(readFileSync(storeFile()).equals(before)).toBe(true);
  }
});

test('two mappings of one file on one port: the first is saved, the second skipped with the reason (apply never half-fails)', async () => {
  expect((await porthole(['import', join(CORPUS, 'porthole', 'export.yaml'), '--data-dir', store()])).code).toBe(0);
  const f = join(data.dir, 'twice.yaml');
  const rule = (name: string) => `  - { type: tcp-forward, name: ${name}, listen: { host: 127.0.0.1, port: 18123 }, target: { host: db, port: 5432 } }`;
  writeFileSync(f, `porthole: 1\nservers:\n  - { ref: s, name: New server, host: new.example, user: me, auth: { method: agent } }\nrules:\n${rule('first')}\n${rule('second')}\n`);
  const r = await porthole(['import', f, '--data-dir', store()]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('  skipped: second — "first" in this import also listens on 127.0.0.1:18123\n');
  expect(r.stdout).toMatch(/saved 1 mapping, 1 server, 0 relays to .* \(1 skipped\); it is switched off — switch it on in Porthole, or import with --enable\n$/);
  const saved = JSON.parse(readFileSync(storeFile(), 'utf8')) as { rules: { name: string }[] };
  expect(saved.rules.map((x) => x.name)).toContain('first');
  expect(saved.rules.map((x) => x.name)).not.toContain('second');
});

test('an oversized, a binary and an unknown-format file each exit 2 naming the file and why', async () => {
  const big = join(data.dir, 'huge.yaml');
  writeFileSync(big, `porthole: 1\n# ${'x'.repeat(1024 * 1024)}\n`);
  const bin = join(data.dir, 'id_ed25519.pub.gz');
  writeFileSync(bin, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]));
  const notes = join(data.dir, 'notes.txt');
  writeFileSync(notes, 'Things to forward:\n- the database\n- the wiki\n');
  for (const [f, why] of [
    [big, 'the file is larger than 1 MiB'],
    [bin, 'binary data (NUL bytes)'],
    [notes, 'not a format Porthole can import'],
  ] as const) {
    const r = await porthole(['import', f, '--data-dir', store()]);
    expect([f, r.code]).toEqual([f, 2]);
    expect(r.stderr).toContain(`porthole import: ${f}: ${why} — `);
    expect(r.stderr).toContain('ssh_config');
  }
  expect(existsSync(store())).toBe(false);
});

test('Match exec in an imported ssh_config never runs', async () => {
  const mark = join(data.dir, 'match-exec-ran');
  const cfg = join(data.dir, 'config');
  writeFileSync(cfg, `Host lab\n  HostName 127.0.0.1\n  User me\n  LocalForward 18080 127.0.0.1:80\nMatch exec "touch ${mark}"\n  User nobody\n`);
  const r = await porthole(['import', cfg, '--data-dir', store()]);
  expect(r.code).toBe(0);
  expect(r.stderr).toContain(`warning: ${cfg}:5: Match exec is never run by Porthole`);
  expect(r.stdout).toContain('  server  lab: me@127.0.0.1:22\n');
  expect(existsSync(mark)).toBe(false);
});

test('import while porthole ui holds the data dir exits 1 at once: no plan printed, one line saying to drag the file into the app', async ({ porthole: fixture }) => {
  const host = await fixture.start(undefined, { dataDir: store() });
  const before = readFileSync(storeFile(), 'utf8');
  const r = await porthole(['import', SSH_CONFIG, '--data-dir', store()]);
  expect(r.code).toBe(1);
  // Nothing on stdout: a plan printed in full before the failure read like a success (issue 18).
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(
    `porthole import: nothing was imported — the data dir ${store()} is in use by porthole ui (pid ${host.proc.pid}); drag ${SSH_CONFIG} into its window to import it there, or stop it and run porthole import again\n`,
  );
  expect(readFileSync(storeFile(), 'utf8')).toBe(before);
  // --dry-run only reads the file: it works while the app runs.
  expect((await porthole(['import', SSH_CONFIG, '--dry-run', '--data-dir', store()])).code).toBe(0);
});

test('--enable saves the mappings the file has on switched on, and names each one that listens off loopback', async () => {
  const f = join(data.dir, 'team.yaml');
  const rule = (name: string, h: string, port: number, enabled: boolean) =>
    `  - { type: tcp-forward, name: ${name}, enabled: ${enabled}, listen: { host: "${h}", port: ${port} }, target: { host: db, port: 5432 } }`;
  writeFileSync(f, `porthole: 1\nrules:\n${rule('Everyone', '0.0.0.0', 18201, true)}\n${rule('Local', '127.0.0.1', 18202, true)}\n${rule('Was off', '127.0.0.1', 18203, false)}\n`);
  const r = await porthole(['import', f, '--enable', '--data-dir', store()]);
  expect(r.code).toBe(0);
  expect(r.stderr).toBe('warning: switched on "Everyone", which listens on 0.0.0.0:18201 — reachable from other machines\n');
  expect(r.stdout).toContain(`saved 3 mappings, 0 servers, 0 relays to ${store()}; switched on 2 of them\n`);
  const saved = JSON.parse(readFileSync(storeFile(), 'utf8')) as { rules: Array<{ name: string; enabled: boolean }> };
  expect(saved.rules.map((x) => [x.name, x.enabled])).toEqual([
    ['Everyone', true],
    ['Local', true],
    ['Was off', false],
  ]);
});

test('a SOCKS user without a password is saved switched off, even with --enable, and the warning says why', async () => {
  const f = join(data.dir, 'socks.yaml');
  writeFileSync(f, 'porthole: 1\nrules:\n  - { type: socks, name: Proxy, enabled: true, listen: { host: 127.0.0.1, port: 18204 }, socks: { username: alice, hasPassword: true } }\n');
  const r = await porthole(['import', f, '--enable', '--data-dir', store()]);
  expect(r.code).toBe(0);
  expect(r.stderr).toContain(`warning: ${f}: mapping "Proxy": SOCKS user alice has no password here: set one in the rule before switching it on\n`);
  const saved = JSON.parse(readFileSync(storeFile(), 'utf8')) as { rules: Array<{ name: string; enabled: boolean; socks: { hasPassword: boolean } }> };
  expect(saved.rules).toMatchObject([{ name: 'Proxy', enabled: false, socks: { hasPassword: false } }]);
});

test('a file named on the command line follows its Include; warnings about the included file name it and its line, never quoting it', async () => {
  const home = join(data.dir, 'home');
  const marker = 'Qp4INCLUDEDmarker';
  mkdirSync(join(home, '.ssh', 'config.d'), { recursive: true });
  writeFileSync(join(home, '.ssh', 'config'), 'Include config.d/*\nHost lab\n  HostName 127.0.0.1\n');
  writeFileSync(join(home, '.ssh', 'config.d', 'work'), `Host work\n  HostName work.example\n  LocalForward 18205 db:5432\n  ${marker}Option yes\n  LocalForward 0.0.0.0:18206 ${marker}:1\n`);
  const r = await porthole(['import', join(home, '.ssh', 'config'), '--dry-run', '--json'], home);
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout) as { servers: Array<{ name: string }>; warnings: string[] };
  expect(out.servers.map((x) => x.name)).toEqual(['work', 'lab']);
  expect(out.warnings).toEqual(['~/.ssh/config.d/work:4: unknown option, skipped', '~/.ssh/config.d/work:5: LocalForward listens on all interfaces, reachable from other machines']);
  expect(JSON.stringify(out.warnings) + r.stderr).not.toContain(marker);
});

/** The SOCKS5 server's answer to a greeting offering only `method` (RFC 1928), or the connect error code. */
function socksGreeting(port: number, method: number): Promise<number[] | string> {
  return new Promise((res) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => s.write(Buffer.from([5, 1, method])));
    s.once('data', (d: Buffer) => {
      s.destroy();
      res([...d.subarray(0, 2)]);
    });
    s.once('error', (err: NodeJS.ErrnoException) => res(err.code ?? err.message));
  });
}

test('run --profile runs the file without saving it: its secrets stay in memory, and a SOCKS user without a password is not started', async () => {
  const [withPw, noPw] = [await freePort(), await freePort()];
  const f = join(data.dir, 'socks.yaml');
  const rule = (name: string, port: number, extra: string) => `  - { type: socks, name: ${name}, listen: { host: 127.0.0.1, port: ${port} }, socks: { username: alice, hasPassword: true }${extra} }`;
  writeFileSync(f, `porthole: 1\nrules:\n${rule('With', withPw, ', socksPassword: run-Profile-Pw-77')}\n${rule('Without', noPw, '')}\n`);
  const proc = spawn(process.execPath, [CLI, 'run', '--profile', f, '--data-dir', store()], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORTHOLE_DATA_DIR: '' } });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  try {
    await expect.poll(() => out, { timeout: 15_000 }).toMatch(/2 mappings, 1 running/);
    expect(out).toContain(`warning: ${f}: mapping "Without": SOCKS user alice has no password here: set one in the rule before switching it on`);
    // The one with its password asks for it (no "no authentication" for a client that offers only that).
    expect(await socksGreeting(withPw, 0)).toEqual([5, 0xff]);
    expect(await socksGreeting(withPw, 2)).toEqual([5, 2]);
    expect(await socksGreeting(noPw, 0)).toBe('ECONNREFUSED');
  } finally {
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  }
  expect(existsSync(join(store(), 'secrets.json'))).toBe(false);
  expect(existsSync(storeFile())).toBe(false);
});
