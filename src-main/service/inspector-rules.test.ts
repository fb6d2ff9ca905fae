import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApiEvents, LocalRelaySettings, RuleEntry } from '../../src-shared/api/contract';
import type { ExchangeDetail, InspectorEvent, InspectorList } from '../../src-shared/model/inspector';
import type { RelayEntry, RelayServerStatus } from '../../src-shared/model/relay';
import type { SshServerEntry } from '../../src-shared/model/ssh';
import { waitFor } from '../../test-support/net-fixtures';
import { type SshdFixture, sshdAvailable, startSshd } from '../../test-support/sshd';
import { useServiceCore } from '../../test-support/service-core';

// "Inspect HTTP" end to end through the API on each rule type that has it: tcp-forward, ssh-local over
// a real OpenSSH sshd, relay-expose through the in-app relay. curl is the client; a node:http server the
// target, which records what it received (a replay must reach it).

let target: http.Server;
let targetPort: number;
const seen: Array<{ method: string; url: string; body: string }> = [];

beforeAll(async () => {
  target = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body });
      res.setHeader('Set-Cookie', 'session=abc123');
      res.end(JSON.stringify({ path: req.url, got: body.length }));
    });
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
  targetPort = (target.address() as AddressInfo).port;
});
afterAll(async () => {
  target.closeAllConnections();
  await new Promise<void>((r) => target.close(() => r()));
});
const svc = useServiceCore({ options: () => ({ hostKeyPromptTimeoutMs: 10_000 }), checkLogCodes: true });
const { net, call } = svc;
beforeEach(() => {
  seen.length = 0;
});

function curl(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn('curl', ['-sS', '--max-time', '10', ...args]);
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`curl exit ${code}: ${err}`))));
  });
}

/** Sends two requests on one connection through `port`, and checks what the API then shows and replays. */
async function exercise(ruleId: string, port: number): Promise<void> {
  const events: InspectorEvent[] = [];
  const off = svc.core.api.subscribe('inspector', (e: ApiEvents['inspector']) => events.push(e));
  // --next starts a new set of options for the next URL; curl still reuses the connection.
  const auth = ['-H', 'Authorization: Bearer top-secret'];
  const out = await curl([...auth, `http://127.0.0.1:${port}/a`, '--next', ...auth, '--data-binary', 'x=1', `http://127.0.0.1:${port}/b`]);
  expect(out).toBe('{"path":"/a","got":0}{"path":"/b","got":3}');
  // The event announces both (batched), with the rule's id.
  await waitFor(() => events.flatMap((e) => (e.kind === 'added' ? e.exchanges : [])).length === 2, 'the inspector event for both exchanges');
  off();
  const list = await call<InspectorList>('inspector.list', { ruleId });
  expect(list.exchanges.map((s) => [s.ruleId, s.method, s.url, s.status])).toEqual([
    [ruleId, 'GET', '/a', 200],
    [ruleId, 'POST', '/b', 200],
  ]);
  expect(list.exchanges[0]!.connId).toBe(list.exchanges[1]!.connId);
  const detail = await call<ExchangeDetail>('inspector.get', { id: list.exchanges[1]!.id });
  expect(detail.request.headers).toContainEqual(['Authorization', 'Bearer top-secret']);
  expect(detail.response!.headers).toContainEqual(['Set-Cookie', 'session=abc123']);
  expect(Buffer.from(detail.request.body.base64, 'base64').toString()).toBe('x=1');
  const before = seen.length;
  const replay = await call<ExchangeDetail>('inspector.replay', { id: detail.id });
  expect(replay.replayOf).toBe(detail.id);
  expect(Buffer.from(replay.response!.body.base64, 'base64').toString()).toBe('{"path":"/b","got":3}');
  expect(seen.slice(before)).toEqual([{ method: 'POST', url: '/b', body: 'x=1' }]);
  await call('inspector.clear', { ruleId });
  expect((await call<InspectorList>('inspector.list', { ruleId })).exchanges).toEqual([]);
}

describe('Inspect HTTP through the API', () => {
  it('tcp-forward: records, lists, shows, replays and clears', async () => {
    const port = await net.freePort();
    const rule = await call<RuleEntry>('rules.create', {
      type: 'tcp-forward',
      name: 'web',
      enabled: true,
      listen: { host: '127.0.0.1', port },
      target: { host: '127.0.0.1', port: targetPort },
      inspect: { enabled: true },
    });
    expect(rule.status.state).toBe('running');
    await exercise(rule.rule.id, port);
  });

  it('rejects bad input at the boundary and says which exchange is gone', async () => {
    const bad = await svc.core.api.handle('inspector.replay', { id: 1, edit: { method: 'GET', url: '/x', headers: [['X-A', 'one\r\nInjected: yes']], bodyBase64: '' } });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error.message).toMatch(/line breaks/);
    const gone = await svc.core.api.handle('inspector.get', { id: 12345 });
    expect(!gone.ok && gone.error).toMatchObject({ code: 'NOT_FOUND' });
    expect((await svc.core.api.handle('inspector.list', { limit: 0 })).ok).toBe(false);
  });

  it('relay-expose with kind http: inspection is on without its own switch', async () => {
    const relayPort = await net.freePort();
    const publicPort = await net.freePort();
    await call<LocalRelaySettings>('relayServer.configure', {
      config: { bind: { host: '127.0.0.1', port: relayPort }, publicHost: '127.0.0.1', tls: true, agents: [{ name: 'laptop', allowPorts: `${publicPort}` }] },
      tokens: { laptop: 'laptop-token-for-tests' },
    });
    expect((await call<RelayServerStatus>('relayServer.start')).running).toBe(true);
    const relay = await call<RelayEntry>('relays.create', { relay: { name: 'r', host: '127.0.0.1', port: relayPort, agentName: 'laptop' }, token: 'laptop-token-for-tests' });
    const rule = await call<RuleEntry>('rules.create', {
      type: 'relay-expose',
      name: 'hook',
      enabled: true,
      relay: relay.relay.id,
      target: { host: '127.0.0.1', port: targetPort },
      remotePort: publicPort,
      kind: 'http',
    });
    await waitFor(() => svc.core.service.list().find((e) => e.rule.id === rule.rule.id)?.status.state === 'running', 'the relay rule running');
    await exercise(rule.rule.id, publicPort);
  });
});

describe.skipIf(!sshdAvailable())('Inspect HTTP on ssh-local against OpenSSH', () => {
  let sshd: SshdFixture;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.cleanup();
  });

  it('records through the SSH channel and replays over the session', async () => {
    const s = await call<SshServerEntry>('servers.create', {
      server: { name: 'sshd', host: '127.0.0.1', port: sshd.port, user: sshd.user, auth: { method: 'key', keyPath: sshd.userKeyPath }, hostKeyPolicy: 'accept-new' },
    });
    const port = await net.freePort();
    const rule = await call<RuleEntry>('rules.create', {
      type: 'ssh-local',
      name: 'L',
      enabled: true,
      server: s.server.id,
      listen: { host: '127.0.0.1', port },
      target: { host: '127.0.0.1', port: targetPort },
      inspect: { enabled: true, maxBodyBytes: 4096 },
    });
    expect(rule.status.state).toBe('running');
    await exercise(rule.rule.id, port);
  });
});
