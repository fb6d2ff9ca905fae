import { describe, expect, it } from 'vitest';
import { noticeText } from './notice-text';

describe('noticeText', () => {
  const names: Record<string, string> = { a: 'web', b: 'db', c: 'cache', d: 'mail' };
  const nameOf = (id: string): string | undefined => names[id];

  it('names the rule and the reason', () => {
    expect(noticeText({ kind: 'failed', ruleId: 'a', message: 'Port in use' }, nameOf)).toEqual({ title: 'web failed', body: 'Port in use' });
    expect(noticeText({ kind: 'recovered', ruleId: 'zz', downForMs: 90_000 }, nameOf)).toEqual({
      title: 'A mapping is running again',
      body: 'It was down for 1m 30s.',
    });
  });

  it('lists at most three names in a summary', () => {
    expect(noticeText({ kind: 'summary', ruleIds: ['a', 'b', 'c', 'd'], replaces: [] }, nameOf)).toEqual({
      title: '4 mappings failed',
      body: 'web, db, cache and 1 more. Open Porthole to see why.',
    });
  });
});
