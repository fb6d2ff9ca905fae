import dns from 'node:dns';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../test-support/tmp';
import { LOOPBACK4, LOOPBACK6, UdpFixtures, openUdpHandles } from '../../test-support/udp-fixtures';
import type { UdpPeer } from '../../test-support/udp-fixtures';
import { UdpForwarder } from './udp-forward';
import type { UdpForwardOptions, UdpForwarderEvents } from './udp-forward';

let fx = new UdpFixtures();
let forwarders: UdpForwarder[] = [];
let handlesBefore = 0;

beforeEach(() => {
  handlesBefore = openUdpHandles();
});

afterEach(async () => {
  await Promise.all(forwarders.map((f) => f.stop()));
  forwarders = [];
  await fx.cleanup();
  fx = new UdpFixtures();
  // A closed socket's handle is released one loop turn after its 'close' event, hence the poll.
  await waitFor(() => openUdpHandles() <= handlesBefore, 'every UDP handle the test opened to be released');
});

async function forward(target: UdpPeer | { host: string; port: number }, extra: Partial<UdpForwardOptions> = {}) {
  const fwd = new UdpForwarder({
    listen: { host: target.host.includes(':') ? LOOPBACK6 : LOOPBACK4, port: 0 },
    target: { host: target.host, port: target.port },
    ...extra,
  });
  forwarders.push(fwd);
  const { host, port } = await fwd.start();
  return { fwd, host, port };
}

/** Records every event of one kind, for assertions after the fact. */
function record<K extends keyof UdpForwarderEvents>(fwd: UdpForwarder, event: K): UdpForwarderEvents[K][0][] {
  const seen: UdpForwarderEvents[K][0][] = [];
  const listener = (...args: UdpForwarderEvents[K]): void => {
    seen.push(args[0]);
  };
  // TS cannot resolve EventEmitter<T>'s conditional listener type for a generic key; it is this one.
  fwd.on(event, listener as Parameters<typeof fwd.on<K>>[1]);
  return seen;
}

function send(peer: UdpPeer, payload: Buffer | string, port: number, host = LOOPBACK4): void {
  peer.socket.send(payload, port, host);
}

describe('UdpForwarder data path', () => {
  it('gives three concurrent clients exactly their own echoes and meters bytes and packets both ways', async () => {
    const echo = await fx.echoServer();
    const { fwd, port } = await forward(echo);
    const clients = await Promise.all([fx.client(), fx.client(), fx.client()]);
    const perClient = 50;
    let bytes = 0;
    for (let n = 0; n < perClient; n++) {
      clients.forEach((c, i) => {
        const payload = `client-${i}-datagram-${n}`;
        bytes += payload.length;
        send(c, payload, port);
      });
    }
    await Promise.all(clients.map((c, i) => c.inbox.until(perClient, `client ${i}'s echoes`)));

    clients.forEach((c, i) => {
      const got = c.inbox.messages.map((m) => m.toString()).sort();
      const want = Array.from({ length: perClient }, (_, n) => `client-${i}-datagram-${n}`).sort();
      expect(got).toEqual(want);
      // Replies come from the port the client sent to.
      expect(c.inbox.senders.every((s) => s.port === port && s.address === LOOPBACK4)).toBe(true);
    });
    // One upstream socket per client: the target saw three distinct source ports.
    expect(new Set(echo.inbox.senders.map((s) => s.port)).size).toBe(3);
    expect(fwd.meter.udpSnapshot()).toEqual({
      bytesIn: bytes,
      bytesOut: bytes,
      packetsIn: 3 * perClient,
      packetsOut: 3 * perClient,
      activeConnections: 3,
      totalConnections: 3,
      dropped: 0,
      refused: 0,
    });
    expect(fwd.meter.snapshot()).toEqual({ bytesIn: bytes, bytesOut: bytes, activeConnections: 3, totalConnections: 3 });
    const table = fwd.sessions().sort((a, b) => a.id - b.id);
    expect(table.map((s) => s.client).sort()).toEqual(clients.map((c) => `${LOOPBACK4}:${c.port}`).sort());
    for (const s of table) expect(s).toMatchObject({ packetsIn: perClient, packetsOut: perClient });
  });

  it('forwards datagrams that arrive while the upstream socket is still connecting, up to its queue bound', async () => {
    const echo = await fx.echoServer();
    const { fwd, port } = await forward(echo);
    const client = await fx.client();
    // All sent before the forwarder's event loop runs, so they reach it while the session is opening.
    for (let n = 0; n < 100; n++) send(client, `early-${n}`, port);

    await waitFor(() => fwd.meter.packetsIn + fwd.meter.dropped === 100, 'every early datagram to be forwarded or dropped');
    // The first 64 always fit the queue; anything past the bound may be dropped, never duplicated.
    expect(fwd.meter.packetsIn).toBeGreaterThanOrEqual(64);
    await client.inbox.until(fwd.meter.packetsIn, 'the echoes of the forwarded datagrams');
    expect(new Set(client.inbox.messages.map(String)).size).toBe(fwd.meter.packetsIn);
    expect(client.inbox.messages.slice(0, 64).map(String)).toEqual(Array.from({ length: 64 }, (_, n) => `early-${n}`));
  });

  it('echoes through an IPv6 listener on ::1 to an IPv6 target on ::1', async () => {
    const echo = await fx.echoServer(LOOPBACK6);
    const { fwd, host, port } = await forward(echo);
    expect(host).toBe(LOOPBACK6);
    const opened = once(fwd, 'session-open');
    const client = await fx.client(LOOPBACK6);
    send(client, 'over v6', port, LOOPBACK6);
    await client.inbox.until(1);

    expect(client.inbox.messages[0]?.toString()).toBe('over v6');
    const [info] = await opened;
    expect(info.client).toBe(`[::1]:${client.port}`);
    expect(fwd.meter.udpSnapshot()).toMatchObject({ packetsIn: 1, packetsOut: 1, bytesIn: 7, bytesOut: 7 });
  });

  it('serves IPv4 clients on a dual-stack :: listener, naming them by their plain IPv4 address', async () => {
    const echo = await fx.echoServer();
    const fwd = new UdpForwarder({ listen: { host: '::', port: 0 }, target: { host: LOOPBACK4, port: echo.port } });
    forwarders.push(fwd);
    const { port } = await fwd.start();
    const opened = once(fwd, 'session-open');
    const client = await fx.client();
    send(client, 'v4 via dual stack', port);
    await client.inbox.until(1);

    expect(client.inbox.messages[0]?.toString()).toBe('v4 via dual stack');
    const [info] = await opened;
    expect(info.client).toBe(`${LOOPBACK4}:${client.port}`);
  });

  it('resolves a target given as the name localhost', async () => {
    const { address } = await dns.promises.lookup('localhost');
    const echo = await fx.echoServer(address);
    const { port } = await forward({ host: 'localhost', port: echo.port }, { listen: { host: LOOPBACK4, port: 0 } });
    const client = await fx.client();
    send(client, 'by name', port);
    await client.inbox.until(1);
    expect(client.inbox.messages[0]?.toString()).toBe('by name');
  });

  it('carries a burst of 20 000 datagrams of 512 bytes without loss when paced in echoed batches', async () => {
    const echo = await fx.echoServer();
    const { fwd, port } = await forward(echo);
    const client = await fx.client();
    const total = 20_000;
    const batch = 250;
    const size = 512;
    for (let start = 0; start < total; start += batch) {
      for (let seq = start; seq < start + batch; seq++) {
        const payload = Buffer.alloc(size, seq % 251);
        payload.writeUInt32BE(seq, 0);
        client.socket.send(payload, port, LOOPBACK4);
      }
      await client.inbox.until(start + batch, `the echoes of datagrams ${start}–${start + batch - 1}`);
    }

    const seen = new Set<number>();
    let damaged = 0;
    for (const msg of client.inbox.messages) {
      const seq = msg.readUInt32BE(0);
      if (msg.length !== size || msg[size - 1] !== seq % 251) damaged += 1;
      seen.add(seq);
    }
    expect(damaged).toBe(0);
    expect(client.inbox.count).toBe(total);
    expect(seen.size).toBe(total);
    expect(fwd.meter.udpSnapshot()).toMatchObject({
      packetsIn: total,
      packetsOut: total,
      bytesIn: total * size,
      bytesOut: total * size,
      dropped: 0,
      totalConnections: 1,
    });
  });
});

describe('UdpForwarder sessions', () => {
  it('closes a session idle for idleTimeoutMs with reason idle, releases its socket, and opens a new one on the next datagram', async () => {
    const echo = await fx.echoServer();
    const { fwd, port } = await forward(echo, { idleTimeoutMs: 200 });
    const client = await fx.client();
    const handlesWithFixtures = openUdpHandles() + 1; // + the session's upstream socket
    send(client, 'first', port);
    await client.inbox.until(1);
    const lastReplyAt = Date.now();
    expect(openUdpHandles()).toBe(handlesWithFixtures);

    const [closedInfo] = await once(fwd, 'session-close');
    expect(closedInfo).toMatchObject({ id: 1, reason: 'idle', packetsIn: 1, packetsOut: 1, bytesIn: 5, bytesOut: 5 });
    // Not expired early: the reply left the forwarder just before lastReplyAt.
    expect(Date.now() - lastReplyAt).toBeGreaterThanOrEqual(150);
    expect(fwd.meter.activeConnections).toBe(0);
    expect(fwd.sessions()).toEqual([]);
    await waitFor(() => openUdpHandles() === handlesWithFixtures - 1, 'the idle session to release its upstream socket');

    const reopened = once(fwd, 'session-open');
    send(client, 'second', port);
    await client.inbox.until(2);
    const [info] = await reopened;
    expect(info.id).toBe(2);
    expect(client.inbox.messages[1]?.toString()).toBe('second');
    expect(fwd.meter.snapshot()).toMatchObject({ activeConnections: 1, totalConnections: 2 });
  });

  it('keeps a session alive while datagrams keep flowing within idleTimeoutMs', async () => {
    const echo = await fx.echoServer();
    const { fwd, port } = await forward(echo, { idleTimeoutMs: 300 });
    const closes = record(fwd, 'session-close');
    const client = await fx.client();
    const startedAt = Date.now();
    let n = 0;
    // Traffic every ~100 ms for 3 idle periods: the session must survive the whole time.
    while (Date.now() - startedAt < 900) {
      send(client, `tick-${n}`, port);
      n += 1;
      await client.inbox.until(n);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(closes).toEqual([]);
    expect(fwd.meter.totalConnections).toBe(1);
  });

  it('refuses a third client when maxSessions is 2, keeps its datagram from the target, and keeps serving the first two', async () => {
    const echo = await fx.echoServer();
    const { fwd, port } = await forward(echo, { maxSessions: 2 });
    const [a, b, c] = await Promise.all([fx.client(), fx.client(), fx.client()]);
    if (!a || !b || !c) throw new Error('clients not created');
    send(a, 'a1', port);
    send(b, 'b1', port);
    await Promise.all([a.inbox.until(1), b.inbox.until(1)]);

    const refused = once(fwd, 'session-refused');
    send(c, 'c1', port);
    const [refusal] = await refused;
    expect(refusal).toEqual({ client: `${LOOPBACK4}:${c.port}`, reason: 'max-sessions' });

    send(a, 'a2', port);
    send(b, 'b2', port);
    await Promise.all([a.inbox.until(2), b.inbox.until(2)]);
    expect(echo.inbox.messages.map(String).sort()).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(c.inbox.count).toBe(0);
    expect(fwd.meter.udpSnapshot()).toMatchObject({ refused: 1, activeConnections: 2, totalConnections: 2 });
  });

  it('drops datagrams from sources the allow predicate rejects before opening any upstream socket', async () => {
    const echo = await fx.echoServer();
    const asked: string[] = [];
    const { fwd, port } = await forward(echo, {
      allow: (address) => {
        asked.push(address);
        return address === LOOPBACK4;
      },
    });
    const opens = record(fwd, 'session-open');
    const refusals = record(fwd, 'session-refused');
    // Linux routes all of 127.0.0.0/8 to loopback, so 127.0.0.2 is a second local source address.
    const stranger = await fx.client('127.0.0.2');
    const handles = openUdpHandles();
    send(stranger, 'let me in', port);
    send(stranger, 'please', port);
    await waitFor(() => fwd.meter.refused === 2, 'both datagrams to be refused');
    expect(openUdpHandles()).toBe(handles);

    const friend = await fx.client();
    send(friend, 'hello', port);
    await friend.inbox.until(1);

    expect(echo.inbox.messages.map(String)).toEqual(['hello']);
    expect(stranger.inbox.count).toBe(0);
    expect(asked).toEqual(['127.0.0.2', '127.0.0.2', LOOPBACK4]);
    expect(refusals).toEqual([
      { client: `127.0.0.2:${stranger.port}`, reason: 'not-allowed' },
      { client: `127.0.0.2:${stranger.port}`, reason: 'not-allowed' },
    ]);
    expect(opens.map((o) => o.client)).toEqual([`${LOOPBACK4}:${friend.port}`]);
    expect(fwd.meter.udpSnapshot()).toMatchObject({ refused: 2, totalConnections: 1, packetsIn: 1 });
  });

  it('reports TARGET_REFUSED and closes the session with reason error when nothing listens on the target port', async () => {
    const target = { host: LOOPBACK4, port: await fx.freePort() };
    const { fwd, port } = await forward(target);
    const errored = once(fwd, 'session-error');
    const closedEvent = once(fwd, 'session-close');
    const client = await fx.client();
    send(client, 'anyone there?', port);

    const [failure] = await errored;
    expect(failure.error.code).toBe('TARGET_REFUSED');
    expect(failure.error.message).toContain(`UDP ${LOOPBACK4}:${target.port}`);
    expect(failure.client).toBe(`${LOOPBACK4}:${client.port}`);
    const [closedInfo] = await closedEvent;
    expect(closedInfo).toMatchObject({ id: failure.id, reason: 'error', packetsIn: 1 });
    expect(fwd.meter.activeConnections).toBe(0);
  });

  it('closeSession ends one session with reason closed and leaves the others running', async () => {
    const echo = await fx.echoServer();
    const { fwd, port } = await forward(echo);
    const [a, b] = await Promise.all([fx.client(), fx.client()]);
    if (!a || !b) throw new Error('clients not created');
    send(a, 'a', port);
    send(b, 'b', port);
    await Promise.all([a.inbox.until(1), b.inbox.until(1)]);
    const idOfA = fwd.sessions().find((s) => s.client.endsWith(`:${a.port}`))?.id ?? -1;

    const closedEvent = once(fwd, 'session-close');
    expect(fwd.closeSession(idOfA)).toBe(true);
    const [closedInfo] = await closedEvent;
    expect(closedInfo).toMatchObject({ id: idOfA, reason: 'closed' });
    expect(fwd.closeSession(idOfA)).toBe(false);
    expect(fwd.sessions().map((s) => s.client)).toEqual([`${LOOPBACK4}:${b.port}`]);

    send(b, 'b again', port);
    await b.inbox.until(2);
    expect(fwd.meter.activeConnections).toBe(1);
  });
});

describe('UdpForwarder lifecycle', () => {
  it('stop() closes every session with reason stopped, frees the listen port and releases every UDP handle', async () => {
    const baseline = openUdpHandles();
    const echo = await fx.echoServer();
    const { fwd, port } = await forward(echo);
    const closes = record(fwd, 'session-close');
    const [a, b] = await Promise.all([fx.client(), fx.client()]);
    if (!a || !b) throw new Error('clients not created');
    send(a, 'a', port);
    send(b, 'b', port);
    await Promise.all([a.inbox.until(1), b.inbox.until(1)]);
    // echo + 2 clients + listener + 2 upstream sockets
    expect(openUdpHandles()).toBe(baseline + 6);

    await Promise.all([fwd.stop(), fwd.stop()]);
    await fwd.stop();

    expect(closes.map((c) => c.reason)).toEqual(['stopped', 'stopped']);
    expect(fwd.meter.activeConnections).toBe(0);
    await waitFor(() => openUdpHandles() === baseline + 3, 'the listener and both upstream sockets to be released');
    const rebound = await fx.bind(LOOPBACK4, port);
    expect(rebound.port).toBe(port);
  });

  it('can be started again after stop()', async () => {
    const echo = await fx.echoServer();
    const { fwd } = await forward(echo);
    await fwd.stop();
    const { port } = await fwd.start();
    const client = await fx.client();
    send(client, 'again', port);
    await client.inbox.until(1);
    expect(client.inbox.messages[0]?.toString()).toBe('again');
  });

  it('rejects start() with PORT_IN_USE when another UDP socket holds the port, and holds no socket', async () => {
    const holder = await fx.bind(LOOPBACK4);
    const handles = openUdpHandles();
    const fwd = new UdpForwarder({ listen: { host: LOOPBACK4, port: holder.port }, target: { host: LOOPBACK4, port: 9 } });
    forwarders.push(fwd);

    await expect(fwd.start()).rejects.toMatchObject({ code: 'PORT_IN_USE' });
    await waitFor(() => openUdpHandles() === handles, 'the failed listener to release its handle');
    // A failed start leaves the forwarder startable again.
    await expect(fwd.start()).rejects.toMatchObject({ code: 'PORT_IN_USE' });
  });

  it('rejects start() with ADDRESS_NOT_AVAILABLE for an address that is not this machine’s', async () => {
    // 192.0.2.0/24 is TEST-NET-1, reserved for documentation: never assigned to a local interface.
    const fwd = new UdpForwarder({ listen: { host: '192.0.2.1', port: 0 }, target: { host: LOOPBACK4, port: 9 } });
    forwarders.push(fwd);
    await expect(fwd.start()).rejects.toMatchObject({ code: 'ADDRESS_NOT_AVAILABLE' });
  });

  it('stops cleanly while start() is still binding', async () => {
    const echo = await fx.echoServer();
    const fwd = new UdpForwarder({ listen: { host: LOOPBACK4, port: 0 }, target: { host: LOOPBACK4, port: echo.port } });
    forwarders.push(fwd);
    const started = fwd.start();
    await fwd.stop();
    await started;
    expect(fwd.sessionCount).toBe(0);
  });

  it('never lets an upstream socket error escape as an unhandled error event', async () => {
    // A target port of 0 cannot be connected to: the session fails, the process does not.
    const { fwd, port } = await forward({ host: LOOPBACK4, port: 0 });
    const errored = once(fwd, 'session-error');
    const client = await fx.client();
    send(client, 'x', port);
    const [failure] = await errored;
    expect(failure.error.code).toBeDefined();
    await waitFor(() => fwd.meter.activeConnections === 0, 'the failed session to close');
  });
});
