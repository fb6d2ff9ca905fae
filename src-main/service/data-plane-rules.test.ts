import { createSocket } from 'node:dgram';
import type { Socket } from 'node:net';
import { SocksClient } from 'socks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RuleDraftSchema } from '../../src-shared/model/rule';
import type { RuleStatus } from '../../src-shared/model/status';
import { NetFixtures, type TestServer, readToEnd, waitFor } from '../../test-support/net-fixtures';
import { tempDir } from '../../test-support/tmp';
import { DataPlane } from '../dataplane/data-plane';
import { confFactory } from '../store/conf-factories';
import { type Core, createCore } from './core';

// tcp-forward, udp-forward and socks rules run their listeners in the data plane (a worker thread).
// When that thread dies, every rule it carried must say so and come back — never stall silently.

describe('rules over the data plane', () => {
  let t: ReturnType<typeof tempDir>;
  let echo: TestServer;
  let core: Core | undefined;
  let plane: DataPlane | undefined;
  const net = new NetFixtures();
  const udpSockets: ReturnType<typeof createSocket>[] = [];

  beforeEach(async () => {
    t = tempDir();
    echo = await net.echoServer();
  });
  afterEach(async () => {
    await core?.shutdown();
    core = undefined;
    await plane?.close();
    plane = undefined;
    await Promise.all(udpSockets.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
    await net.cleanup();
    t.cleanup();
  });

  const open = async (opts: ConstructorParameters<typeof DataPlane>[0] = {}) => {
    plane = new DataPlane(opts);
    core = await createCore({ dataDir: t.dir, mode: 'browser', confFactory, storeBackend: 'conf', version: 't', statsIntervalMs: 60_000, dataPlane: plane });
    return core;
  };

  const tcpRule = (port: number) =>
    RuleDraftSchema.parse({ type: 'tcp-forward', name: 'tcp', enabled: true, listen: { host: '127.0.0.1', port }, target: { host: '127.0.0.1', port: echo.port } });

  async function echoThrough(port: number, text: string): Promise<string> {
    const s: Socket = await net.connect(port);
    s.end(text);
    return (await readToEnd(s)).text;
  }

  async function udpTarget(): Promise<number> {
    const s = createSocket('udp4');
    udpSockets.push(s);
    s.on('message', (m, r) => s.send(m, r.port, r.address));
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    return s.address().port;
  }

  it('a killed data plane puts every rule it carried in retrying with a clear message, then runs them again on a new thread', async () => {
    const c = await open();
    const states = new Map<string, RuleStatus[]>();
    c.service.on('rule-state', (s) => states.set(s.id, [...(states.get(s.id) ?? []), s]));
    const tcpPort = await net.freePort();
    const tcp = await c.service.create(tcpRule(tcpPort));
    const udpPort = await net.freePort();
    const udp = await c.service.create(
      RuleDraftSchema.parse({ type: 'udp-forward', name: 'udp', enabled: true, listen: { host: '127.0.0.1', port: udpPort }, target: { host: '127.0.0.1', port: await udpTarget() } }),
    );
    const socksPort = await net.freePort();
    const socks = await c.service.create(RuleDraftSchema.parse({ type: 'socks', name: 'socks', enabled: true, listen: { host: '127.0.0.1', port: socksPort } }));
    for (const e of [tcp, udp, socks]) expect(e.status.state).toBe('running');
    expect(await echoThrough(tcpPort, 'before')).toBe('before');
    const firstThread = c.dataPlane.threadId;

    await c.dataPlane.kill();

    for (const e of [tcp, udp, socks]) {
      await waitFor(() => states.get(e.rule.id)?.some((s) => s.state === 'retrying'), `${e.rule.name} to go retrying`);
      const retrying = states.get(e.rule.id)!.find((s) => s.state === 'retrying')!;
      expect(retrying.error).toMatchObject({ code: 'DATA_PLANE_STOPPED' });
      expect(retrying.error!.message).toContain('stopped unexpectedly (exit code 1) — Porthole restarts it with its mappings');
      expect(retrying.nextRetryAt).toBeGreaterThan(0);
    }
    for (const e of [tcp, udp, socks]) {
      await waitFor(() => c.service.entryOf(e.rule.id).status.state === 'running', `${e.rule.name} to run again`, 10_000);
    }
    expect(c.dataPlane.threadId).not.toBe(firstThread);
    expect(await echoThrough(tcpPort, 'after')).toBe('after');
    // The rule's totals carry over the restart.
    await waitFor(() => c.service.tick().rules[tcp.rule.id]!.activeConnections === 0, 'the connection to close');
    expect(c.service.tick().rules[tcp.rule.id]).toMatchObject({ bytesIn: 11, bytesOut: 11, totalConnections: 2 });
    const { socket } = await SocksClient.createConnection({
      proxy: { host: '127.0.0.1', port: socksPort, type: 5 },
      command: 'connect',
      destination: { host: '127.0.0.1', port: echo.port },
      timeout: 5000,
    });
    net.socket(socket);
    socket.end('via socks');
    expect((await readToEnd(socket)).text).toBe('via socks');
    const errors = c.service.log.query({ minLevel: 'error' }).filter((l) => l.code === 'DATA_PLANE_STOPPED');
    expect(errors.map((l) => l.ruleId).sort()).toEqual([tcp.rule.id, udp.rule.id, socks.rule.id].sort());
  });

  it('a data plane that keeps dying leaves its rules failed, and switching one on again runs it', async () => {
    const c = await open({ crashLoop: { max: 2, windowMs: 60_000 } });
    const port = await net.freePort();
    const e = await c.service.create(tcpRule(port));
    const seen: string[] = [];
    c.service.on('rule-state', (s) => seen.push(s.state));
    await c.dataPlane.kill();
    await waitFor(() => seen.join() === 'retrying,starting,running', 'the rule to run again', 10_000);
    await c.dataPlane.kill();
    await waitFor(() => c.service.entryOf(e.rule.id).status.state === 'failed', 'the rule to fail');
    const status = c.service.entryOf(e.rule.id).status;
    expect(status.error?.code).toBe('DATA_PLANE_STOPPED');
    expect(status.error?.message).toContain('stopped unexpectedly 2 times within 60 s (last: exit code 1) — switch the mapping on again to retry');
    expect(status.nextRetryAt).toBeUndefined();
    await c.service.setEnabled(e.rule.id, true);
    expect(c.service.entryOf(e.rule.id).status.state).toBe('running');
    expect(await echoThrough(port, 'back')).toBe('back');
  });

  it('stats and the connections list come from the data plane', async () => {
    const c = await open();
    const port = await net.freePort();
    const e = await c.service.create(tcpRule(port));
    const s = await net.connect(port);
    s.resume();
    s.write('12345');
    await waitFor(() => c.service.tick().rules[e.rule.id]!.bytesOut === 5, 'the echo to be counted');
    const rows = await c.service.connections(e.rule.id);
    expect(rows).toEqual([expect.objectContaining({ ruleId: e.rule.id, protocol: 'tcp', client: `127.0.0.1:${s.localPort}`, bytesIn: 5, bytesOut: 5, state: 'open' })]);
    const watched = new Promise<unknown>((resolve) => c.service.once('connections', resolve));
    c.service.watchConnections(1);
    c.service.tick();
    expect(await watched).toEqual(rows.map((r) => ({ ...r, bytesIn: 5, bytesOut: 5 })));
    c.service.watchConnections(-1);
    expect(await c.service.closeConnection(e.rule.id, rows[0]!.id)).toEqual({ closed: true });
    await waitFor(() => c.service.tick().rules[e.rule.id]!.activeConnections === 0, 'the connection to close');
    expect(await c.service.connections(e.rule.id)).toEqual([]);
  });

  it('logs a busy mapping\'s connections one by one up to 40 lines a second and sums up the rest, every one counted', async () => {
    const c = await open();
    const port = await net.freePort();
    const e = await c.service.create(tcpRule(port));
    const n = 150;
    // In three waves of 50 at once: well inside a few seconds, also on a busy machine.
    for (let w = 0; w < 3; w++) expect(await Promise.all(Array.from({ length: n / 3 }, () => echoThrough(port, 'x')))).toEqual(new Array(n / 3).fill('x'));
    const lines = () => c.service.log.query({ ruleId: e.rule.id, minLevel: 'debug', limit: 10_000 });
    const count = () => {
      const all = lines();
      const summed = all.filter((l) => l.key === 'connectionsSummed');
      const sum = (k: 'opened' | 'closed' | 'bytesIn' | 'bytesOut') => summed.reduce((a, l) => a + Number(l.fields?.[k] ?? 0), 0);
      const closedLines = all.filter((l) => l.key === 'connectionClosed');
      return {
        opened: all.filter((l) => l.key === 'connectionFrom').length + sum('opened'),
        closed: closedLines.length + sum('closed'),
        bytesIn: closedLines.reduce((a, l) => a + Number(l.fields?.bytesIn ?? 0), 0) + sum('bytesIn'),
        oneByOne: all.filter((l) => l.key === 'connectionFrom' || l.key === 'connectionClosed').length,
        summaries: summed.length,
      };
    };
    // The summary of the last busy second comes when that second ends.
    await waitFor(() => count().opened === n && count().closed === n, 'every connection to be logged or counted', 5000).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(count())}`);
    });
    const got = count();
    expect(got.bytesIn).toBe(n);
    expect(got.summaries).toBeGreaterThanOrEqual(1);
    // 300 events: without the budget, 300 lines; with it, 40 per second the connections took.
    expect(got.oneByOne).toBeLessThan(2 * n);
    expect(lines().find((l) => l.key === 'connectionsSummed')!.message).toMatch(/^Not logged one by one \(more than 40 lines a second\): \d+ more connections opened and \d+ closed in that second, \d+ B in, \d+ B out$/);
  });
});
