import { describe, expect, it } from 'vitest';
import type { Rule } from '../../src-shared/model/rule';
import type { RuleStatus } from '../../src-shared/model/status';
import { groupNames, mappingSections, stepSelection, tagCounts, visibleIds } from './mapping-sections';

const options = { allow: [], deny: [], maxConnections: 0, connectTimeoutMs: 10_000, idleTimeoutMs: 0, keepAlive: true, proxyProtocol: 'off' as const };
function tcp(id: string, name: string, port: number, extra: Partial<Rule> = {}): Rule {
  return {
    id,
    name,
    type: 'tcp-forward',
    enabled: true,
    autoStart: true,
    tags: [],
    listen: { host: '127.0.0.1', port },
    target: { host: 'db.internal', port: 5432 },
    options,
    ...extra,
  } as Rule;
}
const status = (id: string, state: RuleStatus['state']): RuleStatus => ({ id, state, since: 0 });

const rules: Record<string, Rule> = {
  a: tcp('a', 'Web', 8080, { group: 'staging', tags: ['web', 'Prod'] }),
  b: tcp('b', 'Postgres', 15432, { group: 'Databases', tags: ['db'] }),
  c: tcp('c', 'Redis', 16379, { group: 'databases ', enabled: false } as Partial<Rule>),
  d: tcp('d', 'Loose', 9000),
};
const order = ['a', 'b', 'c', 'd'];
const statuses = { a: status('a', 'running'), b: status('b', 'failed'), c: status('c', 'stopped'), d: status('d', 'running') };

describe('mapping sections', () => {
  it('groups by name alphabetically (trimmed), puts the rules without a group last, and counts running and enabled', () => {
    const s = mappingSections(order, rules, statuses, { query: '', tag: '' });
    expect(s.grouped).toBe(true);
    expect(s.sections.map((x) => [x.group, x.ids, x.running, x.total, x.enabled])).toEqual([
      ['Databases', ['b'], 0, 1, 1],
      ['databases', ['c'], 0, 1, 0],
      ['staging', ['a'], 1, 1, 1],
      [null, ['d'], 1, 1, 1],
    ]);
  });

  it('searches name, address, tag, group and type; every word must match; empty sections go while filtering', () => {
    const ids = (query: string, tag = '') => mappingSections(order, rules, statuses, { query, tag }).sections.flatMap((x) => x.ids);
    expect(ids('postgres')).toEqual(['b']);
    expect(ids('127.0.0.1:8080')).toEqual(['a']);
    expect(ids('db.internal')).toEqual(['b', 'c', 'a', 'd']);
    expect(ids('prod')).toEqual(['a']);
    expect(ids('STAGING')).toEqual(['a']);
    expect(ids('databases redis')).toEqual(['c']);
    expect(ids('tcp web')).toEqual(['a']);
    expect(ids('nothing-like-this')).toEqual([]);
    expect(mappingSections(order, rules, statuses, { query: 'redis', tag: '' }).sections).toHaveLength(1);
  });

  it('filters by tag, case-insensitively, together with the search', () => {
    const s = mappingSections(order, rules, statuses, { query: '', tag: 'prod' });
    expect(s.sections.flatMap((x) => x.ids)).toEqual(['a']);
    expect(s.shown).toBe(1);
    expect(mappingSections(order, rules, statuses, { query: 'postgres', tag: 'prod' }).shown).toBe(0);
  });

  it('keeps a flat list when no rule has a group', () => {
    const s = mappingSections(['d'], rules, statuses, { query: '', tag: '' });
    expect(s.grouped).toBe(false);
    expect(s.sections).toHaveLength(1);
  });

  it('lists group names and tag counts once each, and skips collapsed groups for the keyboard', () => {
    expect(groupNames(rules)).toEqual(['Databases', 'staging']);
    expect(tagCounts(rules)).toEqual([
      { tag: 'db', count: 1 },
      { tag: 'Prod', count: 1 },
      { tag: 'web', count: 1 },
    ]);
    const s = mappingSections(order, rules, statuses, { query: '', tag: '' });
    expect(visibleIds(s, { staging: true })).toEqual(['b', 'c', 'd']);
  });

  it('steps the selection and stops at either end', () => {
    expect(stepSelection(['a', 'b'], null, 1)).toBe('a');
    expect(stepSelection(['a', 'b'], null, -1)).toBe('b');
    expect(stepSelection(['a', 'b'], 'a', 1)).toBe('b');
    expect(stepSelection(['a', 'b'], 'b', 1)).toBe('b');
    expect(stepSelection(['a', 'b'], 'a', -1)).toBe('a');
    expect(stepSelection(['a', 'b'], 'gone', 1)).toBe('a');
    expect(stepSelection([], 'a', 1)).toBe(null);
  });
});
