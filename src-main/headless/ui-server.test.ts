import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WS_CLOSE_AUTH_TIMEOUT, WS_CLOSE_BAD_TOKEN } from '../../src-shared/api/ws-protocol';
import { type Core, createCore } from '../service/core';
import { confFactory } from '../store/conf-factories';
import { tempDir, waitFor } from '../../test-support/tmp';
import { type UiSocket, type UiTarget, openUiSocket, signIn, uiCall as call, uiGet } from '../../test-support/ui-client';
import { type UiServer, startUiServer } from './ui-server';

describe('browser-mode server', () => {
  let t: ReturnType<typeof tempDir>;
  let core: Core;
  let ui: UiServer;
  const sockets: UiSocket[] = [];
  beforeEach(async () => {
    t = tempDir();
    const renderer = join(t.dir, 'renderer');
    mkdirSync(join(renderer, 'assets'), { recursive: true });
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Porthole</title>');
    writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(t.dir, 'secret.txt'), 'do not serve');
    core = await createCore({ dataDir: join(t.dir, 'data'), mode: 'browser', confFactory, storeBackend: 'conf', version: 't', statsIntervalMs: 100 });
    ui = await startUiServer({
      api: core.api, host: '127.0.0.1', port: 0, rendererDir: renderer, dataDir: join(t.dir, 'data'),
      authTimeoutMs: 400, maxUnauthenticated: 3, maxUnauthenticatedPerAddress: 2,
    });
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.ws.terminate();
    await ui.close();
    await core.shutdown();
    t.cleanup();
  });

  const origin = () => `http://127.0.0.1:${ui.port}`;
  const target = (): UiTarget => ({ port: ui.port, scheme: 'http' });
  function open(headers: Record<string, string> = { Origin: origin() }, path = '/api', from?: string): UiSocket {
    const s = openUiSocket(target(), headers, path, from);
    sockets.push(s);
    return s;
  }
  async function signedIn(): Promise<UiSocket> {
    const s = open();
    expect(await s.outcome).toEqual({ opened: true });
    expect(await signIn(s, ui.token)).toBe('ready');
    return s;
  }

  it('prints a loopback URL carrying the token in its fragment, over plain HTTP', () => {
    expect(ui.url).toBe(`http://127.0.0.1:${ui.port}/#token=${ui.token}`);
    expect(ui.token).toMatch(/^[0-9a-f]{64}$/);
    expect(ui.scheme).toBe('http');
    expect(ui.fingerprint).toBeUndefined();
    expect(ui.notices.filter((n) => n.level === 'warn')).toEqual([]);
    expect(ui.origins()).toEqual(expect.arrayContaining([`http://127.0.0.1:${ui.port}`, `http://localhost:${ui.port}`, `http://[::1]:${ui.port}`]));
  });

  it('answers calls and pushes events to a client that sent the right token first', async () => {
    const c = await signedIn();
    const r = await call(c.ws, 1, 'app.info');
    expect(r).toMatchObject({ t: 'result', id: 1, r: { ok: true, value: { mode: 'browser', version: 't' } } });
    const created = await call(c.ws, 2, 'rules.create', {
      type: 'tcp-forward', name: 'n', enabled: false,
      listen: { host: '127.0.0.1', port: 40001 }, target: { host: '127.0.0.1', port: 40002 },
    });
    expect(created).toMatchObject({ r: { ok: true } });
    expect(c.received.some((m) => m.t === 'event' && m.e === 'rules-changed')).toBe(true);
  });

  it('closes a socket that sends a wrong token, which never receives a byte of data', async () => {
    const c = open();
    await c.outcome;
    expect(await signIn(c, '0'.repeat(64))).toBe(WS_CLOSE_BAD_TOKEN);
    expect(c.received).toEqual([]);
  });

  it('closes a socket that sends no token within the deadline, sending it no events meanwhile', async () => {
    const c = open();
    expect(await c.outcome).toEqual({ opened: true });
    // Stats tick every 100 ms: an unauthenticated socket would have had several by the deadline.
    expect(await c.closed).toMatchObject({ code: WS_CLOSE_AUTH_TIMEOUT });
    expect(c.received).toEqual([]);
  });

  it('runs nothing sent before the token: a call as first message closes the socket unanswered', async () => {
    const c = open();
    await c.outcome;
    c.ws.send(JSON.stringify({ t: 'call', id: 1, m: 'rules.create', a: {
      type: 'tcp-forward', name: 'sneaky', enabled: false, listen: { host: '127.0.0.1', port: 40003 }, target: { host: '127.0.0.1', port: 40004 },
    } }));
    expect(await c.closed).toMatchObject({ code: WS_CLOSE_BAD_TOKEN });
    expect(c.received).toEqual([]);
    const good = await signedIn();
    expect(await call(good.ws, 2, 'rules.list')).toMatchObject({ r: { ok: true, value: [] } });
  });

  it('refuses the token in the URL query, even the right one, saying where it goes instead', async () => {
    const c = open({ Origin: origin() }, `/api?token=${ui.token}`);
    const out = await c.outcome;
    expect(out).toMatchObject({ opened: false, status: 400 });
    expect(out.body).toMatch(/first WebSocket message/);
  });

  it('refuses a foreign, missing or wrong-scheme origin, and accepts the loopback names', async () => {
    expect(await open({ Origin: 'http://evil.example' }).outcome).toMatchObject({ opened: false, status: 403 });
    expect(await open({}).outcome).toMatchObject({ opened: false, status: 403 });
    expect(await open({ Origin: `https://127.0.0.1:${ui.port}` }).outcome).toMatchObject({ opened: false, status: 403 });
    expect(await open({ Origin: `http://localhost:${ui.port}` }).outcome).toEqual({ opened: true });
  });

  it('refuses a Host it was not started for (DNS rebinding), for pages and for the API socket', async () => {
    const evil = `evil.example:${ui.port}`;
    const page = await uiGet(target(), '/', evil);
    expect(page.status).toBe(421);
    expect(page.body).toMatch(/does not answer to the host name "evil\.example:\d+".*--public-host/);
    expect(page.body).not.toContain('127.0.0.1');
    const ws = await open({ Host: evil, Origin: `http://${evil}` }).outcome;
    expect(ws).toMatchObject({ opened: false, status: 421 });
    expect((await uiGet(target(), '/', `localhost:${ui.port}`)).status).toBe(200);
  });

  it('caps the sockets waiting to send their token, in all and per address, and frees a place when one signs in', async () => {
    const waiting = [open(), open()];
    for (const w of waiting) expect(await w.outcome).toEqual({ opened: true });
    // 127.0.0.1 has its two places: a third from it is refused while another address still gets in.
    expect(await open().outcome).toMatchObject({ opened: false, status: 503 });
    const other = open(undefined, '/api', '127.0.0.2');
    expect(await other.outcome).toEqual({ opened: true });
    // Three waiting in all: the queue is full for everyone.
    expect(await open(undefined, '/api', '127.0.0.3').outcome).toMatchObject({ opened: false, status: 503 });
    expect(await signIn(waiting[0]!, ui.token)).toBe('ready');
    expect(await open().outcome).toEqual({ opened: true });
  });

  it('closes only the socket that sends a malformed message', async () => {
    const good = await signedIn();
    const bad = await signedIn();
    bad.ws.send('{not json');
    expect(await bad.closed).toMatchObject({ code: 1008 });
    expect(await call(good.ws, 7, 'rules.list')).toMatchObject({ r: { ok: true, value: [] } });
  });

  it('answers an invalid method input with a structured error, not a crash', async () => {
    const c = await signedIn();
    expect(await call(c.ws, 3, 'rules.setEnabled', { id: 1 })).toMatchObject({ r: { ok: false, error: { code: 'INVALID_INPUT' } } });
  });

  it('pushes the connections event only to sockets that watch, and forgets a watcher whose socket closed', async () => {
    const watcher = await signedIn();
    const other = await signedIn();
    expect(await call(watcher.ws, 1, 'connections.watch', { watch: true })).toMatchObject({ r: { ok: true, value: { watching: true } } });
    // Watching twice from one socket still counts once.
    await call(watcher.ws, 2, 'connections.watch', { watch: true });
    expect(core.service.watchers).toBe(1);
    await waitFor(() => watcher.received.some((m) => m.t === 'event' && m.e === 'connections'), 'a connections event');
    await waitFor(() => other.received.some((m) => m.t === 'event' && m.e === 'stats'), 'a stats event');
    expect(other.received.some((m) => m.t === 'event' && m.e === 'connections')).toBe(false);
    watcher.ws.close();
    await watcher.closed;
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
