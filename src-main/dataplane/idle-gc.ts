import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { performance } from 'node:perf_hooks';

// The data plane's old generation is collected while it is idle, not in the middle of a transfer.
//
// Per-read buffers die young and cost only scavenges; what reaches the old generation is what lives
// through two of them — a connection's sockets, meters and table entries (measured with
// --trace-gc-nvp: ~40 KB of old space per iperf3 run of 5 connections). When those connections close
// it is garbage that only a full (mark-compact) collection frees, and V8 starts one when old space
// reaches its limit: after ~70 s of bench traffic that fell inside a 10 s transfer. V8's memory
// reducer, which does this on the main thread when it goes quiet, only starts after a first full
// collection, which a fresh worker never had. So the data plane does it itself: once a second it
// looks at how busy its thread was (event-loop utilisation) and how much its heap grew since the last
// full collection; quiet for a whole period and grown by GROWTH_BYTES or more → one full collection
// (a few ms on this heap). A plane that is never quiet keeps V8's own schedule.

export const GROWTH_BYTES = 1024 * 1024;
/** Below this share of the period spent running JS or waiting on nothing but I/O callbacks, the thread is quiet. */
export const QUIET_UTILISATION = 0.02;
export const PERIOD_MS = 1000;

export interface IdleGcProbe {
  /** Share of the time since the last call that the event loop was busy (0..1). */
  busy(): number;
  heapUsed(): number;
  collect(): void;
}

/** The decision, apart from timers and V8: what a tick does with what it sees. */
export class IdleCollector {
  private baseline: number;
  collections = 0;

  constructor(
    private readonly probe: IdleGcProbe,
    private readonly growth = GROWTH_BYTES,
    private readonly quiet = QUIET_UTILISATION,
  ) {
    this.baseline = probe.heapUsed();
  }

  /** One period passed: collect when the thread was quiet all along and the heap grew enough. */
  tick(): boolean {
    const busy = this.probe.busy();
    if (busy >= this.quiet) return false;
    if (this.probe.heapUsed() - this.baseline < this.growth) return false;
    this.probe.collect();
    this.collections++;
    this.baseline = this.probe.heapUsed();
    return true;
  }
}

/**
 * V8's full collection as a function, without starting the process with --expose-gc: the flag is
 * read when a context is made, so it is set for one new context and cleared again. Undefined when
 * the runtime refuses (the collector then stays off).
 */
export function fullCollection(): (() => void) | undefined {
  // Started with --expose-gc already: use it, and leave the flag as it was.
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return own as () => void;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

/** Runs the idle collector on this thread until the returned stop is called (its timer never holds the thread open). */
export function startIdleGc(periodMs = PERIOD_MS): (() => void) | undefined {
  const gc = fullCollection();
  if (!gc) return undefined;
  let last = performance.eventLoopUtilization();
  const collector = new IdleCollector({
    busy: () => {
      const now = performance.eventLoopUtilization();
      const delta = performance.eventLoopUtilization(now, last);
      last = now;
      return delta.utilization;
    },
    heapUsed: () => getHeapStatistics().used_heap_size,
    collect: gc,
  });
  const timer = setInterval(() => collector.tick(), periodMs);
  timer.unref();
  return () => clearInterval(timer);
}
