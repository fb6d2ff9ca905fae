import { randomBytes } from 'node:crypto';
import { createServer as tlsServer, type Server as TlsServer } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { NetFixtures, readToEnd, sha256, waitFor } from '../../test-support/net-fixtures';
import { agentPolicy, bound, RelayFixtures } from '../../test-support/relay-fixtures';
import { DataPlane } from '../dataplane/data-plane';
import type { PlaneEvent } from '../dataplane/protocol';
import type { DataPlaneStoppedError } from '../dataplane/stopped-error';
import type { TapFactory } from '../engine/stream-tap';
import { PLANE_ID_BASE } from './exposure';
import type { RelayAgent } from './relay-agent';
import type { RelayServer } from './relay-server';

// Issue 13: an agent given a data plane (as the service makes them) dials its data connections from
// the worker thread, which proves the tickets, verifies the relay's certificate and joins each public
// connection with its target there; the control stream stays in this thread.

const MiB = 1024 * 1024;
const TOKEN = 'secret-token-for-tests';
const net = new NetFixtures();
const rf = new RelayFixtures();
const planes: DataPlane[] = [];
const servers: TlsServer[] = [];
afterEach(async () => {
  await rf.cleanup();
  await Promise.all(planes.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  await net.cleanup();
});

function plane(): DataPlane {
  const p = new DataPlane();
  planes.push(p);
  return p;
}

async function setup(o: { tap?: TapFactory; kind?: 'tcp' | 'http'; targetPort?: number; plain?: boolean } = {}): Promise<{ relay: RelayServer; agent: RelayAgent; port: number; port2: number; dp: DataPlane; exposure: ReturnType<RelayAgent['expose']> }> {
  const targetPort = o.targetPort ?? (await net.echoServer()).port;
  const port = await net.freePort();
  let port2 = await net.freePort();
  // The OS may hand the same free port out twice in a row.
  while (port2 === port) port2 = await net.freePort();
  const relay = await rf.relay({ agents: [{ ...agentPolicy('a1', TOKEN, port), allowPorts: [{ from: port, to: port }, { from: port2, to: port2 }] }], ...(o.plain ? { tls: false } : {}) });
  const dp = plane();
  const agent = rf.agent(relay, { agent: 'a1', token: TOKEN, dataPlane: dp, ...(o.plain ? { tls: false } : {}) });
  const exposure = agent.expose({ ref: 'r1', protocol: 'tcp', kind: o.kind ?? 'tcp', remotePort: port, target: { host: '127.0.0.1', port: targetPort }, ...(o.tap ? { tap: o.tap } : {}) });
  await bound(exposure);
  return { relay, agent, port, port2, dp, exposure };
}

async function poolReady(relay: RelayServer): Promise<void> {
  await waitFor(() => (relay.dataPool('a1')?.ready ?? 0) >= 1, 'a data connection in the relay pool');
}

async function echoed(port: number, up: Buffer): Promise<void> {
  expect(await net.roundTrip(port, up)).toEqual({ bytes: up.length, sha256: sha256(up) });
}

describe('relay agent data connections in the data plane', () => {
  it('are dialled and served by the worker: bytes intact both ways, counted in the shared meter, none dialled in this thread', async () => {
    const { relay, agent, port, exposure } = await setup();
    await poolReady(relay);
    const up = randomBytes(2 * MiB);
    await echoed(port, up);
    const stats = await agent.dataPlaneConnections();
    expect(stats?.dialled).toBeGreaterThanOrEqual(1);
    expect(stats?.opened).toBe(1);
    // No data connection was made in this thread.
    expect(agent.dataConnections()).toBeUndefined();
    expect(relay.dataPool('a1')?.taken).toBe(1);
    await waitFor(() => exposure.snapshot().activeConnections === 0, 'the connection to close in the meter');
    expect(exposure.snapshot()).toMatchObject({ bytesIn: up.length, bytesOut: up.length, totalConnections: 1 });
  });

  it('with tls: false the worker dials plain TCP data connections (the ticket still authenticates them)', async () => {
    const { relay, agent, port } = await setup({ plain: true });
    await poolReady(relay);
    await echoed(port, randomBytes(256 * 1024));
    expect(await agent.dataPlaneConnections()).toMatchObject({ opened: 1, failed: 0, certRefused: 0 });
  });

  it('lists a connection the worker carries and closes it on request', async () => {
    const { relay, port, exposure } = await setup();
    await poolReady(relay);
    const client = await net.connect(port);
    client.write('hello');
    await new Promise((r) => client.once('data', r));
    const rows = await exposure.allConnections();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toBeGreaterThanOrEqual(PLANE_ID_BASE);
    expect(rows[0]).toMatchObject({ state: 'open', bytesIn: 5, bytesOut: 5 });
    const ended = new Promise((r) => client.once('end', r));
    expect(await exposure.closeAnyConnection(rows[0]!.id)).toBe(true);
    // The relay passes the data connection's end on to the client (a FIN, as on the main-thread path).
    await ended;
    client.destroy();
    await waitFor(async () => (await exposure.allConnections()).length === 0, 'the closed connection to leave the list');
  });

  it('keeps data connections in this thread while an exposure has an inspector tap (the inspector parses here)', async () => {
    const seen: Buffer[] = [];
    const tap: TapFactory = () => ({ onClientChunk: (c) => seen.push(Buffer.from(c)), onTargetChunk: () => undefined, onEnd: () => undefined });
    const { relay, agent, port } = await setup({ tap });
    await waitFor(() => (agent.dataConnections()?.idle ?? 0) >= 1 && (relay.dataPool('a1')?.ready ?? 0) >= 1, 'a data connection dialled in this thread');
    await echoed(port, Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    expect(Buffer.concat(seen).toString()).toBe('GET / HTTP/1.1\r\n\r\n');
    expect(agent.dataConnections()?.opened).toBe(1);
    expect((await agent.dataPlaneConnections())?.opened ?? 0).toBe(0);
  });

  it('moves the session\'s next data connections to this thread when an exposure with a tap is added', async () => {
    const { relay, agent, port, port2, dp } = await setup();
    await poolReady(relay);
    const echo = await net.echoServer();
    const seen: Buffer[] = [];
    const tap: TapFactory = () => ({ onClientChunk: (c) => seen.push(Buffer.from(c)), onTargetChunk: () => undefined, onEnd: () => undefined });
    await bound(agent.expose({ ref: 'r2', protocol: 'tcp', kind: 'tcp', remotePort: port2, target: { host: '127.0.0.1', port: echo.port }, tap }));
    await waitFor(async () => ((await dp.agentSessionStats())[0]?.idle ?? -1) === 0 && (agent.dataConnections()?.idle ?? 0) >= 1, 'the worker to close its idle data connections and this thread to dial');
    await waitFor(() => (relay.dataPool('a1')?.ready ?? 0) >= 1, 'the relay pool to refill from this thread');
    await echoed(port2, Buffer.from('tapped'));
    expect(Buffer.concat(seen).toString()).toBe('tapped');
    // The first took the pool's connection; the next one must find another there, or it goes on an
    // HTTP/2 stream (the relay's fallback when the pool is empty) and opens no data connection.
    await waitFor(() => (relay.dataPool('a1')?.ready ?? 0) >= 1, 'the relay pool to refill from this thread');
    await echoed(port, Buffer.from('untapped'));
    expect(agent.dataConnections()?.opened).toBe(2);
  });

  it('logs the HTTP exchanges of a `kind: http` exposure served in the worker', async () => {
    const target = await net.server((sock) => {
      sock.once('data', () => sock.end('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n'));
    });
    const { relay, agent, port, exposure } = await setup({ kind: 'http', targetPort: target.port });
    await poolReady(relay);
    const exchange = new Promise((r) => exposure.once('http', r));
    const client = await net.connect(port);
    const got = readToEnd(client);
    client.write('GET /status?x=1 HTTP/1.1\r\nHost: a\r\n\r\n');
    expect((await got).text).toBe('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n');
    expect(await exchange).toMatchObject({ method: 'GET', path: '/status?x=1', status: 204, client: `127.0.0.1:${client.localPort}` });
    expect((await agent.dataPlaneConnections())?.opened).toBe(1);
  });

  it('closes the worker\'s data connections when the agent closes', async () => {
    const { relay, agent, dp } = await setup();
    await poolReady(relay);
    expect(await dp.agentSessionStats()).toHaveLength(1);
    await agent.close();
    expect(await dp.agentSessionStats()).toEqual([]);
    await waitFor(() => (relay.dataPool('a1')?.ready ?? 0) === 0, 'the relay to see the pool connections closed');
  });

  it('a killed data plane fails the exposure with DATA_PLANE_STOPPED; a new thread takes the next data connections', async () => {
    const { relay, agent, port, dp, exposure } = await setup();
    await poolReady(relay);
    const lost = new Promise<DataPlaneStoppedError>((r) => exposure.once('plane-lost', r));
    const first = dp.threadId;
    await dp.kill();
    const err = await lost;
    expect(err).toMatchObject({ code: 'DATA_PLANE_STOPPED', restartable: true });
    expect(err.message).toMatch(/^The data plane \(the thread that moves the bytes of TCP, UDP, SOCKS and relay mappings\) stopped unexpectedly/);
    await waitFor(async () => dp.threadId !== undefined && dp.threadId !== first && ((await agent.dataPlaneConnections())?.idle ?? 0) >= 1, 'a new thread to dial data connections', 15_000);
    await waitFor(() => (relay.dataPool('a1')?.ready ?? 0) >= 1, 'the relay pool to refill');
    await echoed(port, randomBytes(64 * 1024));
    expect((await agent.dataPlaneConnections())?.opened).toBe(1);
    expect(agent.dataConnections()).toBeUndefined();
  });

  it('the worker closes a data connection to a relay presenting another certificate before sending its ticket', async () => {
    const other = await rf.identity(true);
    let received = 0;
    let accepted = 0;
    const server = tlsServer({ cert: other.cert, key: other.key, minVersion: 'TLSv1.3', ALPNProtocols: ['porthole-relay/1'] }, (s) => {
      s.on('data', (d: Buffer) => (received += d.length));
      s.on('error', () => undefined);
    });
    server.on('connection', () => accepted++);
    server.on('tlsClientError', () => undefined);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const expected = (await rf.identity()).fingerprint;
    const events: PlaneEvent[] = [];
    const session = plane().agentSession(
      { relay: { host: '127.0.0.1', port }, tls: true, fingerprint: expected, session: 's1', key: randomBytes(32).toString('hex'), label: `relay 127.0.0.1:${port}`, connectTimeoutMs: 5000 },
      { event: (e) => events.push(e), lost: () => undefined },
    );
    await session.started;
    session.grant([1, 2], Date.now() + 30_000);
    await waitFor(async () => (await session.stats())?.certRefused === 2, 'both dials refused on the certificate');
    expect(await session.stats()).toMatchObject({ dialled: 0, certRefused: 2 });
    expect(accepted).toBe(2);
    expect(received).toBe(0);
    expect(events).toContainEqual(expect.objectContaining({ e: 'log', level: 'error', message: expect.stringContaining(`presented certificate ${other.fingerprint} on a data connection, not ${expected}`) }));
    await session.stop();
  });

  it('refuses to start a TLS session without a fingerprint to check (fails closed)', async () => {
    const dp = plane();
    const session = dp.agentSession(
      { relay: { host: '127.0.0.1', port: 1 }, tls: true, session: 's1', key: randomBytes(32).toString('hex'), label: 'relay', connectTimeoutMs: 5000 },
      { event: () => undefined, lost: () => undefined },
    );
    await expect(session.started).rejects.toThrow(/fingerprint: a TLS session needs the relay certificate's SHA-256 fingerprint/);
  });

  it('a ticket the relay refuses is counted as failed in the worker and not dialled again', async () => {
    const { relay } = await setup();
    await poolReady(relay);
    const { port } = relay.address!;
    const session = plane().agentSession(
      // A session the relay never made, with a key of its own: the relay refuses every ticket of it.
      { relay: { host: '127.0.0.1', port }, tls: true, fingerprint: (await rf.identity()).fingerprint, session: 'forged', key: randomBytes(32).toString('hex'), label: 'relay', connectTimeoutMs: 5000 },
      { event: () => undefined, lost: () => undefined },
    );
    session.grant([7], Date.now() + 30_000);
    // idle counts the socket until its 'close' event, a turn after the refusal is counted.
    await waitFor(async () => {
      const st = await session.stats();
      return st?.failed === 1 && st.idle === 0;
    }, 'the forged ticket to be refused and its connection closed');
    expect(await session.stats()).toMatchObject({ dialled: 1, failed: 1, opened: 0, idle: 0 });
    await session.stop();
  });
});
