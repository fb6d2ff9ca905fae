import { maskSecrets } from '../../src-shared/format/mask-secrets';
import type { LogEntry } from '../../src-shared/model/log';
import { LogRing } from '../lib/log-ring';

export { defaultLogFilter, type LogFilter } from './log-filter';

/** Lines this window keeps (the host keeps fewer: LOG_QUERY_MAX_LIMIT, what a reload gets back). */
export const LOG_CAPACITY = 100_000;

export interface LogsState {
  ring: LogRing;
  /** Bumped on every change: the ring itself is mutated in place. */
  version: number;
  lastSeq: number;
  lastTs: number;
}

export function emptyLogs(capacity = LOG_CAPACITY): LogsState {
  return { ring: new LogRing(capacity), version: 0, lastSeq: -1, lastTs: -1 };
}

/**
 * Appends lines not seen yet. A line is new when its seq is past the last one — or, since seq restarts
 * with the host process, when it is newer in time (a reload after a host restart). Messages are masked
 * here, once, so what is shown, searched, copied and exported never holds a secret — even from a host
 * older than the one that masks before logging.
 */
export function appendLogs(prev: LogsState, entries: readonly LogEntry[]): LogsState {
  let { lastSeq, lastTs } = prev;
  let added = 0;
  for (const e of entries) {
    if (e.seq <= lastSeq && e.ts <= lastTs) continue;
    const message = maskSecrets(e.message);
    prev.ring.push(message === e.message ? e : { ...e, message });
    lastSeq = e.seq;
    lastTs = Math.max(lastTs, e.ts);
    added++;
  }
  return added === 0 ? prev : { ring: prev.ring, version: prev.version + 1, lastSeq, lastTs };
}
