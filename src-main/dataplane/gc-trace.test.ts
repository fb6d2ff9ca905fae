import { describe, expect, it } from 'vitest';
import { GC_LINE_PREFIX, GcTrace, tallyGcProfile } from './gc-trace';
import { fullCollection } from './idle-gc';
import type { GcCounts } from './protocol';

const zero = (): GcCounts => ({ major: 0, minor: 0, incremental: 0, weakcb: 0, majorMs: 0, minorMs: 0 });

describe('GcTrace', () => {
  it('tallies v8.GCProfiler records by kind, costs in µs to ms', () => {
    const c = zero();
    tallyGcProfile(c, {
      statistics: [
        { gcType: 'Scavenge', cost: 300 },
        { gcType: 'MarkSweepCompact', cost: 2500 },
        { gcType: 'IncrementalMarking', cost: 10 },
        { gcType: 'ProcessWeakCallbacks', cost: 1 },
        { gcType: 'Scavenge', cost: 200 },
        { gcType: 'SomethingNew', cost: 99 },
      ],
    });
    expect(c).toEqual({ major: 1, minor: 2, incremental: 1, weakcb: 1, majorMs: 2.5, minorMs: 0.5 });
    tallyGcProfile(c, undefined);
    expect(c.major).toBe(1);
  });

  it('counts real collections of this isolate: forced full ones and the young-generation churn', () => {
    const gc = fullCollection()!;
    const lines: string[] = [];
    const trace = new GcTrace((l) => lines.push(l));
    try {
      gc();
      gc();
      let keep = 0;
      for (let i = 0; i < 200_000; i++) keep += { i, s: `x${i}` }.s.length;
      expect(keep).toBeGreaterThan(0);
      trace.poll();
      expect(trace.counts.major).toBe(2);
      expect(trace.counts.minor).toBeGreaterThan(0);
      expect(lines.at(-1)).toMatch(new RegExp(`^${GC_LINE_PREFIX} major=2 minor=[1-9]`));
      // Polled again with nothing collected in between: the same counts, no new line.
      const printed = lines.length;
      const counts = { ...trace.counts };
      trace.poll();
      expect(trace.counts.major).toBe(counts.major);
      if (trace.counts.minor === counts.minor) expect(lines.length).toBe(printed);
      else expect(lines.length).toBe(printed + 1);
    } finally {
      trace.dispose();
    }
  });
});
