import { GCProfiler } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { GROWTH_BYTES, IdleCollector, QUIET_SAMPLES, fullCollection, oldGenerationBytes, type IdleGcProbe } from './idle-gc';

/** A probe whose readings the test sets; collect() drops old space to what survives. */
function probe(start: number) {
  const p = { busyShare: 0, old: start, live: start, collected: 0 };
  const api: IdleGcProbe = {
    busy: () => p.busyShare,
    oldBytes: () => p.old,
    collect: () => {
      p.collected++;
      p.old = p.live;
    },
  };
  return { p, api };
}

/** Ticks n sample periods; how many of them collected. */
const ticks = (c: IdleCollector, n: number) => Array.from({ length: n }, () => c.tick()).filter(Boolean).length;

describe('IdleCollector', () => {
  it('collects only after a whole run of quiet samples, when old space grew by the threshold since the last collection', () => {
    const { p, api } = probe(6e6);
    const c = new IdleCollector(api);
    // Grown, but busy (a transfer): V8 keeps its own schedule.
    p.old = 6e6 + GROWTH_BYTES * 2;
    p.busyShare = 0.6;
    expect(ticks(c, 10)).toBe(0);
    // Quiet but not grown enough.
    p.old = 6e6 + GROWTH_BYTES - 1;
    p.busyShare = 0;
    expect(ticks(c, 10)).toBe(0);
    // Grown and quiet: not before QUIET_SAMPLES quiet samples in a row.
    p.old = 6e6 + GROWTH_BYTES;
    p.live = 6.2e6;
    p.busyShare = 0.5;
    c.tick();
    p.busyShare = 0;
    expect(ticks(c, QUIET_SAMPLES - 1)).toBe(0);
    expect(c.tick()).toBe(true);
    expect(p.collected).toBe(1);
    // The new baseline is what survived, so the next quiet second does nothing.
    expect(ticks(c, QUIET_SAMPLES * 2)).toBe(0);
    // Growth counts from that baseline, not from the start.
    p.old = 6.2e6 + GROWTH_BYTES;
    expect(ticks(c, QUIET_SAMPLES)).toBe(1);
    expect(c.collections).toBe(2);
  });

  it('a busy sample (a transfer just starting) breaks the quiet run', () => {
    const { p, api } = probe(0);
    const c = new IdleCollector(api, { growth: 10, quiet: 0.02, samples: 4 });
    p.old = 100;
    expect(ticks(c, 3)).toBe(0);
    p.busyShare = 0.02;
    expect(c.tick()).toBe(false);
    p.busyShare = 0.019;
    expect(ticks(c, 3)).toBe(0);
    expect(c.tick()).toBe(true);
  });
});

describe('oldGenerationBytes', () => {
  it('does not move with young-generation garbage, and a full collection lowers what old space holds', () => {
    const gc = fullCollection()!;
    gc();
    const before = oldGenerationBytes();
    let sum = 0;
    // Short-lived objects: the scavenger's, not counted (V8 may promote a little; far below the threshold).
    for (let i = 0; i < 50_000; i++) sum += { i, s: `x${i}` }.s.length;
    expect(sum).toBeGreaterThan(0);
    expect(oldGenerationBytes() - before).toBeLessThan(GROWTH_BYTES / 2);
    // Long-lived then dropped: old-space garbage that only the full collection frees.
    const holder: { keep?: unknown[] } = { keep: Array.from({ length: 2000 }, (_, i) => ({ i, pad: new Array(64).fill(i) })) };
    gc();
    const held = oldGenerationBytes();
    expect(held - before).toBeGreaterThan(GROWTH_BYTES / 2);
    // (expect() would hold on to the array itself: check its length only.)
    expect(holder.keep?.length).toBe(2000);
    delete holder.keep;
    gc();
    expect(oldGenerationBytes()).toBeLessThan(held);
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

  it('gives V8 a real mark-compact without --expose-gc, and leaves the flag off for contexts made after', () => {
    const gc = fullCollection();
    expect(gc).toBeTypeOf('function');
    expect(runInNewContext('typeof gc')).toBe('undefined');
    const profiler = new GCProfiler();
    profiler.start();
    gc!();
    const kinds = (profiler.stop() as { statistics: Array<{ gcType: string }> }).statistics.map((s) => s.gcType);
    expect(kinds).toContain('MarkSweepCompact');
  });
});
