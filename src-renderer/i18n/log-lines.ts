import { maskSecrets } from '../../src-shared/format/mask-secrets';
import type { LogEntry } from '../../src-shared/model/log';
import { isLogKey } from '../../src-shared/model/log-text';
import { language, t } from './i18n';
import { translateError } from './messages';

// A host log line in the UI language (issue 18): the line's code (src-shared/model/log-text.ts) and
// fields through the `hostLog` catalogue. English shows the host's own message (the same words);
// a line without a code, or with one this window does not know (a newer host), stays as it came.

/** `t` for a key chosen at run time: its variables are whatever fields the host sent. */
const looseT = t as unknown as (key: string, options: object) => string;

/** The fields that hold the host's own English words, translated where the message table knows them. */
const WORDS = new Set(['error']);

export type LogLineParts = Pick<LogEntry, 'key' | 'fields' | 'code' | 'message'>;

export function translateLogLine(e: LogLineParts): string {
  if (language() === 'en' || !isLogKey(e.key)) return e.message;
  const replace: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(e.fields ?? {})) {
    replace[name] = WORDS.has(name) && typeof value === 'string' ? translateError({ code: e.code ?? '', message: value }) : value;
  }
  const count = typeof replace.count === 'number' ? { count: replace.count } : {};
  // Fields come from the host already masked; the words around them are the catalogue's.
  return maskSecrets(looseT(`hostLog.${e.key}`, { replace, ...count }));
}

/** What the log ring shows for a line: undefined (the message as it came) in English. */
export function shownLogLine(e: LogLineParts): string | undefined {
  return language() === 'en' || !isLogKey(e.key) ? undefined : translateLogLine(e);
}
