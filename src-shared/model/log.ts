import { z } from 'zod';
import type { RuleErrorCode } from './errors';
import type { LogFields, LogKey, LogLine } from './log-text';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogEntry {
  /** Monotonic sequence number, unique for the life of the host process. */
  seq: number;
  /** Epoch ms. */
  ts: number;
  level: LogLevel;
  ruleId?: string;
  /** The mapping's name when the line was written: a line outlives its mapping (deleted, an undone import). */
  ruleName?: string;
  code?: RuleErrorCode;
  /** The English line, as printed by the CLI and kept in exported logs. */
  message: string;
  /** What the line says as a stable code and its fields (log-text.ts), for showing it in the UI language. */
  key?: LogKey;
  fields?: LogFields;
  /** The line this one wraps (log-text.ts LogLine): its English words are `fields.text`. */
  inner?: LogLine;
}

/** The most lines one query returns — also what the host keeps, so one query can fetch all of it. */
export const LOG_QUERY_MAX_LIMIT = 10_000;

export const LogQuerySchema = z
  .object({
    ruleId: z.string().max(64).optional(),
    /** Minimum level: `warn` returns warn and error. */
    minLevel: z.enum(LOG_LEVELS).optional(),
    /** Only entries with seq greater than this. */
    afterSeq: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(LOG_QUERY_MAX_LIMIT).default(500),
  })
  .strict();
export type LogQuery = z.input<typeof LogQuerySchema>;

export function levelAtLeast(level: LogLevel, min: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(min);
}
