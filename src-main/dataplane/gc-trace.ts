import { PerformanceObserver, constants } from 'node:perf_hooks';
import type { GcCounts } from './protocol';

// PORTHOLE_TRACE_GC=1: the data plane counts its own garbage collections (PerformanceObserver 'gc'
// entries are per isolate, so these are the worker's alone) and prints the running totals to stderr,
// at most once a second and only when they changed. `npm run bench` reads those lines to report full
// GCs during a transfer: a lean data plane should do none. A full GC is printed at once, so a reader
// that waits a moment after a transfer sees the exact count.

export const GC_LINE_PREFIX = 'porthole data plane gc:';

export function formatGcLine(c: GcCounts): string {
  return `${GC_LINE_PREFIX} major=${c.major} minor=${c.minor} incremental=${c.incremental} weakcb=${c.weakcb} majorMs=${c.majorMs.toFixed(1)} minorMs=${c.minorMs.toFixed(1)}`;
}

export class GcTrace {
  readonly counts: GcCounts = { major: 0, minor: 0, incremental: 0, weakcb: 0, majorMs: 0, minorMs: 0 };
  private readonly observer: PerformanceObserver;
  private printed = '';
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly write: (line: string) => void) {
    this.observer = new PerformanceObserver((list) => {
      let major = false;
      for (const entry of list.getEntries()) {
        const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
        const c = this.counts;
        if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
          c.major++;
          c.majorMs += entry.duration;
          major = true;
        } else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
          c.minor++;
          c.minorMs += entry.duration;
        } else if (kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) c.incremental++;
        else if (kind === constants.NODE_PERFORMANCE_GC_WEAKCB) c.weakcb++;
      }
      // Full collections are what the data plane must avoid: each is reported at once.
      if (major) this.print();
    });
    this.observer.observe({ entryTypes: ['gc'] });
    this.timer = setInterval(() => this.print(), 1000);
    this.timer.unref();
  }

  print(): void {
    const line = formatGcLine(this.counts);
    if (line === this.printed) return;
    this.printed = line;
    this.write(line);
  }

  dispose(): void {
    clearInterval(this.timer);
    this.observer.disconnect();
    this.print();
  }
}
