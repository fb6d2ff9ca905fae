import type { Socket } from 'node:net';
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
}

// rathole keeps 8 data channels per service ready, frp a configured pool per proxy; here one pool per
// agent session serves all its TCP exposures (the open frame names the exposure). It starts at 8,
// doubles whenever a public connection finds it empty and halves back after a quiet period.
const DIAL_GRACE_MS = 5000;

export const DATA_POOL_DEFAULTS: DataPoolOptions = { min: 8, max: 64, ticketTtlMs: 30_000, shrinkAfterMs: 30_000 };

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
  private timer: NodeJS.Timeout | undefined;
  private recheck: NodeJS.Timeout | undefined;
  private closed = false;
  target: number;
  /** Counters for status and tests. */
  readonly stats = { admitted: 0, taken: 0, missed: 0 };

  constructor(
    readonly session: string,
    private readonly key: Buffer,
    /** Sends tickets to the agent on the control stream. */
    private readonly grant: (ids: number[], exp: number) => void,
    private readonly o: DataPoolOptions = DATA_POOL_DEFAULTS,
  ) {
    this.target = Math.min(o.max, Math.max(o.min, DATA_POOL_DEFAULTS.min));
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
      if (i >= 0) this.ready.splice(i, 1);
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
      const grown = Math.min(this.o.max, Math.max(1, this.target * 2));
      if (grown !== this.target) this.target = grown;
      this.refill();
      return undefined;
    }
    this.taken++;
    this.stats.taken++;
    entry.socket.off('data', entry.onIdleData);
    entry.socket.pause();
    this.refill();
    return entry.socket;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    clearTimeout(this.recheck);
    this.issued.clear();
    for (const e of this.ready.splice(0)) e.socket.destroy();
  }

  /** Issues tickets so that ready connections plus tickets out reach the target. */
  private refill(): void {
    if (this.closed) return;
    const now = Date.now();
    for (const [id, exp] of this.issued) if (exp < now) this.issued.delete(id);
    const want = this.target - this.ready.length - this.pending(now);
    if (want <= 0) return;
    const exp = now + this.o.ticketTtlMs;
    const ids: number[] = [];
    for (let i = 0; i < Math.min(want, 64); i++) {
      const id = this.nextId++;
      this.issued.set(id, exp);
      ids.push(id);
    }
    this.grant(ids, exp);
    // Tickets that never come back (the agent could not connect) stop counting after the grace period;
    // look again then, at most one batch per period however often dials fail.
    if (!this.recheck) {
      this.recheck = setTimeout(() => {
        this.recheck = undefined;
        this.refill();
      }, DIAL_GRACE_MS + 100);
      this.recheck.unref();
    }
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
