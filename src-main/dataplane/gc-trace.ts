import { GCProfiler } from 'node:v8';
import type { GcCounts } from './protocol';

// PORTHOLE_TRACE_GC=1: the data plane counts its own garbage collections and prints the running totals
// to stderr when they changed. `npm run bench` reads those lines to report full GCs during a transfer:
// a lean data plane should do none.
//
// The counting must not cause what it counts. A PerformanceObserver('gc') — the first way this was
// done — makes a JS entry object per collection and hands them over later, so under load (14
// scavenges a second) some live through two scavenges and are promoted: the traced worker's old
// space grew ~50 KB/s and took a full GC every ~40 s, while the untraced one stayed flat at 6.3 MB
// (measured with node --trace-gc-nvp). v8.GCProfiler records each collection in C++ and gives them to
// JS only when stopped, so this polls it: every TICK_MS one profiler is stopped, tallied (a few KB
// that die young) and a fresh one started. A collection set off by that switch itself can only be a
// minor one (the switch allocates in the young generation) and may be missed.

export const GC_LINE_PREFIX = 'porthole data plane gc:';
const TICK_MS = 250;

export function formatGcLine(c: GcCounts): string {
  return `${GC_LINE_PREFIX} major=${c.major} minor=${c.minor} incremental=${c.incremental} weakcb=${c.weakcb} majorMs=${c.majorMs.toFixed(1)} minorMs=${c.minorMs.toFixed(1)}`;
}

interface GcProfile {
  statistics?: Array<{ gcType?: string; cost?: number }>;
}

/** Add one GCProfiler result to the running counts (cost is in microseconds). */
export function tallyGcProfile(c: GcCounts, profile: GcProfile | undefined): void {
  for (const s of profile?.statistics ?? []) {
    const ms = (s.cost ?? 0) / 1000;
    switch (s.gcType) {
      case 'MarkSweepCompact':
        c.major++;
        c.majorMs += ms;
        break;
      case 'Scavenge':
      case 'MinorMarkCompact':
      case 'MinorMarkSweep':
        c.minor++;
        c.minorMs += ms;
        break;
      case 'IncrementalMarking':
        c.incremental++;
        break;
      case 'ProcessWeakCallbacks':
        c.weakcb++;
        break;
    }
  }
}

export class GcTrace {
  readonly counts: GcCounts = { major: 0, minor: 0, incremental: 0, weakcb: 0, majorMs: 0, minorMs: 0 };
  private profiler: GCProfiler | undefined = new GCProfiler();
  private printed = '';
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly write: (line: string) => void) {
    this.profiler?.start();
    this.timer = setInterval(() => this.poll(), TICK_MS);
    this.timer.unref();
  }

  /** Take what the running profiler recorded into the counts, and keep recording (unless disposed). */
  poll(restart = true): void {
    const done = this.profiler;
    if (!done) return;
    const profile = done.stop() as GcProfile | undefined;
    this.profiler = restart ? new GCProfiler() : undefined;
    this.profiler?.start();
    tallyGcProfile(this.counts, profile);
    this.print();
  }

  print(): void {
    const line = formatGcLine(this.counts);
    if (line === this.printed) return;
    this.printed = line;
    this.write(line);
  }

  dispose(): void {
    clearInterval(this.timer);
    this.poll(false);
  }
}
