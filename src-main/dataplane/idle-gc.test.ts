import { GCProfiler } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CHURN_BURST, CHURN_PER_MIB, GROWTH_BYTES, IdleCollector, QUIET_SAMPLES, fullCollection, oldGenerationBytes, type IdleGcProbe } from './idle-gc';

/** A probe whose readings the test sets; collect() drops old space to what survives. */
function probe(start: number) {
  const p = { busyShare: 0, old: start, live: start, collected: 0, opened: 0 };
  const api: IdleGcProbe = {
    busy: () => p.busyShare,
    oldBytes: () => p.old,
    opened: () => p.opened,
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
    // Quiet but not grown enough.
    p.old = 6e6 + GROWTH_BYTES - 1;
    expect(ticks(c, 10)).toBe(0);
    // Grown, but busy (a transfer): V8 keeps its own schedule.
    p.old = 6e6 + GROWTH_BYTES * 2;
    p.busyShare = 0.6;
    expect(ticks(c, 10)).toBe(0);
    // Grown and quiet: not before QUIET_SAMPLES quiet samples in a row.
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
    const c = new IdleCollector(api, { growth: 10, quiet: 0.02, samples: 4, churnPerMiB: CHURN_PER_MIB, churnBurst: CHURN_BURST });
    p.old = 100;
    expect(ticks(c, 3)).toBe(0);
    p.busyShare = 0.02;
    expect(c.tick()).toBe(false);
    p.busyShare = 0.019;
    expect(ticks(c, 3)).toBe(0);
    expect(c.tick()).toBe(true);
  });
});

describe('IdleCollector and connection churn', () => {
  const MiB = 1024 * 1024;

  /**
   * A busy period: one busy sample (share of the loop busy) per [connections opened so far, old space in
   * MiB] reading — a fall of old space between two of them is a full collection V8 made — then quiet.
   */
  const busyPeriod = (c: IdleCollector, p: ReturnType<typeof probe>['p'], readings: Array<[number, number]>, share = 0.5) => {
    p.busyShare = share;
    for (const [opened, oldMiB] of readings) {
      p.opened = opened;
      p.old = oldMiB * MiB;
      c.tick();
    }
    p.busyShare = 0;
  };

  it('leaves growth that many short connections made to V8, and collects growth from a few long ones', () => {
    const { p, api } = probe(6 * MiB);
    const c = new IdleCollector(api);
    // A burst of short connections: 2 MiB of old space grown by 1,200 of them (600 a MiB, as measured).
    p.opened = 1200;
    p.old = 8 * MiB;
    expect(ticks(c, QUIET_SAMPLES * 3)).toBe(0);
    expect(p.collected).toBe(0);
    expect(c.leftToV8).toBe(3);
    // V8 collects by itself during the next burst: old space falls, and counting starts again there.
    p.opened = 3000;
    p.old = 6.1 * MiB;
    expect(ticks(c, QUIET_SAMPLES)).toBe(0);
    // Then bulk transfers: 1 MiB over a handful of connections — collected while idle.
    p.opened = 3010;
    p.old = 7.1 * MiB;
    p.live = 6 * MiB;
    expect(ticks(c, QUIET_SAMPLES)).toBe(1);
    expect(p.collected).toBe(1);
  });

  it('leaves growth after a full collection V8 made during the busy period to V8, and collects again after a busy period without one', () => {
    const { p, api } = probe(6 * MiB);
    const c = new IdleCollector(api);
    // A burst of serial connections: V8 collects during it (old space falls between busy samples), then
    // its last quarter second: a scavenge promotes 1.54 MiB over 384 connections (249 a MiB, under the
    // churn line: on the ratio alone this looks like bulk growth; measured at the end of a burst).
    busyPeriod(c, p, [
      [3000, 9],
      [3000, 6.2],
      [3384, 7.74],
    ]);
    expect(ticks(c, QUIET_SAMPLES * 3)).toBe(0);
    expect(p.collected).toBe(0);
    expect(c.leftToV8).toBe(3);
    // A bulk transfer next (a few connections, no full collection of V8's during it), then quiet: the
    // growth since V8's collection is collected now.
    busyPeriod(c, p, [[3388, 8.2]], 0.6);
    p.live = 6.1 * MiB;
    expect(ticks(c, QUIET_SAMPLES)).toBe(1);
  });

  it('collects growth after a bulk burst of many streams even when V8 collected during it (few connections opened)', () => {
    const { p, api } = probe(6 * MiB);
    const c = new IdleCollector(api);
    // 128 iperf3 streams each way (258 connections, pool buffers lent and let go): V8 collects once during
    // it, and the streams' objects promoted after that are left when they close: 2.5 MiB over 129 connections.
    busyPeriod(
      c,
      p,
      [
        [129, 9],
        [129, 6.2],
        [258, 8.7],
      ],
      0.9,
    );
    p.live = 6.1 * MiB;
    expect(ticks(c, QUIET_SAMPLES)).toBe(1);
    expect(c.leftToV8).toBe(0);
  });

  it('counts the connections of a whole busy period, from the quiet sample before it, against CHURN_BURST', () => {
    const at = (opened: number) => {
      const { p, api } = probe(6 * MiB);
      const c = new IdleCollector(api);
      // Quiet, with some connections from before (not part of the burst).
      p.opened = 500;
      ticks(c, QUIET_SAMPLES);
      // The burst: its first sample already opened connections; V8 collects during it.
      busyPeriod(c, p, [
        [500 + Math.floor(opened / 2), 9],
        [500 + opened, 6.2],
      ]);
      // Growth promoted after V8's collection, few connections per MiB (on the ratio alone: bulk).
      p.old = 10 * MiB;
      return ticks(c, QUIET_SAMPLES);
    };
    expect(at(CHURN_BURST - 1)).toBe(1);
    expect(at(CHURN_BURST)).toBe(0);
  });

  it('draws the line at CHURN_PER_MIB connections per MiB of growth', () => {
    const at = (opened: number) => {
      const { p, api } = probe(0);
      const c = new IdleCollector(api);
      p.opened = opened;
      p.old = 2 * MiB;
      return ticks(c, QUIET_SAMPLES);
    };
    expect(at(2 * CHURN_PER_MIB)).toBe(1);
    expect(at(2 * CHURN_PER_MIB + 1)).toBe(0);
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
