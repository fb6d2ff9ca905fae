import { describe, expect, it } from 'vitest';
import type { ConnectionRow } from '../../src-shared/model/connection';
import { ariaSort, connectionKey, countLabel, filterConnections, pruneHidden, sortConnections, toggleSort } from './connections';

const row = (ruleId: string, id: number, client: string, extra: Partial<ConnectionRow> = {}): ConnectionRow => ({
  ruleId,
  id,
  protocol: 'tcp',
  client,
  since: 1000 + id,
  bytesIn: 0,
  bytesOut: 0,
  state: 'open',
  ...extra,
});

const names: Record<string, string> = { a: 'Web server', b: 'database' };
const nameOf = (id: string) => names[id] ?? id;

const rows = [
  row('a', 1, '127.0.0.1:5000', { bytesIn: 10, since: 3000 }),
  row('b', 2, '10.0.0.9:600', { bytesIn: 500, since: 1000, protocol: 'udp', state: 'active' }),
  row('a', 3, '127.0.0.1:40000', { bytesIn: 20, since: 2000 }),
];

describe('filterConnections', () => {
  it('matches the mapping name or the client address, case-insensitively', () => {
    expect(filterConnections(rows, { text: 'WEB', ruleId: '' }, nameOf).map((r) => r.id)).toEqual([1, 3]);
    expect(filterConnections(rows, { text: ':40000', ruleId: '' }, nameOf).map((r) => r.id)).toEqual([3]);
    expect(filterConnections(rows, { text: '  ', ruleId: '' }, nameOf)).toHaveLength(3);
  });

  it('narrows to one mapping, combined with the text', () => {
    expect(filterConnections(rows, { text: '', ruleId: 'b' }, nameOf).map((r) => r.id)).toEqual([2]);
    expect(filterConnections(rows, { text: '5000', ruleId: 'b' }, nameOf)).toEqual([]);
  });
});

describe('sorting', () => {
  it('sorts by each column and flips on a second click', () => {
    const ids = (key: Parameters<typeof toggleSort>[1], dir: 'asc' | 'desc') => sortConnections(rows, { key, dir }, nameOf).map((r) => r.id);
    expect(ids('mapping', 'asc')).toEqual([2, 3, 1]); // "database" < "Web server"; ties oldest first
    expect(ids('client', 'asc')).toEqual([2, 1, 3]); // numeric: 127.0.0.1:5000 before 127.0.0.1:40000
    expect(ids('bytesIn', 'desc')).toEqual([2, 3, 1]);
    expect(ids('since', 'asc')).toEqual([1, 3, 2]); // shortest-lived first
    expect(ids('protocol', 'asc')).toEqual([3, 1, 2]);
  });

  it('toggles direction and reports aria-sort', () => {
    const s1 = toggleSort({ key: 'mapping', dir: 'asc' }, 'client');
    expect(s1).toEqual({ key: 'client', dir: 'asc' });
    const s2 = toggleSort(s1, 'client');
    expect(s2).toEqual({ key: 'client', dir: 'desc' });
    expect(ariaSort(s2, 'client')).toBe('descending');
    expect(ariaSort(s1, 'client')).toBe('ascending');
    expect(ariaSort(s2, 'state')).toBe('none');
  });

  it('does not change the input array', () => {
    const copy = [...rows];
    sortConnections(rows, { key: 'bytesIn', dir: 'asc' }, nameOf);
    expect(rows).toEqual(copy);
  });
});

describe('pruneHidden', () => {
  it('keeps a hidden row hidden while its close is pending or it is still listed, then forgets it', () => {
    const k1 = connectionKey(rows[0]!);
    const k3 = connectionKey(rows[2]!);
    const hidden = new Set([k1, k3]);
    const stillListed = pruneHidden(hidden, rows, new Set());
    expect(stillListed).toBe(hidden);
    const after = pruneHidden(hidden, [rows[1]!], new Set([k3]));
    expect([...after]).toEqual([k3]);
    const empty = new Set<string>();
    expect(pruneHidden(empty, rows, new Set())).toBe(empty);
  });
});

describe('countLabel', () => {
  it('says how many are shown and of how many', () => {
    expect(countLabel(1, 1)).toBe('1 connection');
    expect(countLabel(0, 0)).toBe('0 connections');
    expect(countLabel(1, 3)).toBe('1 of 3 connections');
  });
});
