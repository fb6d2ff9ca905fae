import { formatBytes, formatDuration, formatRate } from '../../src-shared/format/units';
import { language } from './i18n';

// Numbers, sizes, rates, durations and times in the UI language. Sizes and rates keep the shared
// IEC units (KiB, MiB/s), which Chinese UIs use as they are; durations and clock times follow the
// locale. src-shared/format/units.ts stays as it is: the host's CLI and logs use it too.

const numberFormats = new Map<string, Intl.NumberFormat>();

export function fmtNumber(n: number): string {
  const lang = language();
  let f = numberFormats.get(lang);
  if (!f) numberFormats.set(lang, (f = new Intl.NumberFormat(lang)));
  return f.format(n);
}

export function fmtBytes(n: number): string {
  return formatBytes(n);
}

export function fmtRate(bytesPerSecond: number): string {
  return formatRate(bytesPerSecond);
}

/** `5m 3s` in English, `5分3秒` in Chinese. */
export function fmtDuration(ms: number): string {
  if (language() === 'en') return formatDuration(ms);
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}秒`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}分${s % 60}秒`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}小时${m % 60}分`;
  return `${Math.floor(h / 24)}天${h % 24}小时`;
}

/**
 * The locale for dates and times: the UI language, but in English the browser's own English variant
 * (en-GB, en-IN…) so its date order is the one the person is used to (the clock is 24-hour everywhere).
 */
function timeLocale(): string {
  const lang = language();
  if (lang !== 'en' || typeof navigator === 'undefined') return lang;
  return navigator.languages?.find((l) => /^en\b/i.test(l)) ?? 'en';
}

/**
 * A clock time, always on the 24-hour clock: the log, the detail pane and the dashboard chart show
 * times side by side, and en-US's 12-hour clock made the chart the odd one out (issue 18). The locale
 * still decides the separators and the rest.
 */
export function fmtTime(ts: number, options?: Intl.DateTimeFormatOptions): string {
  // hourCycle, not hour12: false, which gives "24:05" after midnight in some engines; hour12 would override it.
  return new Date(ts).toLocaleTimeString(timeLocale(), { ...options, hour12: undefined, hourCycle: 'h23' });
}

/** A date and time, the time on the 24-hour clock like fmtTime (the Inspector's "Started" said "1:05 PM"). */
export function fmtDateTime(ts: number): string {
  return new Date(ts).toLocaleString(timeLocale(), { hourCycle: 'h23' });
}
