import { afterEach, describe, expect, it } from 'vitest';
import { fmtDateTime, fmtTime } from './format';
import { i18n } from './i18n';

afterEach(async () => {
  await i18n.changeLanguage('en');
});

// 2 Jan 2026 13:05:07 and 00:05:07 local time: after noon and just after midnight.
const afternoon = new Date(2026, 0, 2, 13, 5, 7).getTime();
const midnight = new Date(2026, 0, 2, 0, 5, 7).getTime();

describe('times on the 24-hour clock in both languages (issue 18)', () => {
  it('shows a time after 13:00 as 13:…, never 1:… PM, and a time after midnight as 00:…', async () => {
    for (const lang of ['en', 'zh-CN']) {
      await i18n.changeLanguage(lang);
      for (const text of [fmtTime(afternoon), fmtDateTime(afternoon)]) {
        expect(text, lang).toContain('13:05:07');
        expect(text, lang).not.toMatch(/\b1:05|PM|AM|下午|上午/);
      }
      expect(fmtTime(midnight), lang).toContain('00:05:07');
      expect(fmtDateTime(midnight), lang).toContain('00:05:07');
    }
  });

  it('keeps the date in the date-and-time form', () => {
    expect(fmtDateTime(afternoon)).toMatch(/2026/);
  });
});
