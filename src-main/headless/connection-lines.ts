import { formatBytes } from '../../src-shared/format/units';
import type { PlaneEvent } from '../dataplane/protocol';
import { CONNECTION_LINES_PER_SECOND, type HeldConnections, LineBudget } from '../service/line-budget';

/** The events of a forward's connections (the other kinds are a relay agent's: not a forward's). */
type ConnectionEvent = Extract<PlaneEvent, { e: 'open' | 'close' | 'error' | 'refused' }>;

/**
 * The connection log of `porthole forward`: a line per open, close, failure and refusal, up to
 * CONNECTION_LINES_PER_SECOND in a second (LineBudget); the rest of a busy second becomes one line of
 * counts. A terminal that scrolled 4,000 lines a second said nothing anyone could read, and formatting
 * and writing them cost the forward's control thread ~9 µs a connection, on the cores the traffic
 * needs. A listener failing is always said at once.
 */
export class ConnectionLines {
  private readonly budget: LineBudget;

  constructor(
    /** Takes the lines (without timestamps), in order: the forward writes them out once per batch of events. */
    private readonly out: (line: string) => void,
    /** "connections", or "sessions" for UDP. */
    private readonly what: string,
    now?: () => number,
  ) {
    this.budget = new LineBudget((h) => out(this.summary(h)), CONNECTION_LINES_PER_SECOND, now);
  }

  add(e: PlaneEvent): void {
    if (e.e === 'listener-error') {
      this.out(`listener failed: ${e.error.message} [${e.error.code}]`);
      return;
    }
    if (e.e !== 'open' && e.e !== 'close' && e.e !== 'error' && e.e !== 'refused') return;
    if (this.budget.admit(factOf(e))) this.out(lineFor(e));
  }

  /** Says what the current second held back (at stop, before the totals). */
  flush(): void {
    this.budget.flush();
  }

  private summary(h: HeldConnections): string {
    const parts: string[] = [];
    if (h.opened > 0) parts.push(`${h.opened} opened`);
    if (h.closed > 0) parts.push(`${h.closed} closed (${formatBytes(h.bytesIn)} in, ${formatBytes(h.bytesOut)} out)`);
    if (h.failed > 0) parts.push(`${h.failed} failed (the last: ${h.lastFailure})`);
    if (h.refused > 0) parts.push(`${h.refused} refused`);
    return `… ${this.what} in that second not listed one by one (more than ${CONNECTION_LINES_PER_SECOND} lines a second): ${parts.join(', ')}`;
  }
}

function factOf(e: ConnectionEvent) {
  switch (e.e) {
    case 'open':
      return { kind: 'open' } as const;
    case 'close':
      return { kind: 'close', bytesIn: e.bytesIn, bytesOut: e.bytesOut } as const;
    case 'error':
      return { kind: 'error', failure: `${e.client}: ${e.error.message} [${e.error.code}]` } as const;
    case 'refused':
      return { kind: 'refused' } as const;
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
