import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closed, NetFixtures, readToEnd, sha256, waitFor } from '../../test-support/net-fixtures';
import { agentPolicy, agentState, bound, RelayFixtures } from '../../test-support/relay-fixtures';
import type { RelayAgent, RelayAgentOptions } from './relay-agent';
import { EARN_BYTES, SHORT_BURST, SHORT_WINDOW_MS } from './relay-data-pool';
import type { RelayServer, RelayServerOptions } from './relay-server';

// Data connections (data-protocol.ts): public TCP connections carried on connections of their own from
// a pool the agent pre-dials, with HTTP/2 streams for whatever finds the pool empty.

const MiB = 1024 * 1024;
const net = new NetFixtures();
const rf = new RelayFixtures();
afterEach(async () => {
  await rf.cleanup();
  await net.cleanup();
});

interface Setup {
  relay: RelayServer;
  agent: RelayAgent;
  port: number;
  targetPort: number;
}

/** A relay with agent "a1" exposing `targetPort` (an echo server by default) on a fresh public port. */
async function exposed(o: { relay?: Partial<RelayServerOptions>; agent?: Partial<RelayAgentOptions>; tls?: boolean; targetPort?: number; via?: (relay: RelayServer) => Promise<{ host: string; port: number }> } = {}): Promise<Setup> {
  const targetPort = o.targetPort ?? (await net.echoServer()).port;
  const port = await net.freePort();
  const relay = await rf.relay({ agents: [agentPolicy('a1', 'secret-token-for-tests', port)], ...(o.tls === false ? { tls: false } : {}) }, o.relay);
  const address = o.via ? await o.via(relay) : relay.address!;
  const agent = rf.agent(address, { agent: 'a1', token: 'secret-token-for-tests', ...(o.tls === false ? { tls: false } : {}), ...o.agent });
  await bound(agent.expose({ ref: 'r1', protocol: 'tcp', kind: 'tcp', remotePort: port, target: { host: '127.0.0.1', port: targetPort } }));
  return { relay, agent, port, targetPort };
}

/** Waits until the pool of "a1" has dialled every ticket it issued and holds `atLeast` ready connections. */
async function poolFull(relay: RelayServer, atLeast = 1, timeoutMs = 5000): Promise<{ ready: number; target: number; taken: number; missed: number; passed: number }> {
  await waitFor(
    () => {
      const p = relay.dataPool('a1');
      return p !== undefined && p.outstanding === 0 && p.ready === p.target && p.ready >= atLeast;
    },
    'the data-connection pool to fill',
    timeoutMs,
  ).catch((err: Error) => {
    throw new Error(`${err.message} (now ${JSON.stringify(relay.dataPool('a1'))})`);
  });
  return relay.dataPool('a1')!;
}

/** Sends `size` random bytes through the public port to the echo target and checks they come back. */
async function echoed(port: number, size = 64 * 1024): Promise<void> {
  const payload = randomBytes(size);
  expect(await net.roundTrip(port, payload)).toEqual({ bytes: size, sha256: sha256(payload) });
}

/** echoed(), then waits until the relay has closed its side too (and counted the connection as closed). */
async function echoedAndClosed(relay: RelayServer, port: number, size = 1024): Promise<void> {
  await echoed(port, size);
  await waitFor(() => relay.status().agents[0]!.exposures[0]!.activeConnections === 0, 'the relay to close its side');
}

/** Writes `size` random bytes on an open client connection and checks they come back; the connection stays open. */
async function echoedOn(client: Socket, size = 1024): Promise<void> {
  const payload = randomBytes(size);
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve) => {
    const onData = (d: Buffer) => {
      chunks.push(d);
      if (Buffer.concat(chunks).length >= payload.length) {
        client.off('data', onData);
        resolve();
      }
    };
    client.on('data', onData);
    client.write(payload);
  });
  expect(sha256(Buffer.concat(chunks))).toBe(sha256(payload));
}

describe('relay data connections', () => {
  it('carries a connection on a pooled data connection, intact both ways with half-close, and refills the pool', async () => {
    const up = randomBytes(4 * MiB);
    const down = randomBytes(4 * MiB);
    let gotUp: Promise<{ sha256: string; bytes: number }> | undefined;
    // The target answers only after the client's FIN: the client → target direction ends first, the other stays open.
    const target = await net.server((s) => {
      gotUp = readToEnd(s);
      void gotUp.then(() => s.end(down));
    });
    const { relay, agent, port } = await exposed({ targetPort: target.port });
    const before = await poolFull(relay);
    expect(agent.dataConnections()?.idle).toBe(before.ready);

    const client = await net.connect(port, { allowHalfOpen: true });
    const gotDown = readToEnd(client);
    client.end(up);
    expect((await gotDown).sha256).toBe(sha256(down));
    expect((await (await waitFor(() => gotUp, 'the target to accept'))).sha256).toBe(sha256(up));

    const after = relay.dataPool('a1')!;
    expect(after.taken).toBe(before.taken + 1);
    expect(after.missed).toBe(before.missed);
    expect(agent.dataConnections()?.opened).toBe(1);
    await waitFor(() => relay.status().agents[0]!.exposures[0]!.activeConnections === 0, 'the relay to close the connection');
    const exposure = agent.exposures()[0]!;
    await waitFor(() => exposure.meter.activeConnections === 0, 'the agent to close the connection');
    expect(exposure.meter).toMatchObject({ bytesIn: up.length, bytesOut: down.length, totalConnections: 1 });
    expect(relay.status().agents[0]!.exposures[0]).toMatchObject({ bytesIn: up.length, bytesOut: down.length, totalConnections: 1 });
    // The connection moved 8 MiB: it paid for the replacement of the data connection it used.
    expect((await poolFull(relay, before.ready)).ready).toBe(before.ready);
    expect(relay.metricsText()).toContain(`porthole_relay_data_connections_ready{agent="a1"} ${before.ready}\n`);
  });

  it('starts connections that find the pool empty on HTTP/2 streams, all intact, and grows the pool', async () => {
    let tap: Awaited<ReturnType<RelayFixtures['tap']>> | undefined;
    const { relay, agent, port } = await exposed({ relay: { dataConnections: { min: 2, max: 32, refillPerSecond: 1000 } }, via: async (r) => ({ host: '127.0.0.1', port: (tap = await rf.tap(r.address!)).port }) });
    const before = await poolFull(relay);
    expect(before.ready).toBe(8);
    // New connections to the relay fail from now on, so nothing refills the pool while 12 clients arrive.
    tap!.refuse(true);
    const clients = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const client = await net.connect(port);
        await echoedOn(client, 32 * 1024);
        return client;
      }),
    );
    // Connections that moved little do not grow the pool: they would not have used a bigger one.
    expect(relay.dataPool('a1')).toMatchObject({ taken: 8, missed: 4, ready: 0, target: 8 });
    // Once they move EARN_BYTES (128 KiB each way), the pool that was found empty doubles, up to max.
    for (const c of clients) await echoedOn(c, EARN_BYTES / 2);
    const p = relay.dataPool('a1')!;
    expect(p).toMatchObject({ taken: 8, missed: 4, ready: 0 });
    expect(p.target).toBe(32);
    expect(relay.status().agents[0]!.exposures[0]!.activeConnections).toBe(12);
    for (const c of clients) c.end();
    await Promise.all(clients.map((c) => closed(c)));
    // Reachable again: the agent retries the tickets it could not use (they are good for 30 s) and the
    // next public connection (on a stream) has the relay issue the rest up to the new size.
    tap!.refuse(false);
    await echoed(port);
    expect((await poolFull(relay, 32, 12_000)).ready).toBe(32);
    expect(agent.dataConnections()!.idle).toBe(32);
  });

  it('does not turn a flood of short connections into a flood of handshakes, while bulk connections pay for their replacements', async () => {
    // A trust budget of one new data connection per 100 s: whatever comes in faster was earned.
    const { relay, agent, port } = await exposed({ relay: { dataConnections: { min: 8, max: 64, refillPerSecond: 0.01 } } });
    await poolFull(relay, 8);
    const dialledBefore = agent.dataConnections()!.dialled;
    for (let i = 0; i < 40; i++) await echoedAndClosed(relay, port);
    const p = relay.dataPool('a1')!;
    // The first 8 took the pool; after 8 short ones in a row the port's connections leave it alone.
    expect(p).toMatchObject({ taken: 8, missed: 0, passed: 32, ready: 0 });
    expect(agent.dataConnections()!.dialled - dialledBefore).toBeLessThanOrEqual(1);
    // Four connections that each move 1 MiB (on streams: the port is in its burst and the pool is empty)
    // earn four data connections at once.
    await Promise.all([1, 2, 3, 4].map(() => echoed(port, 1024 * 1024)));
    await waitFor(() => relay.dataPool('a1')!.ready >= 4, 'the earned data connections');
    expect(agent.dataConnections()!.dialled - dialledBefore).toBeLessThanOrEqual(5);
  });

  it('leaves the pool alone during a burst of short connections on a port, and takes it again after a quiet second', async () => {
    // Refilled at once, so the pool is never what sends a connection to a stream here.
    const { relay, agent, port } = await exposed({ relay: { dataConnections: { min: 8, max: 8, refillPerSecond: 1000 } } });
    await poolFull(relay, 8);
    for (let i = 0; i < SHORT_BURST; i++) {
      await echoedAndClosed(relay, port);
      await poolFull(relay, 8);
    }
    expect(relay.dataPool('a1')).toMatchObject({ taken: SHORT_BURST, missed: 0, passed: 0 });
    const dialled = agent.dataConnections()!.dialled;
    // The burst: the next ones take HTTP/2 streams, with a full pool beside them, and cost no handshake.
    for (let i = 0; i < 5; i++) await echoedAndClosed(relay, port);
    expect(relay.dataPool('a1')).toMatchObject({ taken: SHORT_BURST, missed: 0, passed: 5, ready: 8 });
    expect(agent.dataConnections()!.dialled).toBe(dialled);
    // A quiet spell longer than the window ends the burst: the next connection takes a data connection.
    await new Promise((resolve) => setTimeout(resolve, SHORT_WINDOW_MS + 100));
    await echoedAndClosed(relay, port);
    expect(relay.dataPool('a1')).toMatchObject({ taken: SHORT_BURST + 1, passed: 5 });
  });

  it('ends a port\'s burst of short connections when one of its connections moves bulk', async () => {
    const { relay, port } = await exposed({ relay: { dataConnections: { min: 8, max: 8, refillPerSecond: 1000 } } });
    await poolFull(relay, 8);
    for (let i = 0; i < SHORT_BURST + 1; i++) await echoedAndClosed(relay, port);
    expect(relay.dataPool('a1')).toMatchObject({ taken: SHORT_BURST, passed: 1 });
    // In the burst, so on a stream; it moves 2 × 1 MiB, and its close ends the burst.
    await echoedAndClosed(relay, port, MiB);
    expect(relay.dataPool('a1')).toMatchObject({ taken: SHORT_BURST, passed: 2 });
    await poolFull(relay, 8);
    await echoedAndClosed(relay, port);
    expect(relay.dataPool('a1')).toMatchObject({ taken: SHORT_BURST + 1, passed: 2 });
  });

  it('refills on its budget alone after connections found it empty, with no further connection to prompt it', async () => {
    // Four tickets a second: the burst is spent on the first fill, then misses leave the refill to the timer.
    const { relay, port } = await exposed({ relay: { dataConnections: { min: 8, max: 8, refillPerSecond: 4 } } });
    await poolFull(relay, 8);
    // All 14 open before any closes (so none is turned to a stream by a burst of short ones before it).
    const clients = await Promise.all(Array.from({ length: 14 }, () => net.connect(port)));
    await waitFor(() => relay.status().agents[0]!.exposures[0]!.activeConnections === 14, 'the relay to take all 14');
    for (const c of clients) await echoedOn(c, 1024);
    for (const c of clients) c.end();
    await Promise.all(clients.map((c) => closed(c)));
    const p = relay.dataPool('a1')!;
    expect(p).toMatchObject({ taken: 8, missed: 6, passed: 0 });
    expect((await poolFull(relay, 8, 10_000)).ready).toBe(8);
  });

  it('shrinks a pool nobody uses back to its minimum, closing the connections it drops on both sides', async () => {
    const { relay, agent, port } = await exposed({ relay: { dataConnections: { min: 1, max: 8, shrinkAfterMs: 100 } } });
    // It starts at 8 and halves once per quiet period of 100 ms: 8 → 4 → 2 → 1.
    await waitFor(() => relay.dataPool('a1')!.target === 1 && relay.dataPool('a1')!.ready === 1, 'the unused pool to shrink to 1', 10_000);
    await waitFor(() => agent.dataConnections()?.idle === 1, 'the agent to see the dropped connections closed', 10_000);
    expect(agent.dataConnections()!.dialled).toBeGreaterThanOrEqual(8);
    await echoed(port);
    expect(relay.dataPool('a1')!.taken).toBe(1);
  });

  it('keeps a second data connection moving while a client that never reads stalls the first', async () => {
    const blob = randomBytes(64 * MiB);
    const target = await net.server((s) => (target.accepted.length === 1 ? s.end(blob) : s.pipe(s)));
    const { relay, agent, port } = await exposed({ targetPort: target.port });
    await poolFull(relay, 2);
    const exposure = agent.exposures()[0]!;

    const stalled = await net.connect(port);
    stalled.pause();
    await waitFor(() => exposure.meter.bytesOut > 4 * MiB, 'the target to push data into the stalled connection');
    const payload = randomBytes(8 * MiB);
    const second = await net.connect(port);
    const got = readToEnd(second);
    second.end(payload);
    expect((await got).sha256).toBe(sha256(payload));
    expect(relay.dataPool('a1')!.taken).toBe(2);
    expect(relay.dataPool('a1')!.missed).toBe(0);
    // Backpressure reached the target: it still holds most of the 64 MiB it was asked to send.
    expect(stalled.bytesRead).toBeLessThan(MiB);
    expect(target.accepted[0]!.writableLength).toBeGreaterThan(32 * MiB);
    const rest = await readToEnd(stalled.resume());
    expect(rest.sha256).toBe(sha256(blob));
  });

  it('resets the public connection when the agent cannot reach its target over a data connection', async () => {
    const gone = await net.freePort();
    const { relay, agent, port } = await exposed({ targetPort: gone });
    await poolFull(relay);
    const errors: string[] = [];
    agent.exposures()[0]!.on('connection-error', ({ error }) => errors.push(error.code));
    const client = await net.connect(port);
    const got = readToEnd(client).catch((err: NodeJS.ErrnoException) => err.code);
    client.write('hello');
    expect(await got).toBe('ECONNRESET');
    expect(errors).toEqual(['TARGET_REFUSED']);
    expect(relay.dataPool('a1')!.taken).toBe(1);
    await waitFor(() => rf.logs.some((l) => l.includes('could not reach its local port') && l.includes('TARGET_REFUSED')), 'the relay to log why');
  });

  it('closes every pool connection when the relay stops', async () => {
    let tap: Awaited<ReturnType<RelayFixtures['tap']>> | undefined;
    const { relay, agent } = await exposed({ agent: { backoff: { initialMs: 60_000, maxMs: 60_000 } }, via: async (r) => ({ host: '127.0.0.1', port: (tap = await rf.tap(r.address!)).port }) });
    const p = await poolFull(relay);
    expect(tap!.open()).toBe(1 + p.ready);
    await rf.stopRelay(relay);
    await waitFor(() => tap!.open() === 0, 'every connection through the tap to close');
    await agentState(agent, 'retrying');
    expect(agent.dataConnections()).toBeUndefined();
  });

  it('closes the evicted session\'s pool when another session of the agent name replaces it', async () => {
    let tap: Awaited<ReturnType<RelayFixtures['tap']>> | undefined;
    const { relay, agent, port, targetPort } = await exposed({ via: async (r) => ({ host: '127.0.0.1', port: (tap = await rf.tap(r.address!)).port }) });
    const first = await poolFull(relay);
    expect(tap!.open()).toBe(1 + first.ready);
    const second = rf.agent(relay, { agent: 'a1', token: 'secret-token-for-tests' });
    const e2 = second.expose({ ref: 'r1', protocol: 'tcp', kind: 'tcp', remotePort: port, target: { host: '127.0.0.1', port: targetPort } });
    await agentState(agent, 'failed');
    await waitFor(() => tap!.open() === 0, 'the evicted session and all its data connections to close');
    await bound(e2);
    await poolFull(relay);
    await echoed(port);
    expect(second.dataConnections()!.opened).toBe(1);
  });

  it('serves an agent that does not accept data connections on HTTP/2 streams alone', async () => {
    const { relay, agent, port } = await exposed({ agent: { dataConnections: false } });
    await echoed(port);
    await echoed(port);
    expect(relay.dataPool('a1')).toBeUndefined();
    expect(agent.dataConnections()).toBeUndefined();
    expect(relay.status().agents[0]!.exposures[0]!.totalConnections).toBe(2);
  });

  it('carries everything on HTTP/2 streams for a relay that offers no data connections', async () => {
    const { relay, agent, port } = await exposed({ relay: { dataConnections: false } });
    await echoed(port);
    expect(relay.dataPool('a1')).toBeUndefined();
    expect(agent.dataConnections()).toBeUndefined();
  });

  it('keeps each agent\'s pool within limits.max_data_connections, and offers none at 0', async () => {
    let tap: Awaited<ReturnType<RelayFixtures['tap']>> | undefined;
    // Pool options given in code tune the pool but do not lift the limit.
    const capped = await exposed({ relay: { limits: { maxDataConnections: 3 }, dataConnections: { max: 32 } }, via: async (r) => ({ host: '127.0.0.1', port: (tap = await rf.tap(r.address!)).port }) });
    expect(await poolFull(capped.relay, 3)).toMatchObject({ ready: 3, target: 3 });
    // Five at once, with nothing refilling meanwhile: three take the pool, two miss it (they go on
    // HTTP/2 streams), and the pool's target stays at the cap instead of doubling.
    tap!.refuse(true);
    const clients = await Promise.all(Array.from({ length: 5 }, () => net.connect(capped.port)));
    for (const c of clients) await echoedOn(c);
    expect(capped.relay.dataPool('a1')).toMatchObject({ taken: 3, missed: 2, target: 3 });
    for (const c of clients) c.end();
    await Promise.all(clients.map((c) => closed(c)));
    tap!.refuse(false);
    await echoed(capped.port);
    // The agent retries the tickets it could not use with backoff (0.5 s, 1 s, 2 s …).
    expect((await poolFull(capped.relay, 3, 12_000)).ready).toBe(3);

    const off = await exposed({ relay: { limits: { maxDataConnections: 0 } } });
    await echoed(off.port);
    expect(off.relay.dataPool('a1')).toBeUndefined();
    expect(off.agent.dataConnections()).toBeUndefined();
  });

  it('uses plain TCP data connections with tls off, and the relay warns once that they are unencrypted', async () => {
    const { relay, port } = await exposed({ tls: false });
    await poolFull(relay, 8);
    for (let i = 0; i < 3; i++) await echoed(port);
    expect(relay.dataPool('a1')!.taken).toBe(3);
    const warnings = rf.logs.filter((l) => l.startsWith('relay warn:') && l.includes('plain TCP'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('unencrypted');
  });
});
