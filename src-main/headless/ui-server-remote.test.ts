import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WS_CLOSE_AUTH_TIMEOUT, WS_CLOSE_BAD_TOKEN } from '../../src-shared/api/ws-protocol';
import { type Core, createCore } from '../service/core';
import { confFactory } from '../store/conf-factories';
import { tempDir } from '../../test-support/tmp';
import { type UiSocket, type UiTarget, openUiSocket, signIn, uiCall, uiGet } from '../../test-support/ui-client';
import { type UiServer, type UiServerOptions, startUiServer } from './ui-server';

// Browser mode off loopback, for real: the server listens on 0.0.0.0 (this machine's every address) and
// the tests reach it through 127.0.0.1 while sending the Host and Origin a remote browser — or a DNS
// rebinding page — would send.

/** The certificate a TLS server on 127.0.0.1:port presents, as tls.connect sees it. */
function peerFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const fp = s.getPeerCertificate().fingerprint256;
      s.end();
      resolve(fp);
    });
    s.on('error', reject);
  });
}

describe('browser mode on a network address', () => {
  let t: ReturnType<typeof tempDir>;
  let core: Core;
  let renderer: string;
  const servers: UiServer[] = [];
  const sockets: UiSocket[] = [];
  const logged: string[] = [];
  beforeEach(async () => {
    t = tempDir();
    renderer = join(t.dir, 'renderer');
    mkdirSync(renderer, { recursive: true });
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Porthole</title>');
    core = await createCore({ dataDir: join(t.dir, 'data'), mode: 'browser', confFactory, storeBackend: 'conf', version: 't', statsIntervalMs: 100 });
    logged.length = 0;
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.ws.terminate();
    for (const s of servers.splice(0)) await s.close();
    await core.shutdown();
    t.cleanup();
  });

  async function start(extra: Partial<UiServerOptions> = {}): Promise<UiServer> {
    const ui = await startUiServer({
      api: core.api, host: '0.0.0.0', port: 0, rendererDir: renderer, dataDir: join(t.dir, 'data'),
      authTimeoutMs: 400, log: (l) => logged.push(l), ...extra,
    });
    servers.push(ui);
    return ui;
  }
  const certPem = () => readFileSync(join(t.dir, 'data', 'ui-cert.pem'), 'utf8');
  const target = (ui: UiServer): UiTarget => ({ port: ui.port, scheme: ui.scheme, ...(ui.scheme === 'https' ? { ca: certPem() } : {}) });
  function open(ui: UiServer, headers: Record<string, string>, path?: string): UiSocket {
    const s = openUiSocket(target(ui), headers, path);
    sockets.push(s);
    return s;
  }

  it('serves TLS with a certificate kept in the data dir whose printed fingerprint is the one served', async () => {
    const ui = await start();
    expect(ui.scheme).toBe('https');
    expect(ui.url).toBe(`https://127.0.0.1:${ui.port}/#token=${ui.token}`);
    const served = await peerFingerprint(ui.port);
    expect(served).toBe(ui.fingerprint);
    expect(served).toBe(new X509Certificate(certPem()).fingerprint256);
    expect(ui.notices.map((n) => n.text).join('\n')).toContain(`fingerprint ${served}`);
    expect((await uiGet(target(ui), '/', `127.0.0.1:${ui.port}`)).status).toBe(200);
    // The same certificate after a restart, so the fingerprint a user checked once stays valid.
    await servers.pop()!.close();
    const again = await start();
    expect(await peerFingerprint(again.port)).toBe(served);
    expect(again.notices.find((n) => n.text.includes('fingerprint'))?.text).not.toContain('made now');
  });

  it('refuses a foreign Host for pages and the API socket, and logs the name once with how to allow it', async () => {
    const ui = await start();
    const evil = `evil.example:${ui.port}`;
    const page = await uiGet(target(ui), '/', evil);
    expect(page.status).toBe(421);
    expect(page.body).toContain('--public-host');
    expect((await uiGet(target(ui), '/index.html', evil)).status).toBe(421);
    const ws = await open(ui, { Host: evil, Origin: `https://${evil}` }).outcome;
    expect(ws).toMatchObject({ opened: false, status: 421 });
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/host "evil\.example:\d+".*--public-host/);
  });

  it('accepts a --public-host name for pages and the API, with an Origin of that name and scheme only', async () => {
    const ui = await start({ publicHosts: [{ hostname: 'porthole.test' }] });
    const name = `porthole.test:${ui.port}`;
    expect(ui.url).toBe(`https://${name}/#token=${ui.token}`);
    expect(ui.origins()).toContain(`https://${name}`);
    expect((await uiGet(target(ui), '/', name)).status).toBe(200);
    const good = open(ui, { Host: name, Origin: `https://${name}` });
    expect(await good.outcome).toEqual({ opened: true });
    expect(await signIn(good, ui.token)).toBe('ready');
    expect(await uiCall(good.ws, 1, 'rules.list')).toMatchObject({ r: { ok: true, value: [] } });
    // Right Host, but the page came from elsewhere (or over http): refused.
    expect(await open(ui, { Host: name, Origin: `http://${name}` }).outcome).toMatchObject({ opened: false, status: 403 });
    expect(await open(ui, { Host: name, Origin: 'https://evil.example' }).outcome).toMatchObject({ opened: false, status: 403 });
    // Other names are still refused.
    expect((await uiGet(target(ui), '/', `other.test:${ui.port}`)).status).toBe(421);
  });

  it('takes the token only as the first message: none in time, a wrong one, or one in the URL are refused', async () => {
    const ui = await start();
    const origin = { Origin: `https://127.0.0.1:${ui.port}` };
    const silent = open(ui, origin);
    expect(await silent.outcome).toEqual({ opened: true });
    expect(await silent.closed).toMatchObject({ code: WS_CLOSE_AUTH_TIMEOUT });
    expect(silent.received).toEqual([]);
    const wrong = open(ui, origin);
    await wrong.outcome;
    // One character off (a token that already ends in 0 would be the right one with a 0 put there).
    const off = ui.token.endsWith('0') ? '1' : '0';
    expect(await signIn(wrong, `${ui.token.slice(0, -1)}${off}`)).toBe(WS_CLOSE_BAD_TOKEN);
    expect(wrong.received).toEqual([]);
    const inUrl = await open(ui, origin, `/api?token=${ui.token}`).outcome;
    expect(inUrl).toMatchObject({ opened: false, status: 400 });
  });

  it('serves plain HTTP with a loud warning under --insecure-http', async () => {
    const ui = await start({ tls: 'insecure-http' });
    expect(ui.scheme).toBe('http');
    expect(ui.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=/);
    expect(ui.fingerprint).toBeUndefined();
    const warnings = ui.notices.filter((n) => n.level === 'warn').map((n) => n.text);
    expect(warnings.join('\n')).toMatch(/WARNING: --insecure-http.*unencrypted/);
    expect((await uiGet(target(ui), '/', `127.0.0.1:${ui.port}`)).status).toBe(200);
    expect((await uiGet(target(ui), '/', `evil.example:${ui.port}`)).status).toBe(421);
  });

  it('serves TLS on loopback too when asked', async () => {
    const ui = await start({ host: '127.0.0.1', tls: 'on' });
    expect(ui.url).toMatch(/^https:\/\/127\.0\.0\.1:/);
    expect(await peerFingerprint(ui.port)).toBe(ui.fingerprint);
  });
});
