import type { LogEntry } from '../src-shared/model/log';
import { isLogKey, type LogLine } from '../src-shared/model/log-text';

// Issue 18: every line a window gets has a code it can show in its own language. A line with no code,
// with `note` (a tunnel's words as they are), or a wrapper whose wrapped line has no code would reach a
// Chinese window in English.

function coded(line: Pick<LogLine, 'key' | 'inner'>): boolean {
  if (!isLogKey(line.key) || line.key === 'note') return false;
  if (line.key === 'relayLine' || line.key === 'burstMore' || line.key.startsWith('relayRouter')) return line.inner !== undefined && coded(line.inner);
  return true;
}

/** The lines among `entries` a window could not show in its language, as `level message` (empty: all coded). */
export function linesWithoutCode(entries: readonly LogEntry[]): string[] {
  return entries.filter((e) => !coded({ key: e.key as LogLine['key'], ...(e.inner ? { inner: e.inner } : {}) })).map((e) => `${e.level} ${e.message} [${e.key ?? 'no code'}]`);
}
