import { describe, expect, it } from 'vitest';
import { resolveScheme } from '../lib/theme';
import { resolveLanguage } from './language';

describe('language and theme choices', () => {
  it('resolves "system" from the OS locale: Simplified Chinese for zh*, else English', () => {
    expect(resolveLanguage('system', ['zh-TW', 'en'])).toBe('zh-CN');
    expect(resolveLanguage('system', ['de-DE', 'zh-CN'])).toBe('en');
    expect(resolveLanguage('system', [])).toBe('en');
    expect(resolveLanguage('zh-CN', ['en-US'])).toBe('zh-CN');
  });

  it('resolves the "system" theme from the OS preference and keeps explicit ones', () => {
    expect(resolveScheme('system', true)).toBe('dark');
    expect(resolveScheme('system', false)).toBe('light');
    expect(resolveScheme('dark', false)).toBe('dark');
    expect(resolveScheme('light', true)).toBe('light');
  });
});
