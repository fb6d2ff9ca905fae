import type { RecentTraffic } from '../../src-shared/model/settings';

// The dashboard's total throughput over the last 15 minutes: one point per stats tick, seeded from
// traffic.recent() (the host keeps sampling while no window is open) and appended from each `stats`
// event. Mutable on purpose and outside React: the chart reads a window of it with setData, so a tick
// costs a push here and a slice there — no store update, no re-render.

export const RECENT_MS = 15 * 60_000;
/** 15 minutes at the fastest tick (250 ms), plus slack: a hard cap whatever the timestamps do. */
export const MAX_POINTS = 4000;
/** Old points are dropped in batches, not one shift() per tick. */
const COMPACT_AT = 512;

export interface RateWindow {
  /** Epoch seconds (uPlot's time scale). */
  x: number[];
  rateIn: number[];
  rateOut: number[];
}

function finiteRate(v: number | undefined): number {
  return v !== undefined && Number.isFinite(v) && v > 0 ? v : 0;
}

export class RecentRates {
  private ts: number[] = [];
  private rin: number[] = [];
  private rout: number[] = [];
  /** Index of the oldest point still inside the 15 minutes. */
  private head = 0;

  get size(): number {
    return this.ts.length - this.head;
  }

  /** Epoch ms of the newest point, or undefined when empty. */
  lastTs(): number | undefined {
    return this.size > 0 ? this.ts[this.ts.length - 1] : undefined;
  }

  last(): { ts: number; rateIn: number; rateOut: number } | undefined {
    const i = this.ts.length - 1;
    if (this.size === 0) return undefined;
    return { ts: this.ts[i]!, rateIn: this.rin[i]!, rateOut: this.rout[i]! };
  }

  /** One tick. Points out of order (older than the newest) are dropped. */
  push(ts: number, rateIn: number, rateOut: number): boolean {
    if (!Number.isFinite(ts)) return false;
    const newest = this.lastTs();
    if (newest !== undefined && ts <= newest) return false;
    this.ts.push(ts);
    this.rin.push(finiteRate(rateIn));
    this.rout.push(finiteRate(rateOut));
    this.trim();
    return true;
  }

  /**
   * Replaces the history with the host's (after start or a reconnect) and keeps the live points that
   * arrived while the request was in flight and are newer than the host's last one.
   */
  seed(recent: RecentTraffic): void {
    const n = Math.min(recent.ts.length, recent.rateIn.length, recent.rateOut.length);
    const hostLast = n > 0 ? recent.ts[n - 1]! : -Infinity;
    const keep: [number, number, number][] = [];
    for (let i = this.head; i < this.ts.length; i++) if (this.ts[i]! > hostLast) keep.push([this.ts[i]!, this.rin[i]!, this.rout[i]!]);
    this.ts = [];
    this.rin = [];
    this.rout = [];
    this.head = 0;
    for (let i = 0; i < n; i++) this.push(recent.ts[i]!, recent.rateIn[i]!, recent.rateOut[i]!);
    for (const [t, a, b] of keep) this.push(t, a, b);
  }

  /** The points of the last `rangeMs` before `end` (default: the newest point), oldest first. */
  window(rangeMs: number, end = this.lastTs() ?? 0): RateWindow {
    const from = end - rangeMs;
    let lo = this.head;
    let hi = this.ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    const x = new Array<number>(this.ts.length - lo);
    for (let i = lo; i < this.ts.length; i++) x[i - lo] = this.ts[i]! / 1000;
    return { x, rateIn: this.rin.slice(lo), rateOut: this.rout.slice(lo) };
  }

  private trim(): void {
    const cutoff = this.ts[this.ts.length - 1]! - RECENT_MS;
    while (this.head < this.ts.length && (this.ts[this.head]! < cutoff || this.ts.length - this.head > MAX_POINTS)) this.head++;
    if (this.head >= COMPACT_AT) {
      this.ts.splice(0, this.head);
      this.rin.splice(0, this.head);
      this.rout.splice(0, this.head);
      this.head = 0;
    }
  }
}

/** Median of the gaps between the last few arrivals: what "updates every N s" really is. */
export function medianGap(arrivals: readonly number[]): number | null {
  if (arrivals.length < 2) return null;
  const gaps: number[] = [];
  for (let i = 1; i < arrivals.length; i++) gaps.push(arrivals[i]! - arrivals[i - 1]!);
  gaps.sort((a, b) => a - b);
  const mid = gaps.length >> 1;
  return gaps.length % 2 === 1 ? gaps[mid]! : (gaps[mid - 1]! + gaps[mid]!) / 2;
}
