/** Lines about one mapping's connections logged one by one in a second; the rest of the second is summed up. */
export const CONNECTION_LINES_PER_SECOND = 40;
const WINDOW_MS = 1000;

/** What a busy second held back from the log, by kind. */
export interface HeldConnections {
  opened: number;
  closed: number;
  failed: number;
  refused: number;
  bytesIn: number;
  bytesOut: number;
  /** The last failure's words, for the summary. */
  lastFailure: string | undefined;
}

export type ConnectionFact =
  | { kind: 'open' }
  | { kind: 'close'; bytesIn: number; bytesOut: number }
  | { kind: 'error'; failure: string }
  | { kind: 'refused' };

const nothing = (): HeldConnections => ({ opened: 0, closed: 0, failed: 0, refused: 0, bytesIn: 0, bytesOut: 0, lastFailure: undefined });

/**
 * A line per connection event while they come slowly; past CONNECTION_LINES_PER_SECOND in a second (a
 * load test, a scan, a browser opening hundreds of connections through a SOCKS mapping, a client in a
 * reconnect loop) the rest of that second is counted, and `summed` is called once with the counts —
 * when the second ends, or before the next second's first line, or at flush(). Without it one busy
 * mapping wrote thousands of lines a second: `porthole forward` scrolled its terminal past reading, and
 * the service's 10,000-line log lost every other mapping's lines within seconds.
 */
export class LineBudget {
  private windowStart = -Infinity;
  private used = 0;
  private held = nothing();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly summed: (held: HeldConnections) => void,
    private readonly perSecond = CONNECTION_LINES_PER_SECOND,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** true: log this event's line now; false: it was counted for this second's summary. */
  admit(fact: ConnectionFact): boolean {
    const now = this.now();
    if (now - this.windowStart >= WINDOW_MS) {
      // A new second: what the last one held is said first.
      this.flush();
      this.windowStart = now;
      this.used = 0;
    }
    if (this.used < this.perSecond) {
      this.used++;
      return true;
    }
    const h = this.held;
    switch (fact.kind) {
      case 'open':
        h.opened++;
        break;
      case 'close':
        h.closed++;
        h.bytesIn += fact.bytesIn;
        h.bytesOut += fact.bytesOut;
        break;
      case 'error':
        h.failed++;
        h.lastFailure = fact.failure;
        break;
      case 'refused':
        h.refused++;
        break;
    }
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), Math.max(0, this.windowStart + WINDOW_MS - now));
      this.timer.unref?.();
    }
    return false;
  }

  /** Says what is held now (the end of its second, or a stop: so that totals said after it add up). */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const h = this.held;
    if (h.opened + h.closed + h.failed + h.refused === 0) return;
    this.held = nothing();
    this.summed(h);
  }
}
