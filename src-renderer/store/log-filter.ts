import { LOG_LEVELS, type LogLevel } from '../../src-shared/model/log';
import { t } from '../i18n/i18n';
import type { LogRing } from '../lib/log-ring';

/** `ruleId` value: every line. */
export const ALL_RULES = '';
/** `ruleId` value: lines of the app itself (no mapping). Rule ids never contain '@'. */
export const NO_RULE = '@app';

/**
 * What the log panel shows. Levels are explicit toggles, not a threshold: a level shows when it is on
 * (users read a "minimum level" select as something else — see research, CVR #5117).
 */
export interface LogFilter {
  levels: Record<LogLevel, boolean>;
  text: string;
  /** `text` is a regular expression rather than plain text. */
  regex: boolean;
  caseSensitive: boolean;
  /** A mapping's id, ALL_RULES or NO_RULE. */
  ruleId: string;
}

export function defaultLogFilter(): LogFilter {
  return { levels: { debug: false, info: true, warn: true, error: true }, text: '', regex: false, caseSensitive: false, ruleId: ALL_RULES };
}

/** Every level, every mapping, no search. */
export function showEverything(): LogFilter {
  return { ...defaultLogFilter(), levels: { debug: true, info: true, warn: true, error: true } };
}

export interface CompiledLogFilter {
  /** Whether line `id` of the ring passes. */
  matches(ring: LogRing, id: number): boolean;
  /** Finds the search hits in a message, for highlighting; undefined without a search. */
  highlight?: RegExp;
  /** Why the search is not applied (an invalid regular expression), shown next to the field in the UI language. */
  error?: string;
  /** The filter this was compiled from. */
  source: LogFilter;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Never throws: an invalid regular expression comes back as `error`, and the search is then left out. */
export function compileLogFilter(filter: LogFilter): CompiledLogFilter {
  const levelOn = LOG_LEVELS.map((l) => filter.levels[l]);
  const { ruleId } = filter;
  let search: RegExp | undefined;
  let error: string | undefined;
  if (filter.text !== '') {
    const flags = filter.caseSensitive ? '' : 'i';
    try {
      search = new RegExp(filter.regex ? filter.text : escapeRegExp(filter.text), flags);
    } catch (err) {
      // V8 says "Invalid regular expression: /(/i: Unterminated group"; keep the reason only.
      const reason = err instanceof Error ? err.message.replace(/^Invalid regular expression: (\/.*\/[a-z]*: )?/, '') : String(err);
      error = t('logs.filter.invalidRegex', { reason });
    }
  }
  const matches = (ring: LogRing, id: number): boolean => {
    if (!levelOn[ring.levelIndexOf(id)]) return false;
    if (ruleId !== ALL_RULES) {
      const r = ring.ruleOf(id);
      if (ruleId === NO_RULE ? r !== undefined : r !== ruleId) return false;
    }
    if (search) {
      if (search.test(ring.messageOf(id))) return true;
      const code = ring.codeOf(id);
      return code !== undefined && search.test(code);
    }
    return true;
  };
  const highlight = search ? new RegExp(search.source, `${search.flags}g`) : undefined;
  return { matches, source: filter, ...(highlight ? { highlight } : {}), ...(error ? { error } : {}) };
}

/** Whether the filter hides anything at all (for the "n of m lines" summary and the empty state). */
export function isFiltering(filter: LogFilter): boolean {
  return filter.text !== '' || filter.ruleId !== ALL_RULES || LOG_LEVELS.some((l) => !filter.levels[l]);
}

export interface TextPart {
  text: string;
  hit: boolean;
}

/** Splits `text` around the hits of `re` (a global RegExp); empty matches are skipped, at most `max` hits. */
export function splitHits(text: string, re: RegExp | undefined, max = 100): TextPart[] {
  if (!re) return [{ text, hit: false }];
  const parts: TextPart[] = [];
  re.lastIndex = 0;
  let at = 0;
  let hits = 0;
  for (let m = re.exec(text); m && hits < max; m = re.exec(text)) {
    if (m[0] === '') {
      re.lastIndex++;
      continue;
    }
    if (m.index > at) parts.push({ text: text.slice(at, m.index), hit: false });
    parts.push({ text: m[0], hit: true });
    at = m.index + m[0].length;
    hits++;
  }
  if (at < text.length) parts.push({ text: text.slice(at), hit: false });
  return parts;
}
