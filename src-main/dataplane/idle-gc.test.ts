import { GCProfiler } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { GROWTH_BYTES, IdleCollector, fullCollection, type IdleGcProbe } from './idle-gc';

/** A probe whose readings the test sets; collect() drops the heap to what survives. */
function probe(start: number) {
  const p = { busyShare: 0, heap: start, live: start, collected: 0 };
  const api: IdleGcProbe = {
    busy: () => p.busyShare,
    heapUsed: () => p.heap,
    collect: () => {
      p.collected++;
      p.heap = p.live;
    },
  };
  return { p, api };
}

describe('IdleCollector', () => {
  it('collects only when the thread was quiet and the heap grew by the threshold since the last collection', () => {
    const { p, api } = probe(6e6);
    const c = new IdleCollector(api);
    // Grown, but busy (a transfer): V8 keeps its own schedule.
    p.heap = 6e6 + GROWTH_BYTES * 2;
    p.busyShare = 0.6;
    expect(c.tick()).toBe(false);
    // Quiet but not grown enough.
    p.heap = 6e6 + GROWTH_BYTES - 1;
    p.busyShare = 0;
    expect(c.tick()).toBe(false);
    // Quiet and grown: one collection.
    p.heap = 6e6 + GROWTH_BYTES;
    p.live = 6.2e6;
    expect(c.tick()).toBe(true);
    expect(p.collected).toBe(1);
    // The new baseline is what survived, so the next tick does nothing.
    expect(c.tick()).toBe(false);
    // Growth counts from that baseline, not from the start.
    p.heap = 6.2e6 + GROWTH_BYTES;
    expect(c.tick()).toBe(true);
    expect(c.collections).toBe(2);
  });

  it('treats a thread busy at the threshold or above as not quiet', () => {
    const { p, api } = probe(0);
    const c = new IdleCollector(api, 10, 0.02);
    p.heap = 100;
    p.busyShare = 0.02;
    expect(c.tick()).toBe(false);
    p.busyShare = 0.019;
    expect(c.tick()).toBe(true);
  });
});

describe('fullCollection', () => {
  it('uses the gc of a process started with --expose-gc as it is', () => {
    const g = globalThis as { gc?: unknown };
    const own = () => undefined;
    g.gc = own;
    try {
      expect(fullCollection()).toBe(own);
    } finally {
      delete g.gc;
    }
  });

  it('gives V8 a real mark-compact without --expose-gc, and leaves the flag off for other contexts', () => {
    const gc = fullCollection();
    expect(gc).toBeTypeOf('function');
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    const profiler = new GCProfiler();
    profiler.start();
    gc!();
    const kinds = (profiler.stop() as { statistics: Array<{ gcType: string }> }).statistics.map((s) => s.gcType);
    expect(kinds).toContain('MarkSweepCompact');
  });
});
