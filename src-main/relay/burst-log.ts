import { type LineLog, type LogLine, said } from '../../src-shared/model/log-text';
import { formatSpan } from './relay-limits';

export type LogLevel = 'info' | 'warn' | 'error';

/**
 * Log lines that come in bursts (a scan, a flood, a token guesser): the first line of a kind is
 * written, the rest of its burst only counted and summed up in the next line of that kind. Across
 * kinds at most `maxLines` lines go out per quiet period, so that many sources at once (one kind
 * each) cannot flood the log either. Memory: at most `maxKinds` kinds, the oldest forgotten first.
 */
export class BurstLog {
  private readonly kinds = new Map<string, { at: number; suppressed: number }>();
  private windowStart = 0;
  private linesInWindow = 0;
  private droppedInWindow = 0;

  constructor(
    private readonly write: LineLog,
    private readonly quietMs = 60_000,
    private readonly maxLines = 30,
    private readonly now: () => number = Date.now,
    private readonly maxKinds = 1024,
  ) {}

  note(kind: string, level: LogLevel, message: string, line: LogLine): void {
    const now = this.now();
    const k = this.kinds.get(kind);
    if (k && now - k.at < this.quietMs) {
      k.suppressed++;
      return;
    }
    if (now - this.windowStart >= this.quietMs) {
      if (this.droppedInWindow > 0) this.write('warn', ...said('relayBurstDropped', { lines: this.droppedInWindow, span: formatSpan(now - this.windowStart) }));
      this.windowStart = now;
      this.linesInWindow = 0;
      this.droppedInWindow = 0;
    }
    if (this.linesInWindow >= this.maxLines) {
      this.droppedInWindow++;
      return;
    }
    this.linesInWindow++;
    this.kinds.delete(kind);
    if (this.kinds.size >= this.maxKinds) this.kinds.delete(this.kinds.keys().next().value!);
    this.kinds.set(kind, { at: now, suppressed: 0 });
    if (k && k.suppressed > 0) this.write(level, ...said('burstMore', { suppressed: k.suppressed, span: formatSpan(now - k.at) }, line));
    else this.write(level, message, line);
  }

  /** Written at once, outside the budget (a source just got refused: the operator has to see that). */
  always(level: LogLevel, message: string, line: LogLine): void {
    this.write(level, message, line);
  }
}
