import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { fmtBytes, fmtTime } from '../i18n/format';
import { useApp } from '../store/app-store';
import { DEFAULT_HISTORY_SORT, historyRows, sortHistory, toggleHistorySort, type HistoryKey, type HistoryRow, type HistorySort } from '../store/dashboard';
import { refreshTrafficSummary, useTraffic } from '../store/traffic';
import { showRuleInMappings } from './dashboard-lists';

type ByteKey = Exclude<HistoryKey, 'name'>;

const GROUPS: readonly { group: 'today' | 'week' | 'all'; in: ByteKey; out: ByteKey }[] = [
  { group: 'today', in: 'todayIn', out: 'todayOut' },
  { group: 'week', in: 'weekIn', out: 'weekOut' },
  { group: 'all', in: 'allIn', out: 'allOut' },
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
      {v === 0 ? '—' : fmtBytes(v)}
    </td>
  );
}

/** Per-mapping totals the host keeps on this machine: today, this week and all time, sortable. */
export function TrafficHistory() {
  const { t } = useTranslation();
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
        <h2 id="dash-history-title">{t('dashboard.history.title')}</h2>
        <p className="dash-privacy" data-testid="history-privacy">
          <svg className="dash-lock" viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
            <rect x="3" y="7" width="10" height="7.5" rx="1.5" fill="currentColor" />
            <path d="M5.2 7V5.2a2.8 2.8 0 0 1 5.6 0V7" fill="none" stroke="currentColor" strokeWidth="1.6" />
          </svg>
          {t('dashboard.history.privacy')}
        </p>
        <span className="dash-updated muted">{at ? t('dashboard.history.updated', { time: fmtTime(at) }) : ''}</span>
        <button type="button" className="btn btn-small" onClick={() => void refresh()} disabled={refreshing}>
          {refreshing ? t('dashboard.history.refreshing') : t('dashboard.history.refresh')}
        </button>
      </div>
      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
      {rows.length === 0 ? (
        <p className="dash-empty">{loaded ? t('dashboard.history.empty') : t('dashboard.history.loading')}</p>
      ) : (
        <div className="dash-table-wrap">
          <table className="conn-table dash-history" aria-label={t('dashboard.history.table')}>
            <thead>
              <tr className="dash-group-row">
                <th scope="col" rowSpan={2} aria-sort={ariaSort(sort, 'name')} className="dash-name-col">
                  <button type="button" className="sort-btn" onClick={() => onSort('name')}>
                    {t('dashboard.history.mapping')}
                    <span className="sort-mark" aria-hidden="true">
                      {sort.key === 'name' ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
                    </span>
                  </button>
                </th>
                {GROUPS.map((g) => (
                  <th key={g.group} scope="colgroup" colSpan={2} className="dash-group" title={g.group === 'week' ? t('dashboard.history.weekTitle') : undefined}>
                    {t(`dashboard.history.group.${g.group}`)}
                  </th>
                ))}
              </tr>
              <tr>
                {GROUPS.flatMap((g) => [
                  <SortHeader key={g.in} sort={sort} k={g.in} label={t('dashboard.history.in')} ariaLabel={t('dashboard.history.sortIn', { group: t(`dashboard.history.group.${g.group}`) })} onSort={onSort} className="num" />,
                  <SortHeader key={g.out} sort={sort} k={g.out} label={t('dashboard.history.out')} ariaLabel={t('dashboard.history.sortOut', { group: t(`dashboard.history.group.${g.group}`) })} onSort={onSort} className="num dash-col-out" />,
                ])}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-testid="history-row" data-rule-name={r.name}>
                  <td className="conn-mapping">
                    <button type="button" className="dash-rule-link" title={t('dashboard.showInMappings', { name: r.name })} onClick={() => showRuleInMappings(r.id)}>
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
