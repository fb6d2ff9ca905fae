import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer as createHttpServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { expect, test } from './support/fixtures';
import { freePort } from './support/host';

// `porthole inspect` as people run it: the real CLI following a running `porthole run` (a profile with
// an inspected tcp-forward mapping) and a running `porthole agent` (ports a relay's config assigns with
// `type: http`), each on its own data dir, in separate processes.

let dir: string;
const procs: ChildProcess[] = [];
let target: Server;
let targetPort: number;

test.beforeEach(async ({ porthole }) => {
  dir = porthole.dataDir;
  target = createHttpServer((req, res) => res.writeHead(req.url?.startsWith('/missing') ? 404 : 200).end(`hello ${req.url}`));
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
  targetPort = (target.address() as AddressInfo).port;
});

test.afterEach(async () => {
  for (const p of procs.splice(0).reverse()) {
    if (p.exitCode === null && p.signalCode === null) {
      p.kill('SIGTERM');
      await new Promise((r) => p.once('exit', r));
    }
  }
  target.closeAllConnections();
  await new Promise((r) => target.close(r));
});

function porthole(args: string[]): { proc: ChildProcess; out: () => string; err: () => string; exit: Promise<number | null> } {
  const proc = spawn(process.execPath, [resolve('out/main/cli.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORTHOLE_DATA_DIR: '' } });
  procs.push(proc);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, out: () => out, err: () => err, exit };
}

function httpGet(port: number, path: string): Promise<number> {
  return new Promise((res, rej) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (r) => {
      r.resume();
      r.on('end', () => res(r.statusCode ?? 0));
    }).on('error', rej);
  });
}

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

test('porthole inspect --json follows a porthole run on the same data dir; nothing running: exit 1', async () => {
  const none = porthole(['inspect', '--data-dir', join(dir, 'run')]);
  expect(await none.exit).toBe(1);
  expect(none.err()).toMatch(/no running Porthole .* uses the data dir/);

  const listen = await freePort();
  const profile = join(dir, 'web.yaml');
  writeFileSync(
    profile,
    ['porthole: 1', 'rules:', '  - type: tcp-forward', '    name: web', '    enabled: true', `    listen: { host: 127.0.0.1, port: ${listen} }`, `    target: { host: 127.0.0.1, port: ${targetPort} }`, '    inspect: { enabled: true }', ''].join('\n'),
  );
  const run = porthole(['run', '--profile', profile, '--data-dir', join(dir, 'run')]);
  await expect.poll(run.out, { timeout: 15_000 }).toMatch(/1 running/);
  const inspect = porthole(['inspect', 'web', '--json', '--data-dir', join(dir, 'run')]);
  await expect.poll(inspect.err, { timeout: 10_000 }).toMatch(/Following HTTP exchanges of porthole run \(pid \d+\): web/);
  expect(await httpGet(listen, '/a?token=abc')).toBe(200);
  expect(await httpGet(listen, '/missing')).toBe(404);
  await expect.poll(() => jsonLines(inspect.out()).length).toBe(2);
  const [a, b] = jsonLines(inspect.out());
  expect(a).toMatchObject({ rule: 'web', method: 'GET', url: '/a?token=abc', status: 200 });
  expect(b).toMatchObject({ rule: 'web', method: 'GET', url: '/missing', status: 404 });
  expect(typeof a!.durationMs).toBe('number');
  // The host stopping ends the command.
  run.proc.kill('SIGTERM');
  expect(await run.exit).toBe(0);
  expect(await inspect.exit).toBe(0);
  expect(inspect.err()).toMatch(/porthole run \(pid \d+\) stopped/);
});

test('porthole inspect follows a porthole agent: a relay-assigned type: http port is inspected, its tcp neighbour is not', async () => {
  const relayPort = await freePort();
  const httpPub = await freePort();
  const tcpPub = await freePort();
  const token = 'inspect-e2e-token-0123456789';
  const serverCfg = join(dir, 'server.yaml');
  writeFileSync(
    serverCfg,
    [`bind: 127.0.0.1:${relayPort}`, `token: ${token}`, 'proxy:', '  - remote_name: laptop', '    port_list:', '      - type: http', `        bind: 127.0.0.1:${httpPub}`, `        remote: ${targetPort}`, '      - type: tcp', `        bind: 127.0.0.1:${tcpPub}`, `        remote: ${targetPort}`, ''].join('\n'),
  );
  const clientCfg = join(dir, 'client.yaml');
  writeFileSync(clientCfg, ['name: laptop', `server: 127.0.0.1:${relayPort}`, `token: ${token}`, ''].join('\n'));
  const relay = porthole(['relay', '--config', serverCfg, '--data-dir', join(dir, 'relay')]);
  await expect.poll(relay.out, { timeout: 15_000 }).toMatch(/fingerprint/);
  const agent = porthole(['agent', '--config', clientCfg, '--data-dir', join(dir, 'agent')]);
  await expect.poll(agent.out, { timeout: 15_000 }).toMatch(/connected to relay/);
  const inspect = porthole(['inspect', '--data-dir', join(dir, 'agent')]);
  await expect.poll(inspect.err, { timeout: 10_000 }).toMatch(/Following HTTP exchanges of porthole agent \(pid \d+\): http 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+/);
  expect(await httpGet(httpPub, '/through-the-relay')).toBe(200);
  expect(await httpGet(tcpPub, '/not-inspected')).toBe(200);
  await expect.poll(inspect.out).toMatch(/^\d\d:\d\d:\d\d\.\d{3} http 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+ GET \/through-the-relay → 200 0 B ↑ \d+ B ↓ [\d.]+ ms$/m);
  expect(inspect.out()).not.toContain('/not-inspected');
});
