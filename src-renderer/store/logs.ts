import { levelAtLeast, type LogEntry, type LogLevel } from '../../src-shared/model/log';
import { RingBuffer } from '../lib/ring-buffer';

export const LOG_CAPACITY = 5000;
export const LOG_RENDER_LIMIT = 1000;

/** What the level select offers; each keeps that level and everything more severe. */
export const LOG_FILTERS = [
  { value: 'all', label: 'All', min: 'debug' },
  { value: 'info', label: 'Info+', min: 'info' },
  { value: 'warn', label: 'Warnings+', min: 'warn' },
  { value: 'error', label: 'Errors', min: 'error' },
] as const satisfies readonly { value: string; label: string; min: LogLevel }[];
export type LogFilter = (typeof LOG_FILTERS)[number]['value'];

export interface LogsState {
  buf: RingBuffer<LogEntry>;
  /** Bumped on every change: the buffer itself is mutated in place. */
  version: number;
  lastSeq: number;
  lastTs: number;
}

export function emptyLogs(capacity = LOG_CAPACITY): LogsState {
  return { buf: new RingBuffer<LogEntry>(capacity), version: 0, lastSeq: -1, lastTs: -1 };
}

/**
 * Appends lines not seen yet. A line is new when its seq is past the last one — or, since seq restarts
 * with the host process, when it is newer in time (a reload after a host restart).
 */
export function appendLogs(prev: LogsState, entries: readonly LogEntry[]): LogsState {
  let { lastSeq, lastTs } = prev;
  let added = 0;
  for (const e of entries) {
    if (e.seq <= lastSeq && e.ts <= lastTs) continue;
    prev.buf.push(e);
    lastSeq = e.seq;
    lastTs = Math.max(lastTs, e.ts);
    added++;
  }
  return added === 0 ? prev : { buf: prev.buf, version: prev.version + 1, lastSeq, lastTs };
}

export function minLevelOf(filter: LogFilter): LogLevel {
  return LOG_FILTERS.find((f) => f.value === filter)?.min ?? 'debug';
}

/** The newest `limit` lines that pass the filter, oldest first. */
export function visibleLogs(logs: LogsState, filter: LogFilter, limit = LOG_RENDER_LIMIT): LogEntry[] {
  const min = minLevelOf(filter);
  const out: LogEntry[] = [];
  for (let i = logs.buf.size - 1; i >= 0 && out.length < limit; i--) {
    const e = logs.buf.at(i);
    if (e && levelAtLeast(e.level, min)) out.push(e);
  }
  return out.reverse();
}
