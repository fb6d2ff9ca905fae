import { spawn } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RuleEntry } from '../../src-shared/api/contract';
import { NetFixtures, waitFor } from '../../test-support/net-fixtures';
import { tempDir } from '../../test-support/tmp';
import { type ControlServer, controlDir, listControlPaths, startCoreControl } from '../api/control-socket';
import { type Core, createCore } from '../service/core';
import { confFactory } from '../store/conf-factories';
import { cmdInspect } from './cmd-inspect';

// `porthole inspect` against a host on the same data dir, through its control socket.

let t: ReturnType<typeof tempDir>;
let core: Core;
let control: ControlServer | undefined;
let fx: NetFixtures;
let target: http.Server;

beforeEach(async () => {
  t = tempDir();
  fx = new NetFixtures();
  target = http.createServer((req, res) => res.end(`hi ${req.url}`));
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
  core = await createCore({ dataDir: t.dir, mode: 'browser', confFactory, storeBackend: 'conf', version: 't', extraKnownHosts: [] });
});
afterEach(async () => {
  await control?.close();
  control = undefined;
  await core.shutdown();
  target.closeAllConnections();
  await new Promise<void>((r) => target.close(() => r()));
  await fx.cleanup();
  t.cleanup();
});

async function rule(name: string, inspect: boolean): Promise<{ id: string; port: number }> {
  const port = await fx.freePort();
  const r = await core.api.handle('rules.create', {
    type: 'tcp-forward',
    name,
    enabled: true,
    listen: { host: '127.0.0.1', port },
    target: { host: '127.0.0.1', port: (target.address() as AddressInfo).port },
    ...(inspect ? { inspect: { enabled: true } } : {}),
  });
  if (!r.ok) throw new Error(r.error.message);
  return { id: (r.value as RuleEntry).rule.id, port };
}

function curl(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('curl', ['-sS', '--max-time', '10', '-o', '/dev/null', url]);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`curl exit ${code}`))));
  });
}

/** Runs the command in-process until stop() is called; collects its output lines. */
function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  let stop: () => void = () => undefined;
  const until = new Promise<void>((r) => (stop = r));
  const code = cmdInspect([...argv, '--data-dir', t.dir], { out: (l) => out.push(l), err: (l) => err.push(l), until });
  return { out, err, code, stop };
}

describe('porthole inspect', () => {
  it('prints one line per exchange as it happens, or one JSON object per line, for all mappings or the one named', async () => {
    const web = await rule('web', true);
    const api = await rule('api', true);
    control = await startCoreControl(t.dir, 'ui', 'porthole ui', core, (m) => {
      throw new Error(m);
    });
    const all = run([]);
    const json = run(['api', '--json']);
    await waitFor(() => all.err.length > 0 && json.err.length > 0, 'both to attach');
    expect(all.err[0]).toMatch(/^Following HTTP exchanges of porthole ui \(pid \d+\): web, api — Ctrl-C to stop$/);
    await curl(`http://127.0.0.1:${web.port}/from-web?token=abcdef0123456789`);
    await curl(`http://127.0.0.1:${api.port}/from-api`);
    await waitFor(() => all.out.length === 2 && json.out.length === 1, 'the exchanges to be printed');
    expect(all.out[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} web GET \/from-web\?token=\*\*\*\* → 200 0 B ↑ 35 B ↓ [\d.]+ ms$/);
    expect(all.out[1]).toMatch(/ api GET \/from-api → 200 /);
    const obj = JSON.parse(json.out[0]!) as Record<string, unknown>;
    expect(obj).toMatchObject({ rule: 'api', ruleId: api.id, method: 'GET', url: '/from-api', status: 200 });
    expect(typeof obj.durationMs).toBe('number');
    all.stop();
    json.stop();
    expect([await all.code, await json.code]).toEqual([0, 0]);
  });

  it('says what is wrong: no running host (1), an unknown mapping or one without Inspect HTTP (2)', async () => {
    const none = run([]);
    expect(await none.code).toBe(1);
    expect(none.err[0]).toMatch(/no running Porthole .* uses the data dir .* — start one, or pass the --data-dir it uses/);
    await rule('web', true);
    await rule('plain', false);
    control = await startCoreControl(t.dir, 'run', 'porthole run', core, () => undefined);
    const unknown = run(['nope']);
    expect(await unknown.code).toBe(2);
    expect(unknown.err[0]).toBe('porthole inspect: no mapping named "nope" in porthole run (mappings with it on: web)');
    const plain = run(['plain']);
    expect(await plain.code).toBe(2);
    expect(plain.err[0]).toMatch(/mapping "plain" does not have Inspect HTTP on — switch it on in its settings/);
  });

  it('opens a socket only its owner can reach, ends when the host stops, and sweeps a crashed host\'s socket', async () => {
    await rule('web', true);
    // A socket file left by a host that is gone (a pid that cannot exist).
    const dir = controlDir(t.dir);
    control = await startCoreControl(t.dir, 'ui', 'porthole ui', core, () => undefined);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(control!.path).mode & 0o777).toBe(0o600);
    await control!.close();
    writeFileSync(join(dir, 'run-999999999.sock'), '');
    control = await startCoreControl(t.dir, 'ui', 'porthole ui', core, () => undefined);
    expect(listControlPaths(t.dir)).toEqual([control!.path]);
    const follow = run([]);
    await waitFor(() => follow.err.length > 0, 'to attach');
    await control!.close();
    control = undefined;
    expect(await follow.code).toBe(0);
    expect(follow.err.at(-1)).toMatch(/porthole ui \(pid \d+\) stopped$/);
  });

  it('answers nothing but an inspect request', async () => {
    control = await startCoreControl(t.dir, 'ui', 'porthole ui', core, () => undefined);
    const s = net.connect(control!.path);
    s.write('{"op":"rules.remove","id":"x"}\n');
    let got = '';
    s.on('data', (d) => (got += d));
    await new Promise((r) => s.once('close', r));
    expect(JSON.parse(got)).toEqual({ t: 'error', message: 'unknown request (this socket only answers {"op":"inspect"})' });
  });
});
