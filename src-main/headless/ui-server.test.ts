import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { WsServerMessage } from '../../src-shared/api/ws-protocol';
import { type Core, createCore } from '../service/core';
import { confFactory } from '../store/conf-factories';
import { tempDir, waitFor } from '../../test-support/tmp';
import { type UiServer, startUiServer } from './ui-server';

describe('browser-mode server', () => {
  let t: ReturnType<typeof tempDir>;
  let core: Core;
  let ui: UiServer;
  const sockets: WebSocket[] = [];
  beforeEach(async () => {
    t = tempDir();
    const renderer = join(t.dir, 'renderer');
    mkdirSync(join(renderer, 'assets'), { recursive: true });
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Porthole</title>');
    writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(t.dir, 'secret.txt'), 'do not serve');
    core = await createCore({ dataDir: join(t.dir, 'data'), mode: 'browser', confFactory, storeBackend: 'conf', version: 't', statsIntervalMs: 100 });
    ui = await startUiServer({ api: core.api, host: '127.0.0.1', port: 0, rendererDir: renderer });
  });
  afterEach(async () => {
    for (const s of sockets) s.terminate();
    await ui.close();
    await core.shutdown();
    t.cleanup();
  });

  const origin = () => `http://127.0.0.1:${ui.port}`;
  function open(token: string, headers: Record<string, string> = { Origin: origin() }) {
    const ws = new WebSocket(`ws://127.0.0.1:${ui.port}/api?token=${token}`, { headers });
    sockets.push(ws);
    const received: WsServerMessage[] = [];
    ws.on('message', (d) => received.push(JSON.parse(d.toString())));
    const outcome = new Promise<{ opened: boolean; status?: number }>((resolve) => {
      ws.on('open', () => resolve({ opened: true }));
      ws.on('unexpected-response', (_req, res) => resolve({ opened: false, status: res.statusCode }));
      ws.on('error', () => resolve({ opened: false }));
    });
    return { ws, received, outcome };
  }
  function call(ws: WebSocket, id: number, m: string, a?: unknown): Promise<WsServerMessage> {
    return new Promise((resolve) => {
      const on = (d: Buffer) => {
        const msg = JSON.parse(d.toString()) as WsServerMessage;
        if (msg.t === 'result' && msg.id === id) {
          ws.off('message', on);
          resolve(msg);
        }
      };
      ws.on('message', on);
      ws.send(JSON.stringify({ t: 'call', id, m, a }));
    });
  }

  it('prints a loopback URL carrying the token in its fragment', () => {
    expect(ui.url).toBe(`http://127.0.0.1:${ui.port}/#token=${ui.token}`);
    expect(ui.token).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers calls and pushes events to a client with the right token and origin', async () => {
    const c = open(ui.token);
    expect(await c.outcome).toEqual({ opened: true });
    const r = await call(c.ws, 1, 'app.info');
    expect(r).toMatchObject({ t: 'result', id: 1, r: { ok: true, value: { mode: 'browser', version: 't' } } });
    const created = await call(c.ws, 2, 'rules.create', {
      type: 'tcp-forward', name: 'n', enabled: false,
      listen: { host: '127.0.0.1', port: 40001 }, target: { host: '127.0.0.1', port: 40002 },
    });
    expect(created).toMatchObject({ r: { ok: true } });
    expect(c.received.some((m) => m.t === 'event' && m.e === 'rules-changed')).toBe(true);
  });

  it('refuses a wrong token before the upgrade, so no data is ever sent', async () => {
    const c = open('0'.repeat(64));
    expect(await c.outcome).toEqual({ opened: false, status: 403 });
    expect(c.received).toEqual([]);
  });

  it('refuses a missing token and a foreign origin', async () => {
    expect(await open('').outcome).toMatchObject({ opened: false, status: 403 });
    expect(await open(ui.token, { Origin: 'http://evil.example' }).outcome).toMatchObject({ opened: false, status: 403 });
    expect(await open(ui.token, {}).outcome).toMatchObject({ opened: false, status: 403 });
  });

  it('closes only the socket that sends a malformed message', async () => {
    const good = open(ui.token);
    const bad = open(ui.token);
    await Promise.all([good.outcome, bad.outcome]);
    const closed = new Promise<number>((r) => bad.ws.on('close', (code) => r(code)));
    bad.ws.send('{not json');
    expect(await closed).toBe(1008);
    expect(await call(good.ws, 7, 'rules.list')).toMatchObject({ r: { ok: true, value: [] } });
  });

  it('answers an invalid method input with a structured error, not a crash', async () => {
    const c = open(ui.token);
    await c.outcome;
    expect(await call(c.ws, 3, 'rules.setEnabled', { id: 1 })).toMatchObject({ r: { ok: false, error: { code: 'INVALID_INPUT' } } });
  });

  it('pushes the connections event only to sockets that watch, and forgets a watcher whose socket closed', async () => {
    const watcher = open(ui.token);
    const other = open(ui.token);
    await Promise.all([watcher.outcome, other.outcome]);
    expect(await call(watcher.ws, 1, 'connections.watch', { watch: true })).toMatchObject({ r: { ok: true, value: { watching: true } } });
    // Watching twice from one socket still counts once.
    await call(watcher.ws, 2, 'connections.watch', { watch: true });
    expect(core.service.watchers).toBe(1);
    await waitFor(() => watcher.received.some((m) => m.t === 'event' && m.e === 'connections'), 'a connections event');
    const ticksSeen = other.received.filter((m) => m.t === 'event' && m.e === 'stats').length;
    expect(ticksSeen).toBeGreaterThan(0);
    expect(other.received.some((m) => m.t === 'event' && m.e === 'connections')).toBe(false);
    const closed = new Promise((r) => watcher.ws.on('close', r));
    watcher.ws.close();
    await closed;
    await waitFor(() => core.service.watchers === 0, 'the closed socket to stop counting');
  });

  it('serves the renderer with a CSP header and nothing outside its folder', async () => {
    const index = await fetch(`${origin()}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect((await fetch(`${origin()}/assets/app.js`)).status).toBe(200);
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/../../secret.txt']) {
      const r = await fetch(`${origin()}${p}`);
      expect(await r.text()).not.toContain('do not serve');
    }
  });
});
