import { LOG_QUERY_MAX_LIMIT, type LogEntry, type LogLevel, type LogQuery, LogQuerySchema, levelAtLeast } from '../../src-shared/model/log';
import type { RuleErrorCode } from '../../src-shared/model/errors';
import { maskSecrets } from '../../src-shared/format/mask-secrets';

/** A bounded in-memory log: the newest `capacity` lines, queryable, with batched delivery to listeners. */
export class LogBuffer {
  private entries: LogEntry[] = [];
  private seq = 0;
  private pending: LogEntry[] = [];
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly onBatch: (batch: LogEntry[]) => void,
    private readonly capacity = LOG_QUERY_MAX_LIMIT,
    private readonly flushMs = 150,
    private readonly echo?: (entry: LogEntry) => void,
  ) {}

  /** Masks anything that looks like a secret first: messages quote URLs, headers and request paths. */
  add(level: LogLevel, message: string, extra: { ruleId?: string; code?: RuleErrorCode } = {}): LogEntry {
    const entry: LogEntry = { seq: ++this.seq, ts: Date.now(), level, message: maskSecrets(message), ...extra };
    this.entries.push(entry);
    // Trim in chunks so the common path stays O(1).
    if (this.entries.length > this.capacity * 1.1) this.entries = this.entries.slice(-this.capacity);
    this.pending.push(entry);
    this.echo?.(entry);
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => this.flush(), this.flushMs);
      this.flushTimer.unref();
    }
    return entry;
  }

  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.onBatch(batch);
  }

  query(q: LogQuery = {}): LogEntry[] {
    const { ruleId, minLevel, afterSeq, limit } = LogQuerySchema.parse(q);
    const out: LogEntry[] = [];
    for (let i = this.entries.length - 1; i >= 0 && out.length < limit; i--) {
      const e = this.entries[i]!;
      if (afterSeq !== undefined && e.seq <= afterSeq) break;
      if (ruleId !== undefined && e.ruleId !== ruleId) continue;
      if (minLevel !== undefined && !levelAtLeast(e.level, minLevel)) continue;
      out.push(e);
    }
    return out.reverse();
  }

  dispose(): void {
    this.flush();
  }
}
