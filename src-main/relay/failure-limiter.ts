import { isIPv4, isIPv6 } from '../../src-shared/format/address';
import type { RelayLimits } from './relay-limits';

// Token guessing on the relay's agent port: each failed handshake from a source makes it wait longer
// before the relay reads its next one, and too many within a window get the source refused for a
// while (longer each time it comes back for more). The table of sources is bounded: stale entries
// go first, then the least recently failing ones.

export type FailureLimits = Pick<
  RelayLimits,
  'maxFailedHandshakes' | 'failureWindowMs' | 'blockMs' | 'maxBlockMs' | 'failureDelayMs' | 'maxFailureDelayMs' | 'maxTrackedAddresses'
>;

interface Entry {
  /** Failures counted since windowStart. */
  failures: number;
  windowStart: number;
  lastFailure: number;
  blockedUntil: number;
  /** Refusals in a row (each within maxBlockMs of the last one's end): the next one lasts longer. */
  strikes: number;
}

export interface BlockStarted {
  source: string;
  failures: number;
  /** How long the failures took, first to last. */
  overMs: number;
  blockMs: number;
}

/**
 * What the limiter keys on: the IP address, with an IPv4-mapped IPv6 address read as IPv4 and an
 * IPv6 address cut to its /64 (one subscriber's usual allocation, which one attacker can spread over).
 */
export function sourceKey(ip: string | undefined): string {
  if (!ip) return '?';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIPv4(ip) || !isIPv6(ip)) return ip;
  const groups = expandIPv6(ip.replace(/%.*$/, ''));
  return groups ? `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64` : ip;
}

function expandIPv6(ip: string): number[] | undefined {
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = v4[1]!.split('.').map(Number);
    text = `${text.slice(0, -v4[1]!.length)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  const all = [...h, ...Array<string>(Math.max(0, fill)).fill('0'), ...t].map((g) => parseInt(g, 16));
  return all.length === 8 && all.every((g) => g >= 0 && g <= 0xffff) ? all : undefined;
}

export class FailureLimiter {
  private readonly table = new Map<string, Entry>();

  constructor(
    private readonly o: FailureLimits,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.table.size;
  }

  /** Milliseconds left on the source's refusal; 0 when it is not refused. */
  blockedFor(source: string): number {
    const e = this.table.get(source);
    return e ? Math.max(0, e.blockedUntil - this.now()) : 0;
  }

  /** How long to wait before reading the next handshake from the source (0 until it has failed). */
  delayFor(source: string): number {
    const e = this.live(source);
    if (!e || e.failures === 0) return 0;
    return Math.min(this.o.failureDelayMs * 2 ** Math.min(e.failures - 1, 30), this.o.maxFailureDelayMs);
  }

  /** Records a failed handshake; says so when this one got the source refused. */
  fail(source: string): BlockStarted | undefined {
    const now = this.now();
    let e = this.live(source);
    if (!e) {
      this.makeRoom();
      e = { failures: 0, windowStart: now, lastFailure: now, blockedUntil: 0, strikes: 0 };
    }
    // Most recently failing last: the eviction order.
    this.table.delete(source);
    this.table.set(source, e);
    e.failures++;
    e.lastFailure = now;
    if (e.failures < this.o.maxFailedHandshakes || e.blockedUntil > now) return undefined;
    e.strikes++;
    const blockMs = Math.min(this.o.blockMs * 2 ** Math.min(e.strikes - 1, 30), this.o.maxBlockMs);
    e.blockedUntil = now + blockMs;
    const started: BlockStarted = { source, failures: e.failures, overMs: now - e.windowStart, blockMs };
    // The refusal itself is the penalty; after it the source starts a fresh window (without delays).
    e.failures = 0;
    e.windowStart = e.blockedUntil;
    return started;
  }

  /** A handshake from the source succeeded: its failures so far are forgotten (its strikes are not). */
  succeeded(source: string): void {
    const e = this.table.get(source);
    if (!e) return;
    e.failures = 0;
    e.windowStart = this.now();
    if (e.strikes === 0 && e.blockedUntil <= this.now()) this.table.delete(source);
  }

  /** The entry with its window rolled over, or undefined when it has expired (and is then dropped). */
  private live(source: string): Entry | undefined {
    const e = this.table.get(source);
    if (!e) return undefined;
    const now = this.now();
    if (this.stale(e, now)) {
      this.table.delete(source);
      return undefined;
    }
    if (e.blockedUntil <= now && now - e.windowStart > this.o.failureWindowMs) {
      e.failures = 0;
      e.windowStart = now;
    }
    return e;
  }

  /** Nothing left to remember: not refused, no failure within the window, no strike still counting. */
  private stale(e: Entry, now: number): boolean {
    if (e.blockedUntil > now) return false;
    const quietFor = now - Math.max(e.lastFailure, e.blockedUntil);
    return quietFor > this.o.failureWindowMs && (e.strikes === 0 || quietFor > this.o.maxBlockMs);
  }

  private makeRoom(): void {
    if (this.table.size < this.o.maxTrackedAddresses) return;
    const now = this.now();
    for (const [k, e] of this.table) if (this.stale(e, now)) this.table.delete(k);
    if (this.table.size < this.o.maxTrackedAddresses) return;
    // Full of live entries: forget the least recently failing one that is not refused, else the oldest.
    let victim: string | undefined;
    for (const [k, e] of this.table) {
      if (e.blockedUntil <= now) {
        victim = k;
        break;
      }
    }
    this.table.delete(victim ?? this.table.keys().next().value!);
  }
}
