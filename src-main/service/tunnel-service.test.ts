import { type Socket as DgramSocket, createSocket } from 'node:dgram';
import { type Socket, connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RuleEntry } from '../../src-shared/api/contract';
import { type RuleDraftParsed, RuleDraftSchema } from '../../src-shared/model/rule';
import type { RuleState, RuleStatus } from '../../src-shared/model/status';
import { ALLOWED_TRANSITIONS } from '../../src-shared/model/status';
import { EngineError } from '../engine/engine-error';
import { confFactory } from '../store/conf-factories';
import { RuleStore } from '../store/rule-store';
import { NetFixtures, type TestServer } from '../../test-support/net-fixtures';
import { tempDir, waitFor } from '../../test-support/tmp';
import { type Core, createCore } from './core';
import { SharedPool } from '../engine/shared-pool';
import { DataPlane } from '../dataplane/data-plane';
import { type TunnelFactory, makeTunnelFactory } from './tunnel-factory';
import { SessionPool } from '../ssh/session-pool';
import { TunnelService } from './tunnel-service';

const draft = (name: string, listenPort: number, targetPort: number, extra: Record<string, unknown> = {}): RuleDraftParsed =>
  RuleDraftSchema.parse({
  type: 'tcp-forward',
  name,
  enabled: true,
  autoStart: true,
  tags: [],
  listen: { host: '127.0.0.1', port: listenPort },
  target: { host: '127.0.0.1', port: targetPort },
  ...extra,
  });

function roundTrip(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.end(payload));
    let got = '';
    s.on('data', (d) => (got += d.toString()));
    s.on('end', () => resolve(got));
    s.on('error', reject);
  });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

describe('TunnelService with the tcp-forward engine', () => {
  let t: ReturnType<typeof tempDir>;
  let echo: TestServer;
  let core: Core | undefined;
  const net = new NetFixtures();
  const freePort = () => net.freePort();
  const open = async () =>
    (core = await createCore({ dataDir: t.dir, mode: 'browser', confFactory, storeBackend: 'conf', version: 't', statsIntervalMs: 60_000 }));
  beforeEach(async () => {
    t = tempDir();
    echo = await net.echoServer();
  });
  afterEach(async () => {
    await core?.shutdown();
    core = undefined;
    await net.cleanup();
    t.cleanup();
  });

  it('runs an enabled rule, counts its bytes, and refuses connections once switched off', async () => {
    const c = await open();
    const states: RuleState[] = [];
    c.service.on('rule-state', (s) => states.push(s.state));
    const port = await freePort();
    const e = await c.service.create(draft('web', port, echo.port));
    expect(e.status.state).toBe('running');
    expect(e.status.boundAddress).toBe(`127.0.0.1:${port}`);
    expect(await roundTrip(port, 'hello through porthole')).toBe('hello through porthole');
    await waitFor(() => c.service.tick().rules[e.rule.id]!.activeConnections === 0, 'connection to close');
    const stats = c.service.tick().rules[e.rule.id]!;
    expect(stats).toMatchObject({ bytesIn: 22, bytesOut: 22, totalConnections: 1 });
    await c.service.setEnabled(e.rule.id, false);
    expect(states).toEqual(['starting', 'running', 'stopped']);
    expect(await refused(port)).toBe(true);
    // Counters survive a stop/start of the rule.
    await c.service.setEnabled(e.rule.id, true);
    expect(c.service.tick().rules[e.rule.id]!.bytesIn).toBe(22);
  });

  it('fails only the rule whose port is taken, with PORT_IN_USE, while another rule runs', async () => {
    const squatter = await net.server();
    {
      const c = await open();
      const bad = await c.service.create(draft('taken', squatter.port, echo.port));
      const goodPort = await freePort();
      const good = await c.service.create(draft('free', goodPort, echo.port));
      expect(bad.status.state).toBe('failed');
      expect(bad.status.error?.code).toBe('PORT_IN_USE');
      expect(bad.status.error?.message).toContain(String(squatter.port));
      expect(good.status.state).toBe('running');
      expect(await roundTrip(goodPort, 'still works')).toBe('still works');
      const logs = c.service.log.query({ minLevel: 'error' });
      expect(logs.some((l) => l.code === 'PORT_IN_USE' && l.ruleId === bad.rule.id)).toBe(true);
    }
  });

  it('reports TARGET_REFUSED on the rule and keeps listening when the target is down', async () => {
    const c = await open();
    const deadTarget = await freePort();
    const port = await freePort();
    const e = await c.service.create(draft('down', port, deadTarget));
    const seen = new Promise<RuleStatus>((resolve) =>
      c.service.on('rule-state', (s) => s.lastConnectionError && resolve(s)),
    );
    // The client is closed (reset, as the refusal it mirrors) without receiving anything.
    expect(await roundTrip(port, 'x').catch((e: NodeJS.ErrnoException) => e.code)).toMatch(/^(|ECONNRESET)$/);
    const s = await seen;
    expect(s.state).toBe('running');
    expect(s.lastConnectionError?.code).toBe('TARGET_REFUSED');
    expect(await refused(port)).toBe(false);
    expect(c.service.list().find((x) => x.rule.id === e.rule.id)?.status.state).toBe('running');
  });

  it('finds saved rules after a restart and resumes the enabled ones (autoStart off comes up off)', async () => {
    let c = await open();
    const p1 = await freePort();
    const p2 = await freePort();
    await c.service.create(draft('resume', p1, echo.port));
    await c.service.create(draft('manual', p2, echo.port, { autoStart: false }));
    await c.shutdown();
    expect(await refused(p1)).toBe(true);
    c = await open();
    const byName = (n: string) => c.service.list().find((e: RuleEntry) => e.rule.name === n)!;
    expect(byName('resume').status.state).toBe('running');
    expect(await roundTrip(p1, 'back')).toBe('back');
    expect(byName('manual').status.state).toBe('stopped');
    expect(byName('manual').rule.enabled).toBe(false);
  });

  it('emits one stats batch per tick covering every rule, with rates from the byte deltas', async () => {
    const c = await open();
    const port = await freePort();
    const a = await c.service.create(draft('a', port, echo.port));
    const b = await c.service.create(draft('b', await freePort(), echo.port, { enabled: false }));
    await roundTrip(port, 'x'.repeat(1000));
    // Wait without ticking: a tick would take the delta this test wants to see.
    await waitFor(() => c.service.list().find((x) => x.rule.id === a.rule.id)!.stats.activeConnections === 0, 'close');
    const batch = c.service.tick();
    expect(Object.keys(batch.rules).sort()).toEqual([a.rule.id, b.rule.id].sort());
    expect(batch.rules[a.rule.id]!.rateIn).toBeGreaterThan(0);
    expect(batch.rules[a.rule.id]!.bytesIn).toBe(1000);
    expect(batch.rules[b.rule.id]).toMatchObject({ bytesIn: 0, rateIn: 0 });
  });
  it('lists live connections across rules and closes one through the API', async () => {
    const c = await open();
    const port = await freePort();
    const e = await c.service.create(draft('conns', port, echo.port));
    const client = await new Promise<Socket>((resolve) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
    });
    client.on('error', () => undefined);
    const listed = await waitFor(async () => {
      const r = await c.api.handle('connections.list', undefined);
      return r.ok && (r.value as unknown[]).length === 1 ? (r.value as { id: number; ruleId: string; protocol: string }[]) : undefined;
    }, 'one connection listed');
    expect(listed[0]).toMatchObject({ ruleId: e.rule.id, protocol: 'tcp' });
    const closedEv = new Promise((r) => client.on('close', r));
    expect(await c.api.handle('connections.close', { ruleId: e.rule.id, id: listed[0]!.id })).toEqual({ ok: true, value: { closed: true } });
    await closedEv;
    expect(await c.api.handle('connections.close', { ruleId: e.rule.id, id: 424242 })).toEqual({ ok: true, value: { closed: false } });
  });

  it('logs a burst of refused clients as one line with a count, not one line each', async () => {
    const c = await open();
    const port = await freePort();
    const e = await c.service.create(draft('locked', port, echo.port, { options: { allow: ['10.0.0.0/8'] } }));
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve) => {
        const s = connect(port, '127.0.0.1');
        s.on('error', () => resolve());
        s.on('close', () => resolve());
      });
    }
    // The data plane sends connection events in batches (up to 20 ms later): wait for the line.
    const lines = await waitFor(() => {
      const found = c.service.log.query({ ruleId: e.rule.id, minLevel: 'warn' });
      return found.length > 0 ? found : undefined;
    }, 'the refusal to be logged');
    expect(lines.filter((l) => l.message.startsWith('Refused'))).toHaveLength(1);
    expect(lines[0]!.message).toContain("not allowed by this mapping's source list");
    expect(echo.accepted).toHaveLength(0);
  });
});

describe('TunnelService with the udp-forward engine', () => {
  let t: ReturnType<typeof tempDir>;
  let svc: TunnelService | undefined;
  let plane: DataPlane | undefined;
  const sockets: DgramSocket[] = [];
  beforeEach(() => (t = tempDir()));
  afterEach(async () => {
    await svc?.shutdown();
    svc = undefined;
    await plane?.close();
    plane = undefined;
    await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
    sockets.length = 0;
    t.cleanup();
  });
  const bound = async () => {
    const s = createSocket('udp4');
    sockets.push(s);
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    return s;
  };

  it('runs a udp-forward rule: datagrams echo back to the sender, counted in the stats and the connections list', async () => {
    const target = await bound();
    target.on('message', (m, r) => target.send(m, r.port, r.address));
    const client = await bound();
    const listenPort = (await bound()).address().port;
    await new Promise<void>((r) => sockets.pop()!.close(() => r()));
    plane = new DataPlane();
    const noSsh = makeTunnelFactory(
      { pool: new SessionPool(() => { throw new Error('no SSH in this test'); }), socksPassword: () => undefined },
      { pool: new SharedPool(() => { throw new Error('no relay in this test'); }) },
      plane,
    );
    svc = new TunnelService({ store: RuleStore.open({ dataDir: t.dir, confFactory }), factory: noSsh });
    const e = await svc.create(
      RuleDraftSchema.parse({
        type: 'udp-forward',
        name: 'dns',
        enabled: true,
        listen: { host: '127.0.0.1', port: listenPort },
        target: { host: '127.0.0.1', port: target.address().port },
      }),
    );
    expect(e.status.state).toBe('running');
    const replies: string[] = [];
    client.on('message', (m) => replies.push(m.toString()));
    for (const word of ['one', 'two', 'three']) client.send(word, listenPort, '127.0.0.1');
    await waitFor(() => replies.length === 3, 'three replies');
    expect(replies.sort()).toEqual(['one', 'three', 'two']);
    const stats = svc.tick().rules[e.rule.id]!;
    expect(stats).toMatchObject({ bytesIn: 11, bytesOut: 11, activeConnections: 1, totalConnections: 1 });
    expect(await svc.connections(e.rule.id)).toEqual([
      expect.objectContaining({ protocol: 'udp', client: `127.0.0.1:${client.address().port}`, state: 'active' }),
    ]);
  });
});

describe('RuleRunner state machine (scripted tunnels)', () => {
  let t: ReturnType<typeof tempDir>;
  let svc: TunnelService | undefined;
  beforeEach(() => (t = tempDir()));
  afterEach(async () => {
    await svc?.shutdown();
    t.cleanup();
  });

  // A tunnel whose start fails with a retryable error a given number of times: this drives the retry
  // path deterministically without binding non-loopback addresses.
  function flaky(failures: number, code: 'ADDRESS_NOT_AVAILABLE' | 'PORT_IN_USE'): { factory: TunnelFactory; starts: () => number } {
    let n = 0;
    return {
      starts: () => n,
      factory: () => ({
        start: async () => {
          n++;
          if (n <= failures) throw new EngineError(code, `scripted ${code}`);
          return '127.0.0.1:1';
        },
        stop: async () => {},
        snapshot: () => ({ bytesIn: 0, bytesOut: 0, activeConnections: 0, totalConnections: 0 }),
        connections: () => [],
        closeConnection: () => false,
      }),
    };
  }

  it('retries a retryable start failure with backoff, then runs; every transition is allowed', async () => {
    const f = flaky(1, 'ADDRESS_NOT_AVAILABLE');
    svc = new TunnelService({ store: RuleStore.open({ dataDir: t.dir, confFactory }), factory: f.factory });
    const seen: RuleStatus[] = [];
    svc.on('rule-state', (s) => seen.push(s));
    const e = await svc.create(draft('r', 1, 2));
    expect(e.status.state).toBe('retrying');
    expect(e.status.nextRetryAt).toBeGreaterThan(Date.now());
    await waitFor(() => seen.at(-1)?.state === 'running', 'running after retry', 3000);
    const path = ['stopped', ...seen.map((s) => s.state)];
    for (let i = 1; i < path.length; i++) expect(ALLOWED_TRANSITIONS[path[i - 1] as RuleState]).toContain(path[i]);
    expect(path).toEqual(['stopped', 'starting', 'retrying', 'starting', 'running']);
  });

  it('never revives a rule the user stopped while it was retrying', async () => {
    const f = flaky(1, 'ADDRESS_NOT_AVAILABLE');
    svc = new TunnelService({ store: RuleStore.open({ dataDir: t.dir, confFactory }), factory: f.factory });
    const e = await svc.create(draft('r', 1, 2));
    expect(e.status.state).toBe('retrying');
    await svc.setEnabled(e.rule.id, false);
    const retryAt = e.status.nextRetryAt!;
    await waitFor(() => Date.now() > retryAt + 200, 'past the retry time', 3000);
    expect(f.starts()).toBe(1);
    expect(svc.list()[0]!.status.state).toBe('stopped');
  });

  it('leaves a non-retryable failure failed, without retrying', async () => {
    const f = flaky(5, 'PORT_IN_USE');
    svc = new TunnelService({ store: RuleStore.open({ dataDir: t.dir, confFactory }), factory: f.factory });
    const e = await svc.create(draft('r', 1, 2));
    expect(e.status).toMatchObject({ state: 'failed', error: { code: 'PORT_IN_USE' } });
    expect(e.status.nextRetryAt).toBeUndefined();
    expect(f.starts()).toBe(1);
  });
});
