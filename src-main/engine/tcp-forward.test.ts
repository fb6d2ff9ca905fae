import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOOPBACK, NetFixtures, closed, openTcpHandles, readToEnd, sha256, transfer, waitFor } from '../../test-support/net-fixtures';
import { readBuffersInUse, sweepIdleReaders } from './pooled-reader';
import { TcpForwarder } from './tcp-forward';
import type { TcpForwardOptions } from './tcp-forward';

const MiB = 1024 * 1024;

/** Every test below runs on both ways of splicing: Node's raw TCP handles (the default) and net.Socket. */
const PATHS = [
  { path: 'raw handles', rawHandles: true },
  { path: 'net.Socket', rawHandles: false },
];
let rawHandles = true;
let fx = new NetFixtures();
let forwarders: TcpForwarder[] = [];
let handlesBefore = 0;

beforeEach(() => {
  handlesBefore = openTcpHandles();
});

afterEach(async () => {
  await Promise.all(forwarders.map((f) => f.stop()));
  forwarders = [];
  await fx.cleanup();
  fx = new NetFixtures();
  // A closed server's handle is released one loop turn after its 'close' callback, hence the poll.
  await waitFor(() => openTcpHandles() <= handlesBefore, 'every TCP handle the test opened to be released');
});

async function forward(targetPort: number, extra: Partial<TcpForwardOptions> = {}) {
  const fwd = new TcpForwarder({
    listen: { host: LOOPBACK, port: 0 },
    target: { host: LOOPBACK, port: targetPort },
    rawHandles,
    ...extra,
  });
  forwarders.push(fwd);
  const { port } = await fwd.start();
  expect(fwd.usesRawHandles).toBe(rawHandles);
  return { fwd, port };
}

/**
 * Resolves once the forwarder has taken bytes from the target and then taken none for 300 ms: it has
 * stopped reading, because the client's side is full.
 */
async function stalled(fwd: TcpForwarder): Promise<void> {
  let last = -1;
  let sameSince = Date.now();
  await waitFor(
    () => {
      const now = fwd.meter.bytesOut;
      if (now !== last) {
        last = now;
        sameSince = Date.now();
      }
      return now > 0 && Date.now() - sameSince > 300;
    },
    'the forwarder to stop reading from the target',
    10_000,
  );
}

describe.each(PATHS)('TcpForwarder data path ($path)', (p) => {
  beforeEach(() => {
    rawHandles = p.rawHandles;
  });

  it('carries 16 MiB of random bytes to an echo target and back intact, and meters both directions', async () => {
    const echo = await fx.echoServer();
    const { fwd, port } = await forward(echo.port);
    const payload = randomBytes(16 * MiB);
    const closeEvent = once(fwd, 'connection-close');

    const client = await fx.connect(port);
    const clientAddress = `${LOOPBACK}:${client.localPort}`;
    const received = readToEnd(client);
    client.end(payload);
    const got = await received;

    expect(got.bytes).toBe(16 * MiB);
    expect(got.sha256).toBe(sha256(payload));
    const [closedInfo] = await closeEvent;
    expect(closedInfo).toMatchObject({ id: 1, bytesIn: 16 * MiB, bytesOut: 16 * MiB });
    expect(closedInfo.client).toBe(clientAddress);
    expect(fwd.meter.snapshot()).toEqual({
      bytesIn: 16 * MiB,
      bytesOut: 16 * MiB,
      activeConnections: 0,
      totalConnections: 1,
    });
  });

  it("passes the client's FIN to the target and still delivers the target's full reply afterwards", async () => {
    const reply = randomBytes(2 * MiB);
    const target = await fx.server((socket) => {
      let seen = 0;
      socket.on('data', (chunk: Buffer) => (seen += chunk.length));
      // Replies only after the client's FIN arrived, like a request/response protocol that reads to EOF.
      socket.once('end', () => {
        socket.write(`saw ${seen} bytes then EOF\n`);
        socket.end(reply);
      });
    });
    const { fwd, port } = await forward(target.port);
    const client = await fx.connect(port);
    const received = readToEnd(client);

    client.end(randomBytes(300_000));
    const got = await received;

    const header = 'saw 300000 bytes then EOF\n';
    expect(got.text.startsWith(header)).toBe(true);
    expect(got.bytes).toBe(header.length + reply.length);
    await waitFor(() => fwd.connectionCount === 0, 'the connection to close');
    expect(fwd.meter.bytesOut).toBe(header.length + reply.length);
  });

  it("passes the target's FIN to the client while the client keeps sending to the target", async () => {
    let targetGot: Promise<{ bytes: number; sha256: string }> | undefined;
    const target = await fx.server((socket) => {
      targetGot = readToEnd(socket);
      socket.end('bye\n');
    });
    const { fwd, port } = await forward(target.port);
    const client = await fx.connect(port);

    const fromTarget = await readToEnd(client);
    expect(fromTarget.text).toBe('bye\n');
    const upload = randomBytes(4 * MiB);
    client.end(upload);

    await waitFor(() => targetGot !== undefined, 'the target to accept');
    const got = await targetGot!;
    expect(got).toMatchObject({ bytes: upload.length, sha256: sha256(upload) });
    await closed(client);
    await waitFor(() => fwd.connectionCount === 0, 'the connection to close');
  });

  it('echoes a distinct payload on each of 200 concurrent connections and settles the meters', async () => {
    const echo = await fx.echoServer();
    const { fwd, port } = await forward(echo.port);
    const closes: number[] = [];
    fwd.on('connection-close', (c) => closes.push(c.id));

    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const payload = Buffer.concat([Buffer.from(`connection ${i}\n`), randomBytes(16_384 + i * 97)]);
        const client = await fx.connect(port);
        const received = readToEnd(client);
        client.end(payload);
        const got = await received;
        expect(got.sha256).toBe(sha256(payload));
        expect(got.text.startsWith(`connection ${i}\n`)).toBe(true);
      }),
    );

    await waitFor(() => fwd.meter.activeConnections === 0, 'all 200 connections to close');
    expect(fwd.meter.totalConnections).toBe(200);
    expect(fwd.connectionCount).toBe(0);
    expect(new Set(closes).size).toBe(200);
  });

  it('a connection idle after bulk reads both ways gives its read buffers back and carries on intact', async () => {
    const echo = await fx.echoServer();
    const { fwd, port } = await forward(echo.port);
    const before = readBuffersInUse();
    const client = await fx.connect(port);
    const roundTrip = transfer(client, client);
    const echoed = roundTrip.send;
    // 32 KiB in one write is one loopback segment, read at once each way: both directions now read into pool buffers.
    await echoed(32 * 1024);
    expect(readBuffersInUse()).toBe(before + 2);
    sweepIdleReaders(0);
    sweepIdleReaders(0);
    expect(readBuffersInUse()).toBe(before);
    await echoed(4 * MiB);
    expect(roundTrip.intact()).toBe(true);
    client.end();
    await closed(client);
    await waitFor(() => fwd.connectionCount === 0, 'the connection to close');
    expect(readBuffersInUse()).toBe(before);
  });

  it('keeps that bound when the target sends 256 KiB bursts, each filling a read exactly', async () => {
    // A read that fills its buffer is followed by one that finds nothing yet (libuv reports 0 bytes);
    // that must not count as the end of reading, or backpressure is lost for good and the forwarder
    // takes the whole download into memory (it did, on the raw path, before the fix).
    const burst = randomBytes(256 * 1024);
    const bursts = 160; // 40 MiB
    const target = await fx.server((socket) => {
      let left = bursts;
      const next = (): void => {
        if (left-- === 0) {
          socket.end();
          return;
        }
        if (socket.write(burst)) setTimeout(next, 1);
        else socket.once('drain', () => setTimeout(next, 1));
      };
      next();
    });
    const before = readBuffersInUse();
    const { fwd, port } = await forward(target.port);
    const client = await fx.connect(port);
    client.pause();
    await stalled(fwd);
    expect(fwd.meter.bytesOut).toBeLessThan(8 * MiB);
    // One buffer being written to the client and one for the next read, at most.
    expect(readBuffersInUse() - before).toBeLessThanOrEqual(2);

    const got = await readToEnd(client.resume());
    expect(got.bytes).toBe(bursts * burst.length);
    expect(got.sha256).toBe(sha256(Buffer.concat(Array.from({ length: bursts }, () => burst))));
  });

  it('holds only a bounded amount of data for a client that does not read, then delivers it all', async () => {
    const total = 64 * MiB;
    const blob = randomBytes(total);
    const target = await fx.server((socket) => socket.end(blob));
    const { fwd, port } = await forward(target.port);
    const client = await fx.connect(port);
    client.pause();

    // The forwarder is stalled when the target still has unsent data and the forwarder has stopped
    // taking more from it. Without backpressure it would swallow all 64 MiB and the target's queue would empty.
    await waitFor(() => target.accepted.length === 1, 'the target to accept');
    const targetSide = target.accepted[0]!;
    await stalled(fwd);
    const taken = fwd.meter.bytesOut;
    const unsentAtTarget = targetSide.writableLength;
    // What the forwarder took is what fills the kernel buffers of two loopback sockets (a few MiB at
    // most with Linux autotuning) plus at most one high-water mark in the forwarder itself.
    expect(taken).toBeLessThan(8 * MiB);
    expect(unsentAtTarget).toBeGreaterThan(total - 24 * MiB);

    const got = await readToEnd(client.resume());
    expect(got.bytes).toBe(total);
    expect(got.sha256).toBe(sha256(blob));
  });

  it('stop() frees the port, destroys both sides of every connection and leaves nothing open', async () => {
    const echo = await fx.echoServer();
    const { fwd, port } = await forward(echo.port);
    const clients = await Promise.all([1, 2, 3].map(() => fx.connect(port)));
    // A round trip on each proves both the client side and the target side are established.
    await Promise.all(
      clients.map(async (c, i) => {
        c.write(`ping ${i}`);
        const [data] = (await once(c, 'data')) as [Buffer];
        expect(data.toString()).toBe(`ping ${i}`);
      }),
    );
    expect(fwd.connectionCount).toBe(3);
    expect(echo.accepted).toHaveLength(3);

    const closeEvents: number[] = [];
    fwd.on('connection-close', (c) => closeEvents.push(c.id));
    await fwd.stop();

    expect(fwd.connectionCount).toBe(0);
    expect(fwd.meter.activeConnections).toBe(0);
    expect(closeEvents.sort()).toEqual([1, 2, 3]);
    await Promise.all([...clients.map(closed), ...echo.accepted.map(closed)]);
    expect(echo.accepted.every((s) => s.destroyed)).toBe(true);
    await expect(fwd.stop()).resolves.toBeUndefined();

    const rebound = net.createServer();
    await new Promise<void>((resolve, reject) => {
      rebound.once('error', reject);
      rebound.listen(port, LOOPBACK, () => resolve());
    });
    await new Promise((resolve) => rebound.close(resolve));
  });

  it('can be started again after stop() on the same port', async () => {
    const echo = await fx.echoServer();
    // Bound again after stop(): a port outside the ephemeral range (see stablePort).
    const { fwd, port } = await forward(echo.port, { listen: { host: LOOPBACK, port: await fx.stablePort() } });
    await fwd.stop();
    const fwd2 = new TcpForwarder({ listen: { host: LOOPBACK, port }, target: { host: LOOPBACK, port: echo.port }, rawHandles });
    forwarders.push(fwd2);
    await expect(fwd2.start()).resolves.toEqual({ host: LOOPBACK, port });
    await fwd2.stop();
    await expect(fwd2.start()).resolves.toEqual({ host: LOOPBACK, port });
    const client = await fx.connect(port);
    const received = readToEnd(client);
    client.end('again');
    expect((await received).text).toBe('again');
  });

  it('listens on IPv6 loopback and reports bracketed client addresses', async () => {
    const echo = await fx.echoServer();
    const fwd = new TcpForwarder({ listen: { host: '::1', port: 0 }, target: { host: LOOPBACK, port: echo.port }, rawHandles });
    forwarders.push(fwd);
    const bound = await fwd.start();
    expect(bound.host).toBe('::1');
    const opened = once(fwd, 'connection-open');
    const client = fx.socket(net.connect({ host: '::1', port: bound.port }));
    const received = readToEnd(client);
    client.end('v6');
    expect((await received).text).toBe('v6');
    const [info] = await opened;
    expect(info.client).toMatch(/^\[::1\]:\d+$/);
  });
});
