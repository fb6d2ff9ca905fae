import { maskSecrets } from '../../src-shared/format/mask-secrets';
import { LOG_LEVELS } from '../../src-shared/model/log';
import { t } from '../i18n/i18n';
import type { LogRing } from '../lib/log-ring';
import { ALL_RULES, NO_RULE, type LogFilter } from './log-filter';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `12:34:56.789`, local time: what the list shows. */
export function clockTime(ts: number): string {
  const d = new Date(ts);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** `2026-05-01 12:34:56.789`, local time. */
export function dateTime(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clockTime(ts)}`;
}

/**
 * A mapping's name as the log shows it — masked too, since a name is whatever the user typed. `written`:
 * the name the line carries from the host, for a mapping this window never saw (deleted, an undone import).
 */
export function ruleLabel(ruleId: string | undefined, names: Readonly<Record<string, string>>, written?: string): string {
  return ruleId === undefined ? '' : maskSecrets(names[ruleId] ?? written ?? ruleId);
}

/**
 * One line as copied and exported: `2026-05-01 12:34:56.789 WARN  [Web] message (CODE)`, in the host's
 * English whatever the UI language (a log goes into bug reports and searches).
 */
export function formatLogLine(ring: LogRing, id: number, names: Readonly<Record<string, string>>): string {
  const rule = ruleLabel(ring.ruleOf(id), names, ring.ruleNameOf(id));
  const code = ring.codeOf(id);
  return `${dateTime(ring.tsOf(id))} ${ring.levelOf(id).toUpperCase().padEnd(5)} ${rule ? `[${rule}] ` : ''}${ring.englishOf(id)}${code ? ` (${code})` : ''}`;
}

/** Lines in id order, skipping any the ring dropped meanwhile; newline-terminated. */
export function formatLogLines(ring: LogRing, ids: Iterable<number>, names: Readonly<Record<string, string>>): string {
  const out: string[] = [];
  for (const id of ids) if (ring.has(id)) out.push(formatLogLine(ring, id, names));
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

/** The filter in words (in the UI language), for an export's header. */
export function describeLogFilter(filter: LogFilter, names: Readonly<Record<string, string>>): string {
  const levels = LOG_LEVELS.filter((l) => filter.levels[l]);
  const levelText =
    levels.length === LOG_LEVELS.length
      ? t('logs.export.levelsAll')
      : levels.map((l) => t(`logs.export.level.${l}`)).join(t('logs.export.listSeparator')) || t('logs.export.levelsNone');
  const parts: string[] = [t('logs.export.levels', { levels: levelText })];
  if (filter.ruleId === NO_RULE) parts.push(t('logs.toolbar.appOnly'));
  else if (filter.ruleId !== ALL_RULES) parts.push(t('logs.export.mapping', { name: ruleLabel(filter.ruleId, names) }));
  if (filter.text) {
    const text = JSON.stringify(filter.text);
    parts.push((filter.regex ? t('logs.export.regex', { text }) : t('logs.export.text', { text })) + (filter.caseSensitive ? t('logs.export.matchCase') : ''));
  }
  return parts.join(t('logs.export.partSeparator'));
}

/** `porthole-web-admin-20260501-123456.log`. */
export function exportFileName(filter: LogFilter, names: Readonly<Record<string, string>>, now = Date.now()): string {
  const d = new Date(now);
  const stamp = `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
  const scope = filter.ruleId === ALL_RULES ? 'all' : filter.ruleId === NO_RULE ? 'app' : ruleLabel(filter.ruleId, names);
  const slug = scope.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'mapping';
  return `porthole-${slug}-${stamp}.log`;
}
