import { LOG_LEVELS, type LogLevel } from '../../src-shared/model/log';
import { t } from '../i18n/i18n';
import type { LogRing } from '../lib/log-ring';
import type { LogSearchResults } from '../lib/log-search';

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
  /**
   * Lines from this id on have not been searched yet (a regular expression runs in a worker and its
   * results arrive later): a view must not decide about them yet. Absent: every line can be decided now.
   */
  decidedBelow?(): number;
  /** The search hits in line `id`'s message, for highlighting; undefined without a search. */
  highlight?: (id: number, message: string) => TextPart[];
  /** Why the search is not applied (an invalid or too slow regular expression), shown next to the field in the UI language. */
  error?: string;
  /** The filter this was compiled from. */
  source: LogFilter;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The regular expression the filter asks for, when it has a valid one: it is run by a LogSearch (in a
 * worker), never on this thread. Invalid → undefined (compileLogFilter reports why).
 */
export function searchPattern(filter: LogFilter): { source: string; flags: string } | undefined {
  if (!filter.regex || filter.text === '') return undefined;
  const flags = filter.caseSensitive ? '' : 'i';
  try {
    // Compiling does not run the pattern: safe here.
    new RegExp(filter.text, flags);
  } catch {
    return undefined;
  }
  return { source: filter.text, flags };
}

/**
 * Never throws: an invalid regular expression comes back as `error`, and the search is then left out.
 * A regular expression is matched by `search` (the worker's results for this same pattern; until they
 * are there, nothing from `search.end` on is decided); plain text is matched here, as a literal.
 */
export function compileLogFilter(filter: LogFilter, search?: LogSearchResults): CompiledLogFilter {
  const levelOn = LOG_LEVELS.map((l) => filter.levels[l]);
  const { ruleId } = filter;
  const flags = filter.caseSensitive ? '' : 'i';
  let textTest: ((ring: LogRing, id: number) => boolean) | undefined;
  let highlight: CompiledLogFilter['highlight'];
  let decidedBelow: (() => number) | undefined;
  let error: string | undefined;
  if (filter.text !== '' && !filter.regex) {
    const literal = new RegExp(escapeRegExp(filter.text), flags);
    const all = new RegExp(literal.source, `${flags}g`);
    textTest = (ring, id) => {
      if (literal.test(ring.messageOf(id))) return true;
      const code = ring.codeOf(id);
      return code !== undefined && literal.test(code);
    };
    highlight = (_id, message) => splitHits(message, all);
  } else if (filter.text !== '') {
    const pattern = searchPattern(filter);
    if (!pattern) {
      try {
        new RegExp(filter.text, flags);
      } catch (err) {
        // V8 says "Invalid regular expression: /(/i: Unterminated group"; keep the reason only.
        const reason = err instanceof Error ? err.message.replace(/^Invalid regular expression: (\/.*\/[a-z]*: )?/, '') : String(err);
        error = t('logs.filter.invalidRegex', { reason });
      }
    } else if (search?.failure !== undefined && search.source === pattern.source && search.flags === pattern.flags) {
      error = search.failure;
    } else {
      // Results of another pattern (the one typed before) are not these: wait for the right ones.
      const results = search && search.source === pattern.source && search.flags === pattern.flags ? search : undefined;
      decidedBelow = () => results?.end ?? 0;
      textTest = (_ring, id) => results?.has(id) ?? false;
      highlight = (id, message) => partsFromRanges(message, results?.hitsOf(id));
    }
  }
  const matches = (ring: LogRing, id: number): boolean => {
    if (!levelOn[ring.levelIndexOf(id)]) return false;
    if (ruleId !== ALL_RULES) {
      const r = ring.ruleOf(id);
      if (ruleId === NO_RULE ? r !== undefined : r !== ruleId) return false;
    }
    return textTest ? textTest(ring, id) : true;
  };
  return {
    matches,
    source: filter,
    ...(decidedBelow !== undefined ? { decidedBelow } : {}),
    ...(highlight ? { highlight } : {}),
    ...(error ? { error } : {}),
  };
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

/** `text` split around the [start, end, …] hit ranges a worker found (see lib/log-search-scan.ts). */
export function partsFromRanges(text: string, ranges: readonly number[] | undefined): TextPart[] {
  if (!ranges || ranges.length === 0) return [{ text, hit: false }];
  const parts: TextPart[] = [];
  let at = 0;
  for (let i = 0; i + 1 < ranges.length; i += 2) {
    const start = Math.max(at, Math.min(ranges[i]!, text.length));
    const end = Math.min(ranges[i + 1]!, text.length);
    if (end <= start) continue;
    if (start > at) parts.push({ text: text.slice(at, start), hit: false });
    parts.push({ text: text.slice(start, end), hit: true });
    at = end;
  }
  if (at < text.length) parts.push({ text: text.slice(at), hit: false });
  return parts;
}
