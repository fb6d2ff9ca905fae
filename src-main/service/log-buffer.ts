import { LOG_QUERY_MAX_LIMIT, type LogEntry, type LogLevel, type LogQuery, LogQuerySchema, levelAtLeast } from '../../src-shared/model/log';
import { type LineLog, type LogFields, type LogKey, type LogLine, logText } from '../../src-shared/model/log-text';
import type { RuleErrorCode } from '../../src-shared/model/errors';
import { maskSecrets } from '../../src-shared/format/mask-secrets';

/** What goes with a line's English message: its code (required: issue 18, every line reaches a window by its code), fields and rule. */
export interface LogExtra {
  ruleId?: string;
  code?: RuleErrorCode;
  key: LogKey;
  fields?: LogFields;
  inner?: LogLine;
}

/** A logger that carries a line's code and fields (log-text.ts) next to its English message. */
export type KeyedLog = (level: 'info' | 'warn' | 'error', message: string, extra: LogExtra) => void;

/** Logs a line by its code through a KeyedLog. */
export function logLine(log: KeyedLog, level: 'info' | 'warn' | 'error', key: LogKey, fields: LogFields = {}): void {
  log(level, logText(key, fields), { key, fields });
}

/** A module's LineLog into a KeyedLog, for a rule's lines with its id. */
export function lineInto(log: KeyedLog, ruleId?: string): LineLog {
  return (level, message, line) => log(level, message, { ...extraOf(line), ...(ruleId !== undefined ? { ruleId } : {}) });
}

/** A LogLine as LogExtra. */
export function extraOf(line: LogLine): LogExtra {
  return { key: line.key, fields: line.fields, ...(line.inner ? { inner: line.inner } : {}) };
}

function maskFields(fields: LogFields): LogFields {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = typeof v === 'string' ? maskSecrets(v) : v;
  return out;
}

function maskLine(line: LogLine): LogLine {
  return { key: line.key, fields: maskFields(line.fields), ...(line.inner ? { inner: maskLine(line.inner) } : {}) };
}

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
    /** The name of a rule, stored with its lines so they stay readable after it is gone. */
    private readonly nameOf?: (ruleId: string) => string | undefined,
  ) {}

  /** Masks anything that looks like a secret first: messages quote URLs, headers and request paths. */
  add(level: LogLevel, message: string, extra: LogExtra): LogEntry {
    // The type requires the code; this is for a caller the compiler did not see.
    if (!extra?.key) throw new TypeError(`A log line without its code (log-text.ts): ${message}`);
    const { fields, inner, ...rest } = extra;
    const ruleName = extra.ruleId !== undefined ? this.nameOf?.(extra.ruleId) : undefined;
    const entry: LogEntry = {
      seq: ++this.seq,
      ts: Date.now(),
      level,
      message: maskSecrets(message),
      ...rest,
      ...(ruleName !== undefined ? { ruleName: maskSecrets(ruleName) } : {}),
      ...(fields ? { fields: maskFields(fields) } : {}),
      ...(inner ? { inner: maskLine(inner) } : {}),
    };
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

  /** A line a module said (log-text.ts `said`), for a rule or the host. */
  said(level: LogLevel, message: string, line: LogLine, extra: { ruleId?: string; code?: RuleErrorCode } = {}): LogEntry {
    return this.add(level, message, { ...extra, ...extraOf(line) });
  }

  /** A line by its code (log-text.ts): the English message made from the code's template and the fields. */
  line(level: LogLevel, key: LogKey, fields: LogFields = {}, extra: { ruleId?: string; code?: RuleErrorCode } = {}): LogEntry {
    return this.add(level, logText(key, fields), { ...extra, key, fields });
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
