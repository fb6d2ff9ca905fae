import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { LOOPBACK, NetFixtures, readToEnd, sha256 } from '../../test-support/net-fixtures';
import { BufferPool } from './buffer-pool';
import { TcpForwarder } from './tcp-forward';

describe('BufferPool', () => {
  it('hands out buffers of its size, each backed by its own memory', () => {
    const pool = new BufferPool(1024, 4);
    const a = pool.acquire()!;
    const b = pool.acquire()!;
    expect(a.length).toBe(1024);
    expect(b.length).toBe(1024);
    expect(a.buffer).not.toBe(b.buffer);
    a.fill(1);
    b.fill(2);
    expect(a.every((x) => x === 1)).toBe(true);
  });

  it('never hands out a buffer twice while it is lent, and reuses it once released', () => {
    const pool = new BufferPool(64, 8);
    const lent = new Set<Buffer>();
    for (let i = 0; i < 8; i++) {
      const b = pool.acquire()!;
      expect(lent.has(b)).toBe(false);
      lent.add(b);
    }
    expect(pool.inUse).toBe(8);
    // Release every other one; only those may come back, and each only once.
    const released = [...lent].filter((_, i) => i % 2 === 0);
    for (const b of released) {
      pool.release(b);
      lent.delete(b);
    }
    const again = [pool.acquire()!, pool.acquire()!, pool.acquire()!, pool.acquire()!];
    expect(new Set(again).size).toBe(4);
    for (const b of again) {
      expect(released).toContain(b);
      expect(lent.has(b)).toBe(false);
    }
    expect(pool.allocated).toBe(8);
  });

  it('returns undefined when exhausted (the caller falls back) and recovers after a release', () => {
    const pool = new BufferPool(64, 2);
    const a = pool.acquire()!;
    pool.acquire();
    expect(pool.acquire()).toBeUndefined();
    expect(pool.allocated).toBe(2);
    pool.release(a);
    expect(pool.acquire()).toBe(a);
    expect(pool.acquire()).toBeUndefined();
  });

  it('rejects a double release and a buffer it did not lend', () => {
    const pool = new BufferPool(64, 2);
    const a = pool.acquire()!;
    pool.release(a);
    expect(() => pool.release(a)).toThrow(/not lent/);
    expect(() => pool.release(Buffer.alloc(64))).toThrow(/not lent/);
    expect(pool.inUse).toBe(0);
    // The rejected releases did not put anything extra on the free list.
    expect(pool.acquire()).toBe(a);
    expect(pool.acquire()).not.toBe(a);
    expect(pool.acquire()).toBeUndefined();
  });

  it('keeps at most `keep` buffers once they come back; the rest are let go and may be made again', () => {
    const pool = new BufferPool(64, 8, 2);
    const lent = Array.from({ length: 8 }, () => pool.acquire()!);
    expect(pool.acquire()).toBeUndefined();
    for (const b of lent) pool.release(b);
    expect(pool.inUse).toBe(0);
    // After the burst only two stay: the other six no longer exist (and count against nothing).
    expect(pool.allocated).toBe(2);
    const again = Array.from({ length: 8 }, () => pool.acquire()!);
    expect(again.every((b) => b !== undefined && b.length === 64)).toBe(true);
    expect(new Set(again).size).toBe(8);
    // The two kept (the first two released: the free list was full for the other six) come back first,
    // then fresh ones up to the limit.
    expect(new Set(again.slice(0, 2))).toEqual(new Set(lent.slice(0, 2)));
    expect(again.slice(2).some((b) => lent.includes(b))).toBe(false);
    expect(pool.allocated).toBe(8);
    expect(pool.acquire()).toBeUndefined();
    expect(() => new BufferPool(64, 2, 3)).toThrow(RangeError);
  });

  it('counts a buffer let go as gone: the limit applies to what exists, kept or lent', () => {
    const pool = new BufferPool(64, 8, 2);
    const lent = Array.from({ length: 8 }, () => pool.acquire()!);
    for (const b of lent.slice(0, 3)) pool.release(b);
    // Two kept, one let go: 5 lent + 2 free exist, so one more may be made.
    expect(pool.allocated).toBe(7);
    const again = [pool.acquire()!, pool.acquire()!, pool.acquire()!];
    expect(again.filter((b) => lent.includes(b))).toHaveLength(2);
    expect(pool.inUse).toBe(8);
    expect(pool.acquire()).toBeUndefined();
  });

  it('a zero limit never lends', () => {
    expect(new BufferPool(64, 0).acquire()).toBeUndefined();
    expect(() => new BufferPool(0, 1)).toThrow(RangeError);
  });
});

// The pool's user: target → client reads go into pooled buffers that are written without a copy. A
// buffer reused while its bytes are still queued for the client would corrupt the stream, and that
// only happens when the client is slower than the target — so read slowly, on several connections.
describe('pooled target reads through TcpForwarder', () => {
  let fx = new NetFixtures();
  let fwd: TcpForwarder | undefined;
  afterEach(async () => {
    await fwd?.stop();
    fwd = undefined;
    await fx.cleanup();
    fx = new NetFixtures();
  });

  it('delivers every byte intact to slow, stop-and-go clients on concurrent connections', async () => {
    const MiB = 1024 * 1024;
    const blobs = [0, 1, 2, 3].map(() => randomBytes(6 * MiB));
    let next = 0;
    const target = await fx.server((socket) => {
      const blob = blobs[next++]!;
      // Mixed write sizes: small ones land in the shared scratch buffer, big ones in pool buffers.
      let at = 0;
      const sizes = [100, 70_000, 3, 200_000, 16_384, 65_536, 1];
      let i = 0;
      const more = (): void => {
        while (at < blob.length) {
          const n = Math.min(sizes[i++ % sizes.length]!, blob.length - at);
          const ok = socket.write(blob.subarray(at, at + n));
          at += n;
          if (!ok) return void socket.once('drain', more);
        }
        socket.end();
      };
      more();
    });
    fwd = new TcpForwarder({ listen: { host: LOOPBACK, port: 0 }, target: { host: LOOPBACK, port: target.port } });
    const { port } = await fwd.start();
    const results = await Promise.all(
      blobs.map(async (_, k) => {
        const client = await fx.connect(port);
        // Stop and go: pause for a few ms every so often so the forwarder's writes queue up.
        let reads = 0;
        client.on('data', () => {
          if (++reads % 7 === 0) {
            client.pause();
            setTimeout(() => client.resume(), 2 + (k % 3));
          }
        });
        return readToEnd(client);
      }),
    );
    // Connections were accepted by the target in some order; match by hash.
    const want = new Set(blobs.map(sha256));
    for (const r of results) {
      expect(r.bytes).toBe(6 * MiB);
      expect(want.has(r.sha256)).toBe(true);
      want.delete(r.sha256);
    }
    expect(fwd.meter.bytesOut).toBe(4 * 6 * MiB);
  });
});
