import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, get, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { expect, test } from './support/fixtures';
import { freePort, roundTrip } from './support/host';

// The port-proxy system (shared/seeds/002) as its users run it: the relay ("Proxy Server") with the
// seed's server YAML and the agent ("Remote Server") with the seed's client YAML — both exactly as the
// README prints them, mis-indentation included — plus one `token:` line on each side. The seed's own
// ports are used (relay 9015; public 6688/6689; agent-side targets 17210/17211), so the test runs
// them one at a time.

test.describe.configure({ mode: 'serial' });

const SEEDS = resolve('src-main/profiles/fixtures/port-proxy');
/** The fixture's temp dir (removed after each test): configs and the relay's and agent's data dirs. */
let data: { dir: string };
const procs: ChildProcess[] = [];
const servers: Array<Server | HttpServer> = [];

test.beforeEach(({ porthole: fixture }) => {
  data = { dir: fixture.dataDir };
});

test.afterEach(async () => {
  for (const p of procs.splice(0)) {
    if (p.exitCode === null && p.signalCode === null) {
      p.kill('SIGKILL');
      await new Promise((r) => p.once('exit', r));
    }
  }
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

function porthole(args: string[]): { proc: ChildProcess; out: () => string; exit: Promise<number | null> } {
  const proc = spawn(process.execPath, [resolve('out/main/cli.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(proc);
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exit = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, out: () => out, exit };
}

function withToken(fixture: string, token: string): string {
  const file = join(data.dir, fixture.replace('.yaml', '-token.yaml'));
  writeFileSync(file, `${readFileSync(join(SEEDS, fixture), 'utf8')}token: ${token}\n`);
  return file;
}

async function listen<T extends Server | HttpServer>(server: T, port: number): Promise<T> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return server;
}

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (r) => {
      let body = '';
      r.on('data', (d) => (body += d));
      r.on('end', () => res({ status: r.statusCode ?? 0, body }));
    }).on('error', rej);
  });
}

test("the seed's server and client YAML run as-is with a token: tcp forwards bytes, http also logs each request", async () => {
  const serverCfg = withToken('seed-server-as-printed.yaml', 'seed-s3cret-0123456789');
  const clientCfg = withToken('seed-client-as-printed.yaml', 'seed-s3cret-0123456789');
  // The agent-side services of the seed: an echo on 17210 and a web server on 17211.
  await listen(createServer((s) => s.pipe(s)), 17210);
  await listen(createHttpServer((req, res) => res.writeHead(req.url === '/missing' ? 404 : 200).end(`seed ${req.url}`)), 17211);
  const relay = porthole(['relay', '--config', serverCfg, '--data-dir', join(data.dir, 'relay')]);
  await expect.poll(relay.out, { timeout: 15_000 }).toMatch(/Certificate SHA-256 fingerprint: ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})/);
  const fingerprint = /fingerprint: ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})/.exec(relay.out())![1]!;
  const agent = porthole(['agent', '--config', clientCfg, '--data-dir', join(data.dir, 'agent')]);
  await expect.poll(agent.out, { timeout: 15_000 }).toMatch(/connected to relay 127\.0\.0\.1:9015 as agent "remote_client1"/);
  // The agent pinned the certificate the relay printed.
  expect(agent.out()).toContain(`pinned its certificate ${fingerprint}`);
  expect(readFileSync(join(data.dir, 'agent', 'known_relays'), 'utf8')).toContain(`127.0.0.1:9015 ${fingerprint}`);
  expect(relay.out()).toMatch(/agent "remote_client1" online from 127\.0\.0\.1:\d+/);

  expect((await roundTrip(6689, Buffer.from('HelloWorld'))).toString()).toBe('HelloWorld');
  expect(await httpGet(6688, '/index.html')).toEqual({ status: 200, body: 'seed /index.html' });
  expect((await httpGet(6688, '/missing')).status).toBe(404);
  await expect.poll(relay.out).toMatch(/remote_client1 127\.0\.0\.1:6688 127\.0\.0\.1:\d+ GET \/index\.html → 200 \(\d+(\.\d)? ms\)/);
  // The relay logs from its worker thread: a line reaches stdout a message later than the response.
  await expect.poll(relay.out).toMatch(/GET \/missing → 404/);
  // A secret in a request's query string is masked before either side prints the line.
  expect((await httpGet(6688, '/index.html?access_token=hunter2secret')).status).toBe(200);
  await expect.poll(relay.out).toMatch(/GET \/index\.html\?access_token=\*\*\*\* → 200/);
  expect(relay.out()).not.toContain('hunter2secret');
  expect(agent.out()).not.toContain('hunter2secret');
  // remote_client2 never connected: its ports are not open.
  await expect(roundTrip(6679, Buffer.from('x'))).rejects.toThrow(/ECONNREFUSED/);

  agent.proc.kill('SIGTERM');
  expect(await agent.exit).toBe(0);
  await expect.poll(relay.out).toMatch(/agent "remote_client1" offline/);
  await expect(roundTrip(6689, Buffer.from('x'))).rejects.toThrow(/ECONNREFUSED/);
  relay.proc.kill('SIGTERM');
  expect(await relay.exit).toBe(0);
});

test('a relay config without tokens refuses to start unless --insecure-no-auth, and then says so loudly', async () => {
  const cfg = join(data.dir, 'open.yaml');
  const port = await freePort();
  writeFileSync(cfg, `bind: 127.0.0.1:${port}\nproxy:\n  - remote_name: lab\n    port_list: []\n`);
  const refused = porthole(['relay', '--config', cfg, '--data-dir', join(data.dir, 'r1')]);
  expect(await refused.exit).toBe(2);
  expect(refused.out()).toMatch(/agent "lab" has no token.*--insecure-no-auth/s);
  const insecure = porthole(['relay', '--config', cfg, '--insecure-no-auth', '--data-dir', join(data.dir, 'r2')]);
  await expect.poll(insecure.out, { timeout: 15_000 }).toMatch(/listening on 127\.0\.0\.1:\d+/);
  expect(insecure.out()).toMatch(/WARNING: --insecure-no-auth: agents lab are accepted WITHOUT a token/);
  insecure.proc.kill('SIGTERM');
  expect(await insecure.exit).toBe(0);
});

test('a token under 16 characters stops the relay (exit 2) saying how to make one; `porthole relay --gen-token` makes one it accepts', async () => {
  const cfg = join(data.dir, 'weak.yaml');
  const port = await freePort();
  writeFileSync(cfg, `bind: 127.0.0.1:${port}\ntoken: hunter2\nproxy:\n  - remote_name: lab\n    port_list: []\n`);
  const refused = porthole(['relay', '--config', cfg, '--data-dir', join(data.dir, 'w1')]);
  expect(await refused.exit).toBe(2);
  expect(refused.out()).toContain(`${cfg}: agent "lab" has a token shorter than 16 characters, which can be guessed — make one with \`porthole relay --gen-token\``);
  const gen = porthole(['relay', '--gen-token']);
  expect(await gen.exit).toBe(0);
  const token = gen.out().trim();
  expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
  writeFileSync(cfg, `bind: 127.0.0.1:${port}\ntoken: ${token}\nlimits:\n  handshake_timeout: 5s\nproxy:\n  - remote_name: lab\n    port_list: []\n`);
  const relay = porthole(['relay', '--config', cfg, '--data-dir', join(data.dir, 'w2')]);
  await expect.poll(relay.out, { timeout: 15_000 }).toMatch(/listening on 127\.0\.0\.1:\d+/);
  await expect.poll(relay.out).toMatch(/Limits: handshake within 5 s; 64 handshakes at once, 8 per address; 10 failed in 10 min refuse an address for 5 min/);
  relay.proc.kill('SIGTERM');
  expect(await relay.exit).toBe(0);
});

test('an agent with the wrong token exits 1 with a clear message, and the relay opened no port for it', async () => {
  const relayPort = await freePort();
  const publicPort = await freePort();
  const targetPort = await freePort();
  const serverCfg = join(data.dir, 'server.yaml');
  writeFileSync(serverCfg, `bind: 127.0.0.1:${relayPort}\nproxy:\n  - remote_name: lab\n    token: right-token-0123456789\n    port_list:\n      - type: tcp\n        bind: 127.0.0.1:${publicPort}\n        remote: ${targetPort}\n`);
  const clientCfg = join(data.dir, 'client.yaml');
  writeFileSync(clientCfg, `name: lab\nserver: 127.0.0.1:${relayPort}\ntoken: wrong-token-0123456789\n`);
  const relay = porthole(['relay', '--config', serverCfg, '--data-dir', join(data.dir, 'relay')]);
  await expect.poll(relay.out, { timeout: 15_000 }).toMatch(/listening on/);
  const agent = porthole(['agent', '--config', clientCfg, '--data-dir', join(data.dir, 'agent')]);
  expect(await agent.exit).toBe(1);
  expect(agent.out()).toMatch(/porthole agent: .*refused agent "lab": unknown agent name or wrong token.*\[AUTH_FAILED\]/);
  expect(agent.out()).not.toContain('right-token');
  await expect(roundTrip(publicPort, Buffer.from('x'))).rejects.toThrow(/ECONNREFUSED/);
  expect(relay.out()).toMatch(/handshake from 127\.0\.0\.1:\d+ failed/);
  relay.proc.kill('SIGTERM');
  expect(await relay.exit).toBe(0);
});
