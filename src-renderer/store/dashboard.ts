import type { RuleTraffic, TrafficTotals } from '../../src-shared/model/settings';
import type { RuleProblem, RuleState } from '../../src-shared/model/status';
import type { RulesState } from './reducers';

// Pure derivations for the dashboard: tiles, top rules, rules in trouble and the history table.

type Rules = Pick<RulesState, 'order' | 'rules' | 'statuses' | 'stats'>;

export interface Totals {
  running: number;
  total: number;
  activeConnections: number;
  rateIn: number;
  rateOut: number;
}

export function liveTotals(s: Rules): Totals {
  const t: Totals = { running: 0, total: s.order.length, activeConnections: 0, rateIn: 0, rateOut: 0 };
  for (const id of s.order) {
    if (s.statuses[id]?.state === 'running') t.running++;
    const st = s.stats[id];
    if (!st) continue;
    t.activeConnections += st.activeConnections;
    t.rateIn += st.rateIn;
    t.rateOut += st.rateOut;
  }
  return t;
}

export function sumTotals(rows: Iterable<TrafficTotals>): TrafficTotals {
  const t = { bytesIn: 0, bytesOut: 0 };
  for (const r of rows) {
    t.bytesIn += r.bytesIn;
    t.bytesOut += r.bytesOut;
  }
  return t;
}

export interface TroubleItem {
  id: string;
  name: string;
  state: RuleState;
  /** `degraded`: running, but its last connections all failed; `connection`: running, but its last connection failed. */
  kind: 'failed' | 'retrying' | 'degraded' | 'connection';
  problem: RuleProblem | undefined;
  nextRetryAt?: number;
}

const KIND_RANK: Record<TroubleItem['kind'], number> = { failed: 0, retrying: 1, degraded: 2, connection: 3 };

/** Failed first, then retrying, then running rules whose last connection failed; newest problem first within each. */
export function rulesInTrouble(s: Pick<Rules, 'order' | 'rules' | 'statuses'>): TroubleItem[] {
  const out: TroubleItem[] = [];
  for (const id of s.order) {
    const status = s.statuses[id];
    const rule = s.rules[id];
    if (!status || !rule) continue;
    const base = { id, name: rule.name, state: status.state };
    if (status.state === 'failed' || status.state === 'retrying') {
      out.push({ ...base, kind: status.state, problem: status.error, ...(status.nextRetryAt !== undefined ? { nextRetryAt: status.nextRetryAt } : {}) });
    } else if (status.state === 'running' && status.degraded) {
      out.push({ ...base, kind: 'degraded', problem: status.degraded.error });
    } else if (status.state === 'running' && status.lastConnectionError) {
      out.push({ ...base, kind: 'connection', problem: status.lastConnectionError });
    }
  }
  return out.sort((a, b) => KIND_RANK[a.kind] - KIND_RANK[b.kind] || (b.problem?.at ?? 0) - (a.problem?.at ?? 0));
}

export interface TopItem {
  id: string;
  name: string;
  valueIn: number;
  valueOut: number;
}

const total = (t: TopItem) => t.valueIn + t.valueOut;

function top(items: TopItem[], n: number): TopItem[] {
  return items.filter((t) => total(t) > 0).sort((a, b) => total(b) - total(a) || a.name.localeCompare(b.name)).slice(0, n);
}

export function topByRate(s: Pick<Rules, 'order' | 'rules' | 'stats'>, n = 5): TopItem[] {
  return top(
    s.order.flatMap((id) => {
      const st = s.stats[id];
      const rule = s.rules[id];
      return st && rule ? [{ id, name: rule.name, valueIn: st.rateIn, valueOut: st.rateOut }] : [];
    }),
    n,
  );
}

export function topByToday(s: Pick<Rules, 'order' | 'rules'>, summary: Record<string, RuleTraffic>, n = 5): TopItem[] {
  return top(
    s.order.flatMap((id) => {
      const t = summary[id];
      const rule = s.rules[id];
      return t && rule ? [{ id, name: rule.name, valueIn: t.today.bytesIn, valueOut: t.today.bytesOut }] : [];
    }),
    n,
  );
}

// ---- history table ----

export const HISTORY_KEYS = ['name', 'todayIn', 'todayOut', 'weekIn', 'weekOut', 'allIn', 'allOut'] as const;
export type HistoryKey = (typeof HISTORY_KEYS)[number];

export interface HistorySort {
  key: HistoryKey;
  dir: 'asc' | 'desc';
}

export const DEFAULT_HISTORY_SORT: HistorySort = { key: 'todayIn', dir: 'desc' };

export interface HistoryRow {
  id: string;
  name: string;
  todayIn: number;
  todayOut: number;
  weekIn: number;
  weekOut: number;
  allIn: number;
  allOut: number;
}

/** One row per mapping this window knows (zeros where the host has no history yet). */
export function historyRows(s: Pick<Rules, 'order' | 'rules'>, summary: Record<string, RuleTraffic>): HistoryRow[] {
  return s.order.flatMap((id) => {
    const rule = s.rules[id];
    if (!rule) return [];
    const t = summary[id];
    return [
      {
        id,
        name: rule.name,
        todayIn: t?.today.bytesIn ?? 0,
        todayOut: t?.today.bytesOut ?? 0,
        weekIn: t?.week.bytesIn ?? 0,
        weekOut: t?.week.bytesOut ?? 0,
        allIn: t?.allTime.bytesIn ?? 0,
        allOut: t?.allTime.bytesOut ?? 0,
      },
    ];
  });
}

/** Names start A→Z; byte columns start with the biggest. Clicking the sorted column flips it. */
export function toggleHistorySort(prev: HistorySort, key: HistoryKey): HistorySort {
  if (prev.key === key) return { key, dir: prev.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: key === 'name' ? 'asc' : 'desc' };
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export function sortHistory(rows: readonly HistoryRow[], sort: HistorySort): HistoryRow[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const primary = sort.key === 'name' ? collator.compare(a.name, b.name) : a[sort.key] - b[sort.key];
    return sign * primary || collator.compare(a.name, b.name) || collator.compare(a.id, b.id);
  });
}
