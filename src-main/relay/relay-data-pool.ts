import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { type DataDial, ticketMac } from './data-protocol';
import { proofMatches } from './protocol';

export interface DataPoolOptions {
  /** The pool never shrinks below this many ready data connections (0: none kept while idle). */
  min: number;
  /** …nor grows above this many (ready ones plus tickets out). */
  max: number;
  /** How long a ticket may wait for its data connection. */
  ticketTtlMs: number;
  /** A pool that saw no public connection for this long halves towards `min`. */
  shrinkAfterMs: number;
  /**
   * New data connections asked for per second on trust, beyond a burst of the start size; each public
   * connection that moves EARN_BYTES pays for one more at once (earn()). A data connection costs a TLS
   * handshake on both sides (~2 ms of CPU in Node, more than a whole connection on an HTTP/2 stream), so
   * a flood of short connections must not turn into a flood of handshakes: what the pool cannot take
   * goes on HTTP/2 streams at their usual rate, and bulk traffic, which gains from data connections,
   * refills the pool as fast as it comes.
   */
  refillPerSecond: number;
}

/** What a public connection moves before it has paid for a data connection's handshake. */
export const EARN_BYTES = 256 * 1024;

// rathole keeps 8 data channels per service ready, frp a configured pool per proxy; here one pool per
// agent session serves all its TCP exposures (the open frame names the exposure). It starts at 8,
// doubles when a public connection moves EARN_BYTES while the pool has lately been found empty, and
// halves back after a quiet period.
const DIAL_GRACE_MS = 5000;

export const DATA_POOL_DEFAULTS: DataPoolOptions = { min: 8, max: 64, ticketTtlMs: 30_000, shrinkAfterMs: 30_000, refillPerSecond: 2 };

/**
 * One agent session's data connections on the relay: the tickets it has issued (one-time ids with an
 * expiry), the authenticated connections waiting for a public connection, and the adaptive target size.
 * The relay alone hands connections out and alone closes idle ones, so a connection is never taken
 * while the agent is closing it.
 */
export class DataPool {
  private readonly issued = new Map<number, number>();
  /** Ready connections, oldest first: take() uses the newest, shrinking closes the oldest. */
  private readonly ready: Array<{ socket: Socket; onIdleData: () => void }> = [];
  private nextId = 1;
  private taken = 0;
  private missed = 0;
  /** When a public connection last found the pool empty (ms since the epoch; 0: not since the start). */
  private lastMissAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private recheck: { timer: NodeJS.Timeout; at: number } | undefined;
  private refillQueued = false;
  private closed = false;
  private tokens: number;
  private tokensAt = Date.now();
  target: number;
  /** Counters for status and tests (passed: public connections sent to a stream without asking, see ShortBurst). */
  readonly stats = { admitted: 0, taken: 0, missed: 0, passed: 0 };

  constructor(
    readonly session: string,
    private readonly key: Buffer,
    /** Sends tickets to the agent on the control stream. */
    private readonly grant: (ids: number[], exp: number) => void,
    private readonly o: DataPoolOptions = DATA_POOL_DEFAULTS,
  ) {
    this.target = Math.min(o.max, Math.max(o.min, DATA_POOL_DEFAULTS.min));
    this.tokens = this.burst;
  }

  /** The initial fill (and a refill of a pool back at its start size) needs no budget. */
  private get burst(): number {
    return Math.max(1, Math.min(this.o.max, Math.max(this.o.min, DATA_POOL_DEFAULTS.min)));
  }

  start(): void {
    this.timer = setInterval(() => this.review(), this.o.shrinkAfterMs);
    this.timer.unref();
    this.refill();
  }

  get size(): number {
    return this.ready.length;
  }

  /** Tickets issued within the dial grace period and not yet redeemed. */
  get outstanding(): number {
    return this.pending(Date.now());
  }

  /**
   * Checks a data connection's ticket; on success the connection joins the pool. Returns why it was
   * refused otherwise (the caller tells the agent, closes it and counts a failed attempt).
   */
  admit(socket: Socket, dial: DataDial, binding: Buffer): string | undefined {
    if (this.closed) return 'its session has ended';
    const exp = this.issued.get(dial.id);
    if (exp === undefined) return `ticket ${dial.id} is unknown or was already used`;
    if (!proofMatches(ticketMac(this.key, this.session, dial.id, exp, binding), dial.mac) || dial.exp !== exp) return `ticket ${dial.id} does not verify`;
    this.issued.delete(dial.id);
    if (Date.now() > exp) return `ticket ${dial.id} expired`;
    this.stats.admitted++;
    socket.setKeepAlive(true, 30_000);
    socket.setNoDelay(true);
    // Read while idle so an agent that closes it (or dies) is noticed; it must not send anything yet.
    const entry = { socket, onIdleData: () => socket.destroy() };
    socket.on('data', entry.onIdleData);
    socket.once('close', () => {
      const i = this.ready.indexOf(entry);
      if (i < 0) return;
      this.ready.splice(i, 1);
      // An idle one the agent closed (its data plane restarted, the network dropped): replace it.
      if (!this.closed) this.refillSoon();
    });
    this.ready.push(entry);
    return undefined;
  }

  /** A ready data connection for a public connection (paused, listeners of the pool removed), or none. */
  take(): Socket | undefined {
    let entry = this.ready.pop();
    while (entry?.socket.destroyed) entry = this.ready.pop();
    if (!entry) {
      this.missed++;
      this.stats.missed++;
      // The target grows only once connections that came while the pool was empty turn out to be worth
      // a data connection (earn()): a burst of short ones that finds it empty (32 at once, before
      // ShortBurst has seen any of them close) doubled it to 64 here before, and the pool then spent two
      // handshakes a second on trust filling up to 64 connections that such traffic never uses (bench,
      // 32 concurrent 1-byte connections: 13-30 taken per burst instead of 8).
      this.lastMissAt = Date.now();
      // A miss changes what refill() would do only when a whole ticket's budget has come in; otherwise
      // the recheck timer refill() leaves whenever it falls short is already set for when it can do
      // more. (A refill per miss cost ~6 µs of the relay's CPU for every short connection, profiled.)
      if (this.hasTicketBudget()) this.refillSoon();
      return undefined;
    }
    this.taken++;
    this.stats.taken++;
    entry.socket.off('data', entry.onIdleData);
    entry.socket.pause();
    this.refillSoon();
    return entry.socket;
  }

  /** A public connection went to an HTTP/2 stream without taking one (its port is in a burst of short ones). */
  passOver(): void {
    this.stats.passed++;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    clearTimeout(this.recheck?.timer);
    this.issued.clear();
    for (const e of this.ready.splice(0)) e.socket.destroy();
  }

  /**
   * A public connection (on either path) moved EARN_BYTES: one more data connection is worth its
   * handshake, and if the pool was found empty within the last shrinkAfterMs, it is too small for
   * connections like this one: its target doubles (up to max).
   */
  earn(): void {
    if (this.closed) return;
    const now = Date.now();
    this.budget(now);
    this.tokens = Math.min(this.burst, this.tokens + 1);
    if (this.lastMissAt > 0 && now - this.lastMissAt <= this.o.shrinkAfterMs) this.target = Math.min(this.o.max, Math.max(1, this.target * 2));
    this.refillSoon();
  }

  private hasTicketBudget(): boolean {
    this.budget(Date.now());
    return this.tokens >= 1;
  }

  private budget(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.tokensAt) / 1000) * this.o.refillPerSecond);
    this.tokensAt = now;
  }

  /** After the connection that took one has had its open frame written: the tickets follow it. */
  private refillSoon(): void {
    if (this.refillQueued) return;
    this.refillQueued = true;
    setImmediate(() => {
      this.refillQueued = false;
      this.refill();
    });
  }

  /** Issues tickets, as the budget allows, so that ready connections plus tickets out reach the target. */
  private refill(): void {
    if (this.closed) return;
    const now = Date.now();
    for (const [id, exp] of this.issued) if (exp < now) this.issued.delete(id);
    // `max` is a hard cap: a ticket that has not come back within the dial grace no longer holds the
    // target back, but it can still be redeemed until it expires, so it still counts against max.
    const want = Math.min(64, this.target - this.ready.length - this.pending(now), this.o.max - this.ready.length - this.issued.size);
    if (want <= 0) {
      // Full for now; look again when a ticket out stops counting as pending or expires.
      const next = this.nextTicketChange(now);
      if (next !== undefined) this.recheckIn(next - now + 100);
      return;
    }
    this.budget(now);
    const n = Math.min(want, Math.floor(this.tokens));
    if (n > 0) {
      this.tokens -= n;
      const exp = now + this.o.ticketTtlMs;
      const ids: number[] = [];
      for (let i = 0; i < n; i++) {
        const id = this.nextId++;
        this.issued.set(id, exp);
        ids.push(id);
      }
      this.grant(ids, exp);
    }
    // Look again when the budget allows the rest, or when tickets that never came back (the agent
    // could not connect) stop counting: one timer, at most one batch per grace period for those.
    const wait = n < want ? Math.min(DIAL_GRACE_MS, Math.ceil(((1 - (this.tokens % 1)) / this.o.refillPerSecond) * 1000)) : DIAL_GRACE_MS + 100;
    this.recheckIn(wait);
  }

  private recheckIn(ms: number): void {
    const at = Date.now() + ms;
    if (this.recheck && this.recheck.at <= at) return;
    clearTimeout(this.recheck?.timer);
    const timer = setTimeout(() => {
      this.recheck = undefined;
      this.refill();
    }, ms);
    timer.unref();
    this.recheck = { timer, at };
  }

  /** The next moment a ticket out stops counting as pending (its dial grace ends) or expires; undefined: none out. */
  private nextTicketChange(now: number): number | undefined {
    let first: number | undefined;
    for (const exp of this.issued.values()) {
      const graceEnds = exp - this.o.ticketTtlMs + DIAL_GRACE_MS;
      const at = graceEnds > now ? graceEnds : exp;
      if (first === undefined || at < first) first = at;
    }
    return first;
  }

  /**
   * Tickets still expected to come back: a dial takes milliseconds, so one not redeemed after
   * DIAL_GRACE_MS has most likely failed and no longer holds the pool back (it stays valid until it expires).
   */
  private pending(now: number): number {
    let n = 0;
    for (const exp of this.issued.values()) if (exp - this.o.ticketTtlMs > now - DIAL_GRACE_MS) n++;
    return n;
  }

  /** Every shrinkAfterMs: a pool nobody used halves towards min and closes what it no longer needs. */
  private review(): void {
    if (this.taken === 0 && this.missed === 0 && this.target > this.o.min) {
      this.target = Math.max(this.o.min, Math.floor(this.target / 2));
      while (this.ready.length > this.target) this.ready.shift()!.socket.destroy();
    }
    this.taken = 0;
    this.missed = 0;
    this.refill();
  }
}

/** Short connections in a row on one public port before its next ones leave the pool alone. */
export const SHORT_BURST = 8;
/** …each closed within this long of the one before; and a connection that lived this long was not short. */
export const SHORT_WINDOW_MS = 1000;

/**
 * One public port's recent connections, for whether its next one should take a data connection. A data
 * connection carries bulk traffic better than an HTTP/2 stream, but one taken by a connection that is
 * over in milliseconds costs a TLS close and, for its replacement, a TLS handshake: ~5 ms of CPU on the
 * two sides, against ~1 ms for a whole connection on a stream. After an idle spell the pool has refilled
 * (2 a second), and a burst of short connections (HTTP requests, health checks) spent all of it: in the
 * bench's serial connection-rate runs, 29–75 connections a run took it, and the relay spent 1.10 CPU ms
 * per connection against 0.93 for two pool-off pairs (run 16, 11 rounds). So once SHORT_BURST
 * connections of a port in a row closed within SHORT_WINDOW_MS of each other, each having moved less
 * than EARN_BYTES, the port's new connections take streams, until a quiet SHORT_WINDOW_MS passes or one
 * of its connections moves EARN_BYTES or lives SHORT_WINDOW_MS.
 */
export class ShortBurst {
  private run = 0;
  private lastAt = -Infinity;

  /** The port's next connection should leave the pool alone (monotonic ms, performance.now()). */
  skipsPool(now = performance.now()): boolean {
    return this.run >= SHORT_BURST && now - this.lastAt <= SHORT_WINDOW_MS;
  }

  /** One of the port's connections closed after moving `bytes` either way in `livedMs`. */
  closed(bytes: number, livedMs: number, now = performance.now()): void {
    if (bytes >= EARN_BYTES || livedMs >= SHORT_WINDOW_MS) {
      this.run = 0;
      return;
    }
    if (now - this.lastAt > SHORT_WINDOW_MS) this.run = 0;
    this.run++;
    this.lastAt = now;
  }
}

/** Per public connection (either path): once it has moved EARN_BYTES it pays for one more pooled data connection. */
export function earner(pool: DataPool | undefined, conn: { bytesIn: number; bytesOut: number }): () => void {
  let earned = !pool;
  return () => {
    if (earned || conn.bytesIn + conn.bytesOut < EARN_BYTES) return;
    earned = true;
    pool?.earn();
  };
}
