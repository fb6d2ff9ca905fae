import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ticketMac } from './data-protocol';
import { DataPool, type DataPoolOptions, EARN_BYTES, SHORT_BURST, SHORT_WINDOW_MS, ShortBurst } from './relay-data-pool';

// The pool's bookkeeping on a fake clock: which tickets it grants and when. The sockets it holds are
// stand-ins (the pool only keeps them, listens for 'close' and destroys them); relay-data.test.ts runs
// the same pool with real agents and data connections.

class HeldSocket extends EventEmitter {
  destroyed = false;
  setKeepAlive(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  pause(): this {
    return this;
  }
  destroy(): this {
    if (!this.destroyed) {
      this.destroyed = true;
      this.emit('close');
    }
    return this;
  }
}

const SESSION = 's1';
const key = randomBytes(32);
const binding = randomBytes(32);

interface Harness {
  pool: DataPool;
  /** Every ticket granted so far, in order. */
  granted: Array<{ id: number; exp: number }>;
  /** Redeems granted tickets (oldest first) with data connections; returns those sockets. */
  redeem(n: number): HeldSocket[];
}

function harness(o: Partial<DataPoolOptions>): Harness {
  const granted: Array<{ id: number; exp: number }> = [];
  let used = 0;
  const pool = new DataPool(SESSION, key, (ids, exp) => granted.push(...ids.map((id) => ({ id, exp }))), {
    min: 8,
    max: 64,
    ticketTtlMs: 30_000,
    shrinkAfterMs: 60_000,
    refillPerSecond: 2,
    ...o,
  });
  const redeem = (n: number) =>
    Array.from({ length: n }, () => {
      const t = granted[used++];
      if (!t) throw new Error(`only ${granted.length} tickets were granted`);
      const s = new HeldSocket();
      expect(pool.admit(s as unknown as Socket, { session: SESSION, id: t.id, exp: t.exp, mac: ticketMac(key, SESSION, t.id, t.exp, binding) }, binding)).toBeUndefined();
      return s;
    });
  return { pool, granted, redeem };
}

/** Lets the pool's setImmediate refills run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

let pools: DataPool[] = [];
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'Date'] });
});
afterEach(() => {
  for (const p of pools) p.close();
  pools = [];
  vi.useRealTimers();
});
const started = (o: Partial<DataPoolOptions>): Harness => {
  const h = harness(o);
  pools.push(h.pool);
  h.pool.start();
  return h;
};

describe('DataPool', () => {
  it('grants nothing on misses while its budget is spent, then refills on its own timer', async () => {
    const h = started({ min: 4, max: 4, refillPerSecond: 2 });
    expect(h.granted).toHaveLength(4); // the start burst
    h.redeem(4);
    for (let i = 0; i < 4; i++) expect(h.pool.take()).toBeDefined();
    await settle();
    expect(h.granted).toHaveLength(4); // the budget went on the first fill
    // Misses, as fast as short connections come: none of them buys a ticket.
    for (let i = 0; i < 50; i++) expect(h.pool.take()).toBeUndefined();
    await settle();
    expect(h.granted).toHaveLength(4);
    // Two a second on trust, with no connection to prompt it.
    await vi.advanceTimersByTimeAsync(1100);
    expect(h.granted.length).toBeGreaterThanOrEqual(6);
    expect(h.granted.length).toBeLessThanOrEqual(7);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.granted).toHaveLength(8);
  });

  it('grows only when connections that came while it was empty turn out to move EARN_BYTES', async () => {
    const h = started({ min: 2, max: 16, refillPerSecond: 2, shrinkAfterMs: 60_000 });
    h.redeem(8);
    // Earning with nothing missed: the pool was big enough, the target stays.
    h.pool.earn();
    expect(h.pool.target).toBe(8);
    for (let i = 0; i < 8; i++) expect(h.pool.take()).toBeDefined();
    // A burst of short connections finds it empty: misses alone do not grow it.
    for (let i = 0; i < 40; i++) expect(h.pool.take()).toBeUndefined();
    await settle();
    expect(h.pool.target).toBe(8);
    // Connections of that burst move EARN_BYTES: each doubles it, up to max.
    h.pool.earn();
    expect(h.pool.target).toBe(16);
    h.pool.earn();
    expect(h.pool.target).toBe(16);
    // Long after the last miss, earning no longer grows it (the quiet-period review halves it meanwhile).
    const h2 = started({ min: 2, max: 64, refillPerSecond: 2, shrinkAfterMs: 60_000 });
    h2.redeem(8);
    for (let i = 0; i < 9; i++) h2.pool.take();
    await vi.advanceTimersByTimeAsync(61_000);
    const after = h2.pool.target;
    h2.pool.earn();
    expect(h2.pool.target).toBe(after);
  });

  it('replaces a ready connection the agent closed', async () => {
    const h = started({ min: 3, max: 3, refillPerSecond: 2 });
    const sockets = h.redeem(3);
    await vi.advanceTimersByTimeAsync(6000); // the budget is full again, nothing is out
    expect(h.granted).toHaveLength(3);
    sockets[0]!.destroy();
    sockets[1]!.destroy();
    await settle();
    expect(h.pool.size).toBe(1);
    expect(h.granted).toHaveLength(5);
  });

  it('never has more connections and tickets out than max, even when tickets come back late', async () => {
    const h = started({ min: 3, max: 3, refillPerSecond: 100 });
    expect(h.granted).toHaveLength(3);
    // Nothing comes back within the dial grace (5 s): the pool stops waiting for these three tickets …
    await vi.advanceTimersByTimeAsync(6000);
    await settle();
    // … but they can still be redeemed until they expire, so no replacements are granted.
    expect(h.granted).toHaveLength(3);
    h.redeem(3);
    expect(h.pool.size).toBe(3);
    // Once they expire unused, the pool grants their replacements by itself.
    const h2 = started({ min: 2, max: 2, refillPerSecond: 100 });
    expect(h2.granted).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(31_000);
    expect(h2.granted).toHaveLength(4);
    expect(h2.pool.outstanding).toBe(2);
  });
});

describe('ShortBurst', () => {
  /** `n` short connections closing `gapMs` apart from `start`; returns the time of the last. */
  const shortOnes = (b: ShortBurst, n: number, start: number, gapMs: number) => {
    for (let i = 0; i < n; i++) b.closed(1024, 5, start + i * gapMs);
    return start + (n - 1) * gapMs;
  };

  it('skips the pool after SHORT_BURST short connections in a row, until the window passes', () => {
    const b = new ShortBurst();
    expect(b.skipsPool(0)).toBe(false);
    let t = shortOnes(b, SHORT_BURST - 1, 1000, 10);
    expect(b.skipsPool(t)).toBe(false);
    t = shortOnes(b, 1, t + 10, 0);
    expect(b.skipsPool(t)).toBe(true);
    expect(b.skipsPool(t + SHORT_WINDOW_MS)).toBe(true);
    expect(b.skipsPool(t + SHORT_WINDOW_MS + 1)).toBe(false);
  });

  it('counts only short connections closing within the window of each other', () => {
    const b = new ShortBurst();
    // Spaced more than the window apart: each starts a new run of one.
    const t = shortOnes(b, SHORT_BURST * 2, 0, SHORT_WINDOW_MS + 1);
    expect(b.skipsPool(t)).toBe(false);
  });

  it('ends the burst when a connection moved EARN_BYTES or lived the window', () => {
    const b = new ShortBurst();
    let t = shortOnes(b, SHORT_BURST, 0, 10);
    expect(b.skipsPool(t)).toBe(true);
    b.closed(EARN_BYTES, 5, t + 1);
    expect(b.skipsPool(t + 2)).toBe(false);
    t = shortOnes(b, SHORT_BURST, t + 10, 10);
    expect(b.skipsPool(t)).toBe(true);
    // An interactive connection: few bytes, but it lived a second.
    b.closed(100, SHORT_WINDOW_MS, t + 1);
    expect(b.skipsPool(t + 2)).toBe(false);
  });
});
