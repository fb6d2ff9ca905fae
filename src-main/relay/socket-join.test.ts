import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { closed, LOOPBACK, NetFixtures, readToEnd, sha256, transfer, waitFor } from '../../test-support/net-fixtures';
import { RelayFixtures } from '../../test-support/relay-fixtures';
import { readBuffersInUse, sweepIdleReaders } from '../engine/pooled-reader';
import { encodeFrame } from './data-wire';
import { RawReader } from './raw-reader';
import { joinSockets } from './socket-join';

// joinSockets() is the whole data path of a relay data connection, on both sides: a TLS socket (the data
// connection) joined to a TCP one (the public client, or the agent's target), after frames were read
// off the TLS socket.

const MiB = 1024 * 1024;
const net = new NetFixtures();
const rf = new RelayFixtures();
const tlsSockets = new Set<Socket>();
afterEach(async () => {
  await Promise.all([...tlsSockets].map((s) => (s.destroy(), closed(s))));
  tlsSockets.clear();
  await net.cleanup();
  await rf.cleanup();
});

/** A TLS connection on loopback: [the accepted (server) side, the dialling side], both half-open. */
async function tlsPair(): Promise<[tls.TLSSocket, tls.TLSSocket]> {
  const id = await rf.identity();
  let accepted: tls.TLSSocket | undefined;
  const server = tls.createServer({ cert: id.cert, key: id.key, allowHalfOpen: true }, (s) => {
    accepted = s;
    tlsSockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, LOOPBACK, r));
  const port = (server.address() as { port: number }).port;
  const dialled = tls.connect({ host: LOOPBACK, port, rejectUnauthorized: false });
  dialled.allowHalfOpen = true; // (as the agent's data connections: tls.connect's options have no such field)
  tlsSockets.add(dialled);
  dialled.on('error', () => undefined);
  await new Promise<void>((r) => dialled.once('secureConnect', () => r()));
  await waitFor(() => accepted?.readyState === 'open', 'the TLS server to accept');
  server.close(); // stops listening; the connection lives on
  return [accepted!, dialled];
}

/** A TCP connection on loopback: [the accepted side, the dialling side], both half-open. */
async function tcpPair(): Promise<[Socket, Socket]> {
  const srv = await net.server();
  const dialled = await net.connect(srv.port);
  await waitFor(() => srv.accepted.length === 1, 'the TCP server to accept');
  return [srv.accepted[0]!, dialled];
}

/** Every 'data' event a socket emits from now on (none while it reads through onread). */
function dataEvents(s: Socket): { n: number } {
  const seen = { n: 0 };
  s.on('data', () => seen.n++);
  return seen;
}

/**
 * a joined to b, 32 MiB sent into a while b's peer reads nothing: b's buffer fills and a stops reading
 * (its handle is told to stop) with little held; once b's peer reads, all of it arrives intact.
 */
async function expectHeldUntilRead(a: Socket, aPeer: Socket, b: Socket, bPeer: Socket): Promise<void> {
  joinSockets(a, b, { closed: () => undefined });
  bPeer.pause();
  const payload = randomBytes(32 * MiB);
  aPeer.end(payload);
  await waitFor(() => b.writableLength > 0 && (a as unknown as { _handle: { reading: boolean } })._handle.reading === false, 'the joined source to stop reading');
  expect(b.writableLength).toBeLessThan(4 * MiB);
  expect(a.bytesRead).toBeLessThan(payload.length);
  const got = readToEnd(bPeer);
  bPeer.resume();
  expect(await got).toMatchObject({ bytes: payload.length, sha256: sha256(payload) });
}

describe('joinSockets', () => {
  it('carries 8 MiB each way between a TLS and a TCP socket, intact, through caller buffers (no data events), FIN passed on both ways', async () => {
    const [a, aPeer] = await tlsPair();
    const [b, bPeer] = await tcpPair();
    const counted = { a: 0, b: 0 };
    let result: boolean | undefined;
    joinSockets(a, b, { fromA: (c) => (counted.a += c.length), fromB: (c) => (counted.b += c.length), closed: (aborted) => (result = aborted) });
    const events = { a: dataEvents(a), b: dataEvents(b) };
    const up = randomBytes(8 * MiB);
    const down = randomBytes(8 * MiB);
    const gotUp = readToEnd(bPeer);
    const gotDown = readToEnd(aPeer);
    aPeer.end(up);
    bPeer.end(down);
    expect(await gotUp).toMatchObject({ bytes: up.length, sha256: sha256(up) });
    expect(await gotDown).toMatchObject({ bytes: down.length, sha256: sha256(down) });
    // (socket.closed turns true a tick before the 'close' listeners run: wait for the join's own report.)
    await waitFor(() => result !== undefined, 'the join to report both sockets closed');
    expect(counted).toEqual({ a: up.length, b: down.length });
    expect(events).toEqual({ a: { n: 0 }, b: { n: 0 } });
    expect(result).toBe(false);
  });

  it('sends what a frame reader read past its frame first, in order, then the rest (held until released)', async () => {
    const [data, agent] = await tlsPair();
    const [pub, client] = await tcpPair();
    // The agent's reply frame and its first bytes arrive in one write, as they can on the wire.
    const reader = new RawReader(data, 5000);
    const frame = reader.readChecked((j) => j as { ok: boolean }, 'reply');
    const join = joinSockets(pub, data, { closed: () => undefined }, { holdB: true });
    const first = randomBytes(3000);
    const rest = randomBytes(2 * MiB);
    const got = readToEnd(client);
    agent.write(Buffer.concat([encodeFrame({ ok: true }), first]));
    expect(await frame).toEqual({ ok: true });
    reader.detach();
    join.releaseB();
    agent.end(rest);
    const both = Buffer.concat([first, rest]);
    expect(await got).toMatchObject({ bytes: both.length, sha256: sha256(both) });
  });

  it('holds the sender when the far reader stops: the source stops reading, nothing piles up, all arrives once read', async () => {
    const [a, aPeer] = await tcpPair();
    const [b, bPeer] = await tlsPair();
    await expectHeldUntilRead(a, aPeer, b, bPeer);
  });

  it('gathers a TLS source\'s records (16 KiB each) into bigger writes, and writes what it gathered before passing the FIN on', async () => {
    const [a, aPeer] = await tlsPair();
    const [b, bPeer] = await tcpPair();
    const writes: number[] = [];
    const write = b.write.bind(b) as (chunk: Buffer, cb?: () => void) => boolean;
    (b as unknown as { write: typeof write }).write = (chunk, cb) => (writes.push(chunk.length), write(chunk, cb));
    joinSockets(a, b, { closed: () => undefined });
    // A whole number of full records, so the last ones are still gathered when the FIN is read.
    const payload = randomBytes(8 * MiB);
    const got = readToEnd(bPeer);
    aPeer.end(payload);
    expect(await got).toMatchObject({ bytes: payload.length, sha256: sha256(payload) });
    const records = payload.length / (16 * 1024);
    expect(writes.reduce((x, y) => x + y, 0)).toBe(payload.length);
    expect(Math.max(...writes)).toBeGreaterThan(16 * 1024);
    expect(Math.max(...writes)).toBeLessThanOrEqual(256 * 1024);
    expect(writes.length).toBeLessThan(records / 2);
  });

  it('a TLS source whose far reader stops is held too: it stops reading with its records gathered, all arrives once read', async () => {
    const [a, aPeer] = await tlsPair();
    const [b, bPeer] = await tcpPair();
    await expectHeldUntilRead(a, aPeer, b, bPeer);
  });

  it('a join idle after bulk transfers both ways gives its read buffers back, then carries on intact', async () => {
    const [a, aPeer] = await tlsPair();
    const [b, bPeer] = await tcpPair();
    const before = readBuffersInUse();
    joinSockets(a, b, { closed: () => undefined });
    const up = transfer(aPeer, bPeer);
    const down = transfer(bPeer, aPeer);
    const both = (bytes: number) => Promise.all([up.send(bytes), down.send(bytes)]);
    await both(8 * MiB);
    // The TLS source's last records were gathered into a pool buffer (≥ 16 KiB: kept for the next read).
    expect(readBuffersInUse()).toBeGreaterThan(before);
    sweepIdleReaders(0);
    sweepIdleReaders(0);
    expect(readBuffersInUse()).toBe(before);
    await both(8 * MiB);
    expect([up.intact(), down.intact()]).toEqual([true, true]);
  });

  it('a reset on one side aborts the other and reports the join as aborted', async () => {
    const [a, aPeer] = await tcpPair();
    const [b, bPeer] = await tlsPair();
    let result: boolean | undefined;
    joinSockets(a, b, { closed: (aborted) => (result = aborted) });
    bPeer.write('x');
    aPeer.resetAndDestroy();
    const peerDone = new Promise<string>((r) => {
      bPeer.once('end', () => r('end'));
      bPeer.once('close', () => r('close'));
    });
    await waitFor(() => result !== undefined, 'the join to report both sockets closed');
    expect([a.destroyed, b.destroyed]).toEqual([true, true]);
    expect(result).toBe(true);
    // The far peer is told at once (its half-open socket sees the end, or a reset), not left waiting.
    expect(['end', 'close']).toContain(await peerDone);
  });
});
