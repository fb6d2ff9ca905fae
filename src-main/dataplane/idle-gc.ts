import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { performance } from 'node:perf_hooks';

// The data plane's old generation is collected while it is idle, not in the middle of a transfer.
//
// Per-read buffers die young and cost only scavenges; what reaches the old generation is what lives
// through two of them — a connection's sockets, meters and table entries (measured with
// --trace-gc-nvp: ~40 KB of old space per iperf3 run of 5 connections). When those connections close
// it is garbage that only a full (mark-compact) collection frees, and V8 starts one when old space
// reaches its limit: after ~70 s of bench traffic that fell inside a 10 s transfer. V8's memory
// reducer, which does this on the main thread when it goes quiet, is left out of the data plane's
// isolate (no-memory-reducer.ts: its 100 s watchdog collects even mid-transfer). So the data plane
// does it itself: every SAMPLE_MS it looks at how busy its thread was (event-loop utilisation);
// QUIET_SAMPLES quiet samples in a row (a whole second, so a transfer that has just begun is not
// quiet) and an old generation grown by GROWTH_BYTES or more since the last full collection → one
// full collection (a few ms on this heap). Only old space and large objects count: the young
// generation's garbage is the scavenger's. A plane that is never quiet keeps V8's own schedule.
//
// What it costs: with no connection open, the collection frees the last connection's objects, and V8
// discards the optimized code that was specialised on them (--trace-deopt-verbose: "marking dependent
// code … reason: weak objects", 62–71 functions of the accept/connect/pipe/close path per pause); the
// next burst of connections runs unoptimized until it is compiled again — measured with
// bench/tools/idle-pause.mjs, ~350 against ~270 CPU µs per connection in the first 3 s after a pause.
// So growth that connection churn made (more than CHURN_PER_MIB connections opened per MiB of growth:
// 3 s of serial connections, ~3,500 of them, grew old space by 5–8 MiB, 450–700 a MiB) is left to V8:
// its own full collections come during the churn, while the connection path's objects are alive, and
// discard nothing. Growth from a few long connections (bulk transfers: ~40 KB per iperf3 run of 2–5
// connections, ≤ 125 a MiB) is what this collects. A fall of old space between samples is V8's own full
// collection: the count starts again from there. The churn ratio alone is not enough at the end of a
// burst: V8 collects every ~1.3 s of serial connections, and if its last collection came in the
// burst's last quarter second, the scavenge that follows can promote a lump (1.5 MiB over 384
// connections, measured) that looks like bulk growth — collected, it discarded the connection path's
// code in 2 of 5 pauses of bench/tools/idle-pause.mjs. So growth is also left to V8 when V8 made a full
// collection of its own during a busy period that opened CHURN_BURST connections or more: a connection-rate
// workload V8 collects during is not one whose garbage waits for the plane to go quiet. A bulk burst of
// many streams is: 128 iperf3 streams each way (258 connections, up to 256 pool buffers lent and those
// beyond the 32 kept let go) made V8 collect during it, and with the rule applied to it too what it left
// waited for V8, whose next collection then fell inside the following 10 s single-stream transfer: by
// hand (`porthole forward`, -P 128 -R then -P 128 for 4 s each, 3 s quiet, a 10 s transfer; --trace-gc,
// the data plane's isolate) in 11 of 15 runs, with this rule in 1 of 5; the bench's 10 s run after its
// 128-stream runs had one.
// PORTHOLE_IDLE_GC=0 switches it off (DataPlaneOptions.idleGc) to measure what it trades.

const MIB = 1024 * 1024;
/**
 * Half a MiB: V8 made its own full collection of the plane ("allocation failure", inside a 10 s
 * transfer) once the heap had grown ~2 MB past what the last full collection left, and `porthole run`'s
 * plane (201 listeners) reached that in the bench's first round while growing only ~60–200 KB per
 * transfer — under the 1 MiB this was before, so the idle collection never ran (measured with
 * --trace-gc: one in 4 of 5 bench runs at 1 MiB, none in 3 runs at half a MiB).
 */
export const GROWTH_BYTES = MIB / 2;
/** At or above this share of a sample spent running callbacks, the thread is not quiet. */
export const QUIET_UTILISATION = 0.02;
export const SAMPLE_MS = 250;
export const QUIET_SAMPLES = 4;
/** More connections opened than this per MiB of old-space growth: the growth is churn's, left to V8. */
export const CHURN_PER_MIB = 250;
/**
 * A busy period that opened this many connections or more is a connection-rate workload (a second of
 * serial connections is ~1,000–3,500): growth after a full collection V8 made during it is left to V8.
 */
export const CHURN_BURST = 1000;

export interface IdleGcProbe {
  /** Share of the time since the last call that the event loop was busy (0..1). */
  busy(): number;
  /** Bytes in the old generation (old space and large objects). */
  oldBytes(): number;
  /** Connections opened so far (monotonic). */
  opened(): number;
  collect(): void;
}

/** The decision, apart from timers and V8: what each sample does with what it sees. */
export class IdleCollector {
  private baseline: number;
  private baseOpened: number;
  private lastOld: number;
  private quietRun = 0;
  /** The last run of quiet samples was long enough to act on: the next busy sample starts a new busy period. */
  private quietEnough = false;
  /** V8 made a full collection of its own during the current (or the last) busy period. */
  private v8CollectedWhileBusy = false;
  /** Connections opened when the current (or the last) busy period began. */
  private busyOpened: number;
  /** Connections opened as of the previous sample. */
  private lastOpened: number;
  collections = 0;
  /** Quiet runs that found enough growth but left it to V8 (connection churn). */
  leftToV8 = 0;

  constructor(
    private readonly probe: IdleGcProbe,
    private readonly o = { growth: GROWTH_BYTES, quiet: QUIET_UTILISATION, samples: QUIET_SAMPLES, churnPerMiB: CHURN_PER_MIB, churnBurst: CHURN_BURST },
  ) {
    this.baseline = this.lastOld = probe.oldBytes();
    this.baseOpened = this.busyOpened = this.lastOpened = probe.opened();
  }

  /**
   * One sample period passed: collect when the last `samples` periods were all quiet and old space grew
   * enough, neither by churn nor in a connection-rate busy period V8 collected during.
   */
  tick(): boolean {
    const old = this.probe.oldBytes();
    const busy = this.probe.busy() >= this.o.quiet;
    const opened = this.probe.opened();
    if (busy && this.quietEnough) {
      this.quietEnough = false;
      this.v8CollectedWhileBusy = false;
      // (Those it opened in its first sample count: the count as of the quiet sample before.)
      this.busyOpened = this.lastOpened;
    }
    this.lastOpened = opened;
    // Old space only shrinks in a full collection: V8 made one of its own; growth counts from here.
    if (old < this.lastOld) {
      this.rebase(old);
      if (busy) this.v8CollectedWhileBusy = true;
    }
    this.lastOld = old;
    if (busy) {
      this.quietRun = 0;
      return false;
    }
    if (++this.quietRun < this.o.samples) return false;
    this.quietEnough = true;
    const growth = old - this.baseline;
    if (growth < this.o.growth) return false;
    const rateWorkload = this.v8CollectedWhileBusy && opened - this.busyOpened >= this.o.churnBurst;
    if (rateWorkload || opened - this.baseOpened > (growth / MIB) * this.o.churnPerMiB) {
      this.quietRun = 0;
      this.leftToV8++;
      return false;
    }
    this.probe.collect();
    this.collections++;
    this.quietRun = 0;
    this.rebase(this.probe.oldBytes());
    return true;
  }

  private rebase(old: number): void {
    this.baseline = this.lastOld = old;
    this.baseOpened = this.probe.opened();
  }
}

/** Old space plus large-object space of this isolate. */
export function oldGenerationBytes(): number {
  let n = 0;
  for (const s of getHeapSpaceStatistics()) if (s.space_name === 'old_space' || s.space_name === 'large_object_space') n += s.space_used_size;
  return n;
}

/**
 * V8's full collection as a function, without starting the process with --expose-gc: the flag is
 * read when a context is made, so it is set for one new context and cleared again. The flag is
 * process-wide: a context another thread makes in those microseconds gets a `gc` too (harmless), and
 * two threads doing this at once could clear it under each other (that one's collector stays off).
 * Undefined when the runtime refuses (the collector then stays off). A process started with
 * --expose-gc keeps its own `gc` and its flag.
 */
export function fullCollection(): (() => void) | undefined {
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

/**
 * Runs the idle collector on this thread until the returned stop is called (its timer never holds the
 * thread open); `opened` counts the connections this thread's listeners have opened so far.
 */
export function startIdleGc(opened: () => number, sampleMs = SAMPLE_MS): (() => void) | undefined {
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
    oldBytes: oldGenerationBytes,
    opened,
    collect: gc,
  });
  const timer = setInterval(() => collector.tick(), sampleMs);
  timer.unref();
  return () => clearInterval(timer);
}
