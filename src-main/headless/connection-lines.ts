import { formatBytes } from '../../src-shared/format/units';
import type { PlaneEvent } from '../dataplane/protocol';

/** Lines about connections `porthole forward` writes one by one in a second; the rest of it is summed up. */
export const LINES_PER_SECOND = 40;
const WINDOW_MS = 1000;

interface Held {
  opened: number;
  closed: number;
  failed: number;
  refused: number;
  bytesIn: number;
  bytesOut: number;
  lastFailure: string | undefined;
}

/** The events of a forward's connections (the other kinds are a relay agent's: not a forward's). */
type ConnectionEvent = Extract<PlaneEvent, { e: 'open' | 'close' | 'error' | 'refused' }>;

const none = (): Held => ({ opened: 0, closed: 0, failed: 0, refused: 0, bytesIn: 0, bytesOut: 0, lastFailure: undefined });

/**
 * The connection log of `porthole forward`: a line per open, close, failure and refusal — up to
 * LINES_PER_SECOND in a second. Past that (a load test, a scan, a client in a reconnect loop) the rest
 * of the second is counted, and one line at its end says how many opened, closed, failed and were
 * refused, with their bytes and the last failure. A terminal that scrolled 4,000 lines a second said
 * nothing anyone could read, and formatting and writing them cost the forward's control thread ~9 µs a
 * connection, on the cores the traffic needs. A listener failing is always written at once.
 */
export class ConnectionLines {
  private windowStart = -Infinity;
  private used = 0;
  private held = none();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** Writes the lines (without timestamps), in order. */
    private readonly write: (lines: string[]) => void,
    /** "connections", or "sessions" for UDP. */
    private readonly what: string,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Adds `e`'s line to `out` — or counts it, when this second's lines are used up. */
  add(e: PlaneEvent, out: string[]): void {
    if (e.e === 'listener-error') {
      out.push(`listener failed: ${e.error.message} [${e.error.code}]`);
      return;
    }
    if (e.e !== 'open' && e.e !== 'close' && e.e !== 'error' && e.e !== 'refused') return;
    const now = this.now();
    if (now - this.windowStart >= WINDOW_MS) {
      // A new second: what the last one held goes first.
      const sum = this.summary();
      if (sum !== undefined) out.push(sum);
      this.windowStart = now;
      this.used = 0;
    }
    if (this.used < LINES_PER_SECOND) {
      this.used++;
      out.push(lineFor(e));
    } else {
      this.hold(e);
    }
  }

  /** Writes what is held now (at the end of its second, and at stop, so that the totals before "stopped" add up). */
  flush(): void {
    const sum = this.summary();
    if (sum !== undefined) this.write([sum]);
  }

  private summary(): string | undefined {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const h = this.held;
    if (h.opened + h.closed + h.failed + h.refused === 0) return undefined;
    this.held = none();
    const parts: string[] = [];
    if (h.opened > 0) parts.push(`${h.opened} opened`);
    if (h.closed > 0) parts.push(`${h.closed} closed (${formatBytes(h.bytesIn)} in, ${formatBytes(h.bytesOut)} out)`);
    if (h.failed > 0) parts.push(`${h.failed} failed (the last: ${h.lastFailure})`);
    if (h.refused > 0) parts.push(`${h.refused} refused`);
    return `… ${this.what} in that second not listed one by one (more than ${LINES_PER_SECOND} lines a second): ${parts.join(', ')}`;
  }

  private hold(e: ConnectionEvent): void {
    const h = this.held;
    switch (e.e) {
      case 'open':
        h.opened++;
        break;
      case 'close':
        h.closed++;
        h.bytesIn += e.bytesIn;
        h.bytesOut += e.bytesOut;
        break;
      case 'error':
        h.failed++;
        h.lastFailure = `${e.client}: ${e.error.message} [${e.error.code}]`;
        break;
      case 'refused':
        h.refused++;
        break;
    }
    // Summed up when this second is over: the first line of the next one comes after it.
    this.timer ??= setTimeout(() => this.flush(), Math.max(0, this.windowStart + WINDOW_MS - this.now()));
  }
}

function lineFor(e: ConnectionEvent): string {
  switch (e.e) {
    case 'open':
      return `open  #${e.id} from ${e.client}`;
    case 'close':
      if (e.packetsIn !== undefined) {
        return `close #${e.id} from ${e.client} (${e.reason ?? 'closed'}): ${e.packetsIn} datagrams in, ${e.packetsOut ?? 0} out, ${formatBytes(e.bytesIn)} in, ${formatBytes(e.bytesOut)} out`;
      }
      return `close #${e.id} from ${e.client}: ${formatBytes(e.bytesIn)} in, ${formatBytes(e.bytesOut)} out, ${e.durationMs} ms`;
    case 'error':
      return `error ${e.id !== undefined ? `#${e.id} ` : ''}from ${e.client}: ${e.error.message} [${e.error.code}]`;
    case 'refused':
      return `refused ${e.client}: ${e.reason}`;
  }
}
