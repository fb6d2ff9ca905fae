import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { freePort, roundTrip, startEcho, tempDataDir } from './support/host';

// Issue 15: a way off frp — `porthole import frpc.toml --relay-config relay.yaml` writes the relay
// config that replaces frps; the relay run from it and the imported mappings run by `porthole run`
// carry traffic. And `porthole run --profile` that can start nothing exits 1, naming each error once.

let data: ReturnType<typeof tempDataDir>;
const procs: ChildProcess[] = [];
const closers: Array<() => Promise<void>> = [];

test.beforeEach(() => {
  data = tempDataDir();
});

test.afterEach(async () => {
  for (const p of procs.splice(0)) {
    if (p.exitCode === null && p.signalCode === null) {
      p.kill('SIGKILL');
      await new Promise((r) => p.once('exit', r));
    }
  }
  for (const c of closers.splice(0)) await c();
  data.cleanup();
});

function porthole(args: string[]): { proc: ChildProcess; out: () => string; stderr: () => string; exit: Promise<number | null> } {
  const proc = spawn(process.execPath, [resolve('out/main/cli.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORTHOLE_DATA_DIR: '' } });
  procs.push(proc);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => ((out += d), (err += d)));
  const exit = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, out: () => out, stderr: () => err, exit };
}

test('frpc.toml → relay config → porthole relay + porthole run: bytes flow through the public port', async () => {
  const echo = await startEcho();
  closers.push(() => echo.close());
  const relayPort = await freePort();
  const publicPort = await freePort();
  const frpc = join(data.dir, 'frpc.toml');
  // frp's usual layout, with the short kind of token frp accepts and Porthole's relay does not.
  writeFileSync(frpc, `serverAddr = "127.0.0.1"\nserverPort = ${relayPort}\nauth.token = "12345678"\n\n[[proxies]]\nname = "echo"\ntype = "tcp"\nlocalIP = "127.0.0.1"\nlocalPort = ${echo.port}\nremotePort = ${publicPort}\n`);
  const relayYaml = join(data.dir, 'relay.yaml');
  const agentDir = join(data.dir, 'agent');

  const imp = porthole(['import', frpc, '--relay-config', relayYaml, '--enable', '--data-dir', agentDir]);
  expect(await imp.exit).toBe(0);
  expect(imp.stderr()).toContain("note: its token has 8 characters and Porthole's relay needs at least 16: the relay config has a new one");
  expect(imp.stderr()).toContain(`wrote ${relayYaml}: run \`porthole relay --config ${relayYaml}\` on the server; the imported relay uses its new token`);
  expect(imp.stderr()).toContain('where frps runs now; Porthole\'s agent talks only to a Porthole relay, so that machine must run `porthole relay` instead');
  expect(statSync(relayYaml).mode & 0o777).toBe(0o600);
  const yaml = readFileSync(relayYaml, 'utf8');
  expect(yaml).toContain(`bind: 127.0.0.1:${relayPort}`);
  expect(yaml).toContain(`- ${publicPort}`);
  expect(yaml).not.toContain('12345678');

  // A second run never overwrites the config.
  const again = porthole(['import', frpc, '--relay-config', relayYaml, '--dry-run']);
  expect(await again.exit).toBe(2);
  expect(again.stderr()).toContain(`--relay-config ${relayYaml}: the file exists`);

  const relay = porthole(['relay', '--config', relayYaml, '--data-dir', join(data.dir, 'relay')]);
  await expect.poll(relay.out, { timeout: 15_000 }).toMatch(/Porthole relay listening on 127\.0\.0\.1:\d+ \(TLS\)/);
  const run = porthole(['run', '--data-dir', agentDir]);
  await expect.poll(() => `${relay.out()}\n--- porthole run:\n${run.out()}`, { timeout: 20_000 }).toMatch(new RegExp(`exposed tcp 127\\.0\\.0\\.1:${publicPort}`));
  const payload = Buffer.from('through the relay that replaced frps\n'.repeat(1000));
  expect((await roundTrip(publicPort, payload)).equals(payload)).toBe(true);
  run.proc.kill('SIGTERM');
  expect(await run.exit).toBe(0);
});

test('porthole run --profile exits 1 when none of its mappings can start, and prints each error once', async () => {
  const busy = await startEcho();
  closers.push(() => busy.close());
  const cfg = join(data.dir, 'config');
  writeFileSync(cfg, `Host a\n  HostName 127.0.0.1\n  Port 1\n  LocalForward ${busy.port} localhost:80\nHost b\n  HostName 127.0.0.1\n  Port 1\n  IdentityAgent none\n  RemoteForward 9999 localhost:80\n`);
  const run = porthole(['run', '--profile', cfg, '--data-dir', join(data.dir, 'd')]);
  expect(await run.exit).toBe(1);
  const err = run.stderr();
  expect(err).toContain(`porthole run: none of the 2 mappings of ${cfg} could start — see the errors above`);
  const inUse = err.split('\n').filter((l) => l.includes(`TCP port ${busy.port} on 127.0.0.1 is already in use`));
  expect(inUse).toHaveLength(1);
  expect(err.split('\n').filter((l) => / ERROR .*\[b: R 9999/.test(l))).toHaveLength(1);
  expect(existsSync(join(data.dir, 'd', 'porthole.json'))).toBe(false);
});
