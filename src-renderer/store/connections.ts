import type { ConnectionRow } from '../../src-shared/model/connection';
import type { ConnectionFilter } from './app-store';
import { t } from '../i18n/i18n';

// Pure logic of the Connections view: filtering, sorting and the rows hidden while a close is pending.

export const SORT_KEYS = ['mapping', 'protocol', 'client', 'since', 'bytesIn', 'bytesOut', 'state'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = 'asc' | 'desc';

export interface SortState {
  key: SortKey;
  dir: SortDir;
}

export const DEFAULT_SORT: SortState = { key: 'mapping', dir: 'asc' };

/** Clicking the sorted column flips its direction; another column starts ascending. */
export function toggleSort(prev: SortState, key: SortKey): SortState {
  return prev.key === key ? { key, dir: prev.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' };
}

export function ariaSort(sort: SortState, key: SortKey): 'ascending' | 'descending' | 'none' {
  if (sort.key !== key) return 'none';
  return sort.dir === 'asc' ? 'ascending' : 'descending';
}

/** A row's identity across polls: ids are unique within a rule only. */
export function connectionKey(row: { ruleId: string; id: number }): string {
  return `${row.ruleId}:${row.id}`;
}

export type NameOf = (ruleId: string) => string;

export function filterConnections(rows: readonly ConnectionRow[], filter: ConnectionFilter, nameOf: NameOf): ConnectionRow[] {
  const text = filter.text.trim().toLowerCase();
  return rows.filter((r) => {
    if (filter.ruleId !== '' && r.ruleId !== filter.ruleId) return false;
    if (text === '') return true;
    return nameOf(r.ruleId).toLowerCase().includes(text) || r.client.toLowerCase().includes(text);
  });
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function compareBy(key: SortKey, a: ConnectionRow, b: ConnectionRow, nameOf: NameOf): number {
  switch (key) {
    case 'mapping':
      return collator.compare(nameOf(a.ruleId), nameOf(b.ruleId));
    case 'protocol':
      return collator.compare(a.protocol, b.protocol);
    case 'client':
      return collator.compare(a.client, b.client);
    case 'since':
      // The column shows how long a connection has been open: ascending = shortest first = newest first.
      return b.since - a.since;
    case 'bytesIn':
      return a.bytesIn - b.bytesIn;
    case 'bytesOut':
      return a.bytesOut - b.bytesOut;
    case 'state':
      return collator.compare(a.state, b.state);
  }
}

/** Sorted copy; ties fall back to the oldest connection first, then the id, so rows do not jump between polls. */
export function sortConnections(rows: readonly ConnectionRow[], sort: SortState, nameOf: NameOf): ConnectionRow[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => sign * compareBy(sort.key, a, b, nameOf) || a.since - b.since || a.id - b.id || collator.compare(a.ruleId, b.ruleId));
}

/**
 * Rows being closed are hidden at once (optimistic). A key stays hidden while its close request is
 * pending or a poll still lists the connection, so a poll that raced the close does not bring it back.
 */
export function pruneHidden(hidden: ReadonlySet<string>, rows: readonly ConnectionRow[], pending: ReadonlySet<string>): ReadonlySet<string> {
  if (hidden.size === 0) return hidden;
  const listed = new Set(rows.map(connectionKey));
  const next = new Set([...hidden].filter((k) => listed.has(k) || pending.has(k)));
  return next.size === hidden.size ? hidden : next;
}

export function countLabel(shown: number, total: number): string {
  return shown === total ? t('connections.count', { count: total }) : t('connections.countOf', { count: total, shown });
}
