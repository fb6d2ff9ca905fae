import nodeNet from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LOOPBACK, NetFixtures, transfer, waitFor } from '../../test-support/net-fixtures';
import { PooledReader, readBuffersInUse, sweepIdleReaders } from './pooled-reader';

// PooledReader's contract with Node's `onread`: after each callback Node reads into what next() returns,
// and only then. These tests play the reading socket's side of that contract by hand (each onRead gets
// the buffer next() returned after the previous one) and write to real loopback sockets.

const net = new NetFixtures();
afterEach(() => {
  vi.useRealTimers();
  return net.cleanup();
});

const RECORD = 16 * 1024;

/** A connected pair whose reading end is paused, with dst's kernel buffers full: dst's writes now queue. */
async function cloggedPair(): Promise<{ dst: Socket; peer: Socket }> {
  const srv = await net.server();
  const dst = await net.connect(srv.port);
  await waitFor(() => srv.accepted.length === 1, 'the server to accept');
  const peer = srv.accepted[0]!;
  peer.pause();
  const block = Buffer.alloc(1024 * 1024);
  while (dst.write(block));
  await waitFor(() => dst.writableLength > 0, 'writes to queue');
  return { dst, peer };
}

describe('PooledReader', () => {
  it('a write that closes the connection within it (and disposes the reader) leaves no buffer returned twice', () => {
    const before = readBuffersInUse();
    const reader = new PooledReader(undefined, true);
    // The sink fails at once and, like a raw connection whose handles close on a write error, disposes
    // the reader inside the write.
    const sink = { writableLength: 0, write: () => (reader.dispose(), false) };
    reader.attach(sink);
    // A bulk read (the reader then reads into a pool buffer of its own), then a short one into that buffer.
    const scratch = reader.next();
    expect(() => reader.onRead(64 * 1024, scratch)).not.toThrow();
    expect(readBuffersInUse()).toBe(before);
    const reader2 = new PooledReader(undefined, true);
    let fail = false;
    reader2.attach({ writableLength: 0, write: () => (fail ? (reader2.dispose(), false) : true) });
    reader2.onRead(64 * 1024, reader2.next());
    const own = reader2.next();
    expect(own).not.toBe(scratch);
    fail = true;
    expect(() => reader2.onRead(100, own)).not.toThrow();
    expect(readBuffersInUse()).toBe(before);
  });

  it('copies a bulk read that landed in the shared buffer into a pool buffer, not a fresh allocation, and reads on into it', () => {
    const written: Uint8Array[] = [];
    // A sink that takes every write at once (as a socket with room does).
    const sink = { writableLength: 0, write: (chunk: Uint8Array) => (written.push(chunk), true) };
    const reader = new PooledReader(undefined, true);
    reader.attach(sink);
    const before = readBuffersInUse();
    const scratch = reader.next();
    scratch.fill(7, 0, 64 * 1024);
    expect(reader.onRead(64 * 1024, scratch)).toBe(true);
    // The bytes went out from a pool buffer (256 KiB), which the next read now goes into.
    expect(written).toHaveLength(1);
    expect(written[0]!.length).toBe(64 * 1024);
    expect(written[0]!.every((b) => b === 7)).toBe(true);
    expect(written[0]!.buffer.byteLength).toBe(256 * 1024);
    expect(reader.next()).not.toBe(scratch);
    expect(reader.next().buffer).toBe(written[0]!.buffer);
    expect(readBuffersInUse()).toBe(before + 1);
    reader.dispose();
    expect(readBuffersInUse()).toBe(before);
  });

  it('a gathered write sent outside a read callback keeps its buffer out of the pool until the socket has moved off it', async () => {
    const { dst, peer } = await cloggedPair();
    const reader = new PooledReader(undefined, false, undefined, true);
    reader.attach(dst);
    // A full record into the shared scratch buffer (copied out; the reader takes a pool buffer), then
    // one into the pool buffer: gathered, its flush left to the end of the loop turn.
    let socketBuf = reader.next();
    reader.onRead(RECORD, socketBuf);
    socketBuf = reader.next();
    reader.onRead(RECORD, socketBuf);
    socketBuf = reader.next();
    expect(socketBuf.length).toBeGreaterThan(0);
    await new Promise((r) => setImmediate(r));
    // That flush queued behind the clog; let it all go through.
    peer.resume();
    await waitFor(() => dst.writableLength === 0, 'the queued writes to complete');
    // Another connection takes a pool buffer now: never the one this socket will read into next.
    const other = new PooledReader(undefined, false);
    other.attach(dst);
    other.onRead(RECORD, other.next());
    expect(other.next().buffer).not.toBe(socketBuf.buffer);
    // The socket's next read lands where it points (copied out), then it moves on and the buffer is free again.
    socketBuf.fill(7, 0, 10);
    reader.onRead(10, socketBuf);
    expect(reader.next().buffer).not.toBe(socketBuf.buffer);
    other.dispose();
    reader.dispose();
  });

  it('a connection that goes quiet after a bulk read gives its pool buffer back when the pool is short, and reads on intact', async () => {
    // The sweeps here are the test's own: the 2 s timer's never fire.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    // src (a real socket reading through the reader with `onread`) ← peer; what it reads goes to dst → sink.
    const srv = await net.server();
    const reader = new PooledReader(undefined, false);
    /** The buffer each read of src landed in. */
    const landed: ArrayBufferLike[] = [];
    const onRead = (n: number, buf: Buffer) => (landed.push(buf.buffer), reader.onRead(n, buf));
    const src = net.socket(nodeNet.connect({ host: LOOPBACK, port: srv.port, allowHalfOpen: true, onread: { buffer: reader.next, callback: onRead } }));
    const sinkSrv = await net.server();
    const dst = await net.connect(sinkSrv.port);
    await waitFor(() => srv.accepted.length === 1 && sinkSrv.accepted.length === 1, 'both servers to accept');
    const through = transfer(srv.accepted[0]!, sinkSrv.accepted[0]!);
    reader.attach(dst, src);
    const disposed = new Promise<void>((resolve) =>
      src.on('close', () => {
        reader.dispose();
        resolve();
      }),
    );
    const before = readBuffersInUse();
    const send = through.send;
    // One 32 KiB write on loopback is one segment, read at once: a bulk read, so the socket now reads into a pool buffer.
    await send(32 * 1024);
    expect(readBuffersInUse()).toBe(before + 1);
    const poolBuffer = reader.next().buffer;
    // A sweep only takes note of a buffer just taken; one that reads between sweeps keeps it.
    sweepIdleReaders(0);
    await send(32 * 1024);
    sweepIdleReaders(0);
    expect(readBuffersInUse()).toBe(before + 1);
    // Idle now, but with few buffers lent the pool would only keep it: a sweep as the timer runs it leaves it.
    sweepIdleReaders();
    sweepIdleReaders();
    expect(readBuffersInUse()).toBe(before + 1);
    // Nothing read since the last look and the pool short (here: any buffer lent): the buffer goes back.
    sweepIdleReaders(0);
    expect(readBuffersInUse()).toBe(before);
    // The socket reads on — no longer into the buffer it gave back — every byte in order.
    const readsBefore = landed.length;
    await send(1024 * 1024);
    expect(landed[readsBefore]).not.toBe(poolBuffer);
    expect(through.intact()).toBe(true);
    src.destroy();
    await disposed;
    expect(readBuffersInUse()).toBe(before);
  });
});
