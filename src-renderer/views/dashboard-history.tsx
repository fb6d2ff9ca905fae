import { useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatBytes } from '../../src-shared/format/units';
import { useApp } from '../store/app-store';
import { DEFAULT_HISTORY_SORT, historyRows, sortHistory, toggleHistorySort, type HistoryKey, type HistoryRow, type HistorySort } from '../store/dashboard';
import { refreshTrafficSummary, useTraffic } from '../store/traffic';
import { showRuleInMappings } from './dashboard-lists';

type ByteKey = Exclude<HistoryKey, 'name'>;

const GROUPS: readonly { label: string; title?: string; in: ByteKey; out: ByteKey }[] = [
  { label: 'Today', in: 'todayIn', out: 'todayOut' },
  { label: 'This week', title: 'Since Monday 00:00, local time', in: 'weekIn', out: 'weekOut' },
  { label: 'All time', in: 'allIn', out: 'allOut' },
];

const TEST_IDS: Record<ByteKey, string> = {
  todayIn: 'history-today-in',
  todayOut: 'history-today-out',
  weekIn: 'history-week-in',
  weekOut: 'history-week-out',
  allIn: 'history-all-in',
  allOut: 'history-all-out',
};

function ariaSort(sort: HistorySort, key: HistoryKey): 'ascending' | 'descending' | 'none' {
  return sort.key !== key ? 'none' : sort.dir === 'asc' ? 'ascending' : 'descending';
}

function SortHeader({ sort, k, label, onSort, className, ariaLabel }: { sort: HistorySort; k: HistoryKey; label: string; onSort: (k: HistoryKey) => void; className?: string; ariaLabel?: string }) {
  return (
    <th scope="col" aria-sort={ariaSort(sort, k)} className={className}>
      <button type="button" className="sort-btn" onClick={() => onSort(k)} aria-label={ariaLabel}>
        {label}
        <span className="sort-mark" aria-hidden="true">
          {sort.key === k ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
        </span>
      </button>
    </th>
  );
}

function Cell({ row, k }: { row: HistoryRow; k: ByteKey }) {
  const v = row[k];
  return (
    <td className={`num${k.endsWith('Out') ? ' dash-col-out' : ''}${v === 0 ? ' muted' : ''}`} data-testid={TEST_IDS[k]} data-value={v}>
      {v === 0 ? '—' : formatBytes(v)}
    </td>
  );
}

/** Per-mapping totals the host keeps on this machine: today, this week and all time, sortable. */
export function TrafficHistory() {
  const { order, rules } = useApp(useShallow((s) => ({ order: s.order, rules: s.rules })));
  const { summary, loaded, error, at } = useTraffic(useShallow((s) => ({ summary: s.summary, loaded: s.summaryLoaded, error: s.summaryError, at: s.summaryAt })));
  const [sort, setSort] = useState<HistorySort>(DEFAULT_HISTORY_SORT);
  const [refreshing, setRefreshing] = useState(false);
  const rows = useMemo(() => sortHistory(historyRows({ order, rules }, summary), sort), [order, rules, summary, sort]);
  const onSort = (k: HistoryKey) => setSort((s) => toggleHistorySort(s, k));

  async function refresh(): Promise<void> {
    setRefreshing(true);
    try {
      await refreshTrafficSummary();
    } finally {
      setRefreshing(false);
    }
  }

  return (
    <section className="dash-card" aria-labelledby="dash-history-title" data-testid="traffic-history">
      <div className="dash-card-head">
        <h2 id="dash-history-title">Traffic history</h2>
        <p className="dash-privacy" data-testid="history-privacy">
          <svg className="dash-lock" viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
            <rect x="3" y="7" width="10" height="7.5" rx="1.5" fill="currentColor" />
            <path d="M5.2 7V5.2a2.8 2.8 0 0 1 5.6 0V7" fill="none" stroke="currentColor" strokeWidth="1.6" />
          </svg>
          Kept on this machine only — never sent anywhere.
        </p>
        <span className="dash-updated muted">{at ? `Updated ${new Date(at).toLocaleTimeString()}` : ''}</span>
        <button type="button" className="btn btn-small" onClick={() => void refresh()} disabled={refreshing}>
          {refreshing ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
      {rows.length === 0 ? (
        <p className="dash-empty">{loaded ? 'No mappings yet: traffic is counted once a mapping carries some.' : 'Loading the traffic history…'}</p>
      ) : (
        <div className="dash-table-wrap">
          <table className="conn-table dash-history" aria-label="Traffic per mapping">
            <thead>
              <tr className="dash-group-row">
                <th scope="col" rowSpan={2} aria-sort={ariaSort(sort, 'name')} className="dash-name-col">
                  <button type="button" className="sort-btn" onClick={() => onSort('name')}>
                    Mapping
                    <span className="sort-mark" aria-hidden="true">
                      {sort.key === 'name' ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
                    </span>
                  </button>
                </th>
                {GROUPS.map((g) => (
                  <th key={g.label} scope="colgroup" colSpan={2} className="dash-group" title={g.title}>
                    {g.label}
                  </th>
                ))}
              </tr>
              <tr>
                {GROUPS.flatMap((g) => [
                  <SortHeader key={g.in} sort={sort} k={g.in} label="In" ariaLabel={`${g.label}, in`} onSort={onSort} className="num" />,
                  <SortHeader key={g.out} sort={sort} k={g.out} label="Out" ariaLabel={`${g.label}, out`} onSort={onSort} className="num dash-col-out" />,
                ])}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-testid="history-row" data-rule-name={r.name}>
                  <td className="conn-mapping">
                    <button type="button" className="dash-rule-link" title={`Show “${r.name}” in Mappings`} onClick={() => showRuleInMappings(r.id)}>
                      {r.name}
                    </button>
                  </td>
                  {GROUPS.flatMap((g) => [<Cell key={g.in} row={r} k={g.in} />, <Cell key={g.out} row={r} k={g.out} />])}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
