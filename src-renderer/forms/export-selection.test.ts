import { describe, expect, it } from 'vitest';
import { checkState, exportGroups, exportRequest, toggleAll } from './export-selection';

const rules = [
  { id: 'a', group: 'web' },
  { id: 'b' },
  { id: 'c', group: 'db' },
  { id: 'd', group: 'web' },
];

describe('export selection', () => {
  it('lists groups where their first mapping is, ungrouped mappings last', () => {
    expect(exportGroups(rules)).toEqual([
      { name: 'web', ids: ['a', 'd'] },
      { name: 'db', ids: ['c'] },
      { name: '', ids: ['b'] },
    ]);
  });

  it('tells all, some or none of a list checked', () => {
    expect(checkState(['a', 'd'], new Set(['a', 'd', 'b']))).toBe('all');
    expect(checkState(['a', 'd'], new Set(['a']))).toBe('some');
    expect(checkState(['a', 'd'], new Set())).toBe('none');
    expect([...toggleAll(new Set(['b']), ['a', 'd'], true)].sort()).toEqual(['a', 'b', 'd']);
    expect([...toggleAll(new Set(['a', 'b']), ['a', 'd'], false)]).toEqual(['b']);
  });

  it('asks for everything when all are chosen, whole groups by name, the rest by id', () => {
    expect(exportRequest(rules, new Set(['a', 'b', 'c', 'd']), 'yaml', false)).toEqual({ format: 'yaml', includeSecrets: false });
    expect(exportRequest(rules, new Set(['a', 'd', 'c']), 'json', true)).toEqual({ format: 'json', includeSecrets: true, groups: ['web', 'db'] });
    expect(exportRequest(rules, new Set(['a', 'b']), 'ssh-config', false)).toEqual({ format: 'ssh-config', includeSecrets: false, ruleIds: ['a', 'b'] });
    expect(exportRequest(rules, new Set(['c', 'b']), 'yaml', false)).toEqual({ format: 'yaml', includeSecrets: false, groups: ['db'], ruleIds: ['b'] });
    expect(exportRequest(rules, new Set(), 'yaml', false)).toBeUndefined();
  });
});
