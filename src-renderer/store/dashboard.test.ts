import { describe, expect, it } from 'vitest';
import type { Rule } from '../../src-shared/model/rule';
import type { RuleTraffic } from '../../src-shared/model/settings';
import { emptyStats, type RuleStats } from '../../src-shared/model/stats';
import type { RuleStatus } from '../../src-shared/model/status';
import { historyRows, liveTotals, rulesInTrouble, sortHistory, toggleHistorySort, topByRate, topByToday } from './dashboard';

const rule = (id: string, name = id) => ({ id, name }) as Rule;
const stats = (patch: Partial<RuleStats>): RuleStats => ({ ...emptyStats(), ...patch });
const traffic = (ruleId: string, today: number, week = today, all = week): RuleTraffic => ({
  ruleId,
  today: { bytesIn: today, bytesOut: today / 2 },
  week: { bytesIn: week, bytesOut: week / 2 },
  allTime: { bytesIn: all, bytesOut: all / 2 },
});

function state(statuses: Record<string, Partial<RuleStatus>>, st: Record<string, Partial<RuleStats>> = {}) {
  const order = Object.keys(statuses);
  return {
    order,
    rules: Object.fromEntries(order.map((id) => [id, rule(id, `Rule ${id}`)])),
    statuses: Object.fromEntries(order.map((id) => [id, { id, state: 'stopped', since: 0, ...statuses[id] } as RuleStatus])),
    stats: Object.fromEntries(order.map((id) => [id, stats(st[id] ?? {})])),
  };
}

describe('dashboard derivations', () => {
  it('counts running mappings, open connections and the total rate', () => {
    const s = state({ a: { state: 'running' }, b: { state: 'failed' }, c: { state: 'running' } }, { a: { activeConnections: 2, rateIn: 100, rateOut: 10 }, c: { activeConnections: 1, rateIn: 5 } });
    expect(liveTotals(s)).toEqual({ running: 2, total: 3, activeConnections: 3, rateIn: 105, rateOut: 10 });
  });

  it('lists failed, then retrying, then running-with-a-failed-connection mappings, with their error', () => {
    const problem = (message: string, at: number) => ({ code: 'PORT_IN_USE' as const, message, at });
    const s = state({
      ok: { state: 'running' },
      conn: { state: 'running', lastConnectionError: problem('target refused', 5) },
      retry: { state: 'retrying', error: problem('no route', 3), nextRetryAt: 99 },
      dead: { state: 'failed', error: problem('port in use', 1) },
      off: { state: 'stopped' },
    });
    const items = rulesInTrouble(s);
    expect(items.map((i) => [i.id, i.kind, i.problem?.message])).toEqual([
      ['dead', 'failed', 'port in use'],
      ['retry', 'retrying', 'no route'],
      ['conn', 'connection', 'target refused'],
    ]);
    expect(items[1]?.nextRetryAt).toBe(99);
  });

  it('ranks the top mappings by current rate and by today, leaving idle ones out', () => {
    const s = state({ a: {}, b: {}, c: {} }, { a: { rateIn: 10 }, b: { rateIn: 50, rateOut: 50 }, c: {} });
    expect(topByRate(s).map((t) => t.id)).toEqual(['b', 'a']);
    const summary = { a: traffic('a', 900), c: traffic('c', 0), gone: traffic('gone', 5000) };
    expect(topByToday(s, summary).map((t) => [t.id, t.valueIn + t.valueOut])).toEqual([['a', 1350]]);
  });

  it('builds one history row per mapping and sorts by any column', () => {
    const s = state({ a: {}, b: {}, c: {} });
    const rows = historyRows(s, { a: traffic('a', 10, 100, 1000), b: traffic('b', 20, 20, 20) });
    expect(rows.find((r) => r.id === 'c')).toMatchObject({ todayIn: 0, weekIn: 0, allIn: 0 });
    expect(sortHistory(rows, { key: 'todayIn', dir: 'desc' }).map((r) => r.id)).toEqual(['b', 'a', 'c']);
    expect(sortHistory(rows, { key: 'allOut', dir: 'desc' }).map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(sortHistory(rows, { key: 'name', dir: 'desc' }).map((r) => r.id)).toEqual(['c', 'b', 'a']);
  });

  it('starts byte columns with the biggest and flips on a second click', () => {
    expect(toggleHistorySort({ key: 'name', dir: 'asc' }, 'weekIn')).toEqual({ key: 'weekIn', dir: 'desc' });
    expect(toggleHistorySort({ key: 'weekIn', dir: 'desc' }, 'weekIn')).toEqual({ key: 'weekIn', dir: 'asc' });
    expect(toggleHistorySort({ key: 'weekIn', dir: 'desc' }, 'name')).toEqual({ key: 'name', dir: 'asc' });
  });
});
