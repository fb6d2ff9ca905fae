import type { RuleEntry } from '../../src-shared/api/contract';
import type { Rule } from '../../src-shared/model/rule';
import { emptyStats, type RuleStats, type StatsBatch } from '../../src-shared/model/stats';
import type { RuleStatus } from '../../src-shared/model/status';
import { emptySeries, pushRates, type RateSeries } from './series';

// Pure state transitions. Every function returns the previous object when nothing changed, so zustand
// selectors (and the rows that use them) see identical references and do not re-render.

export interface RulesState {
  order: string[];
  rules: Record<string, Rule>;
  statuses: Record<string, RuleStatus>;
  stats: Record<string, RuleStats>;
  series: Record<string, RateSeries>;
}

export function emptyRulesState(): RulesState {
  return { order: [], rules: {}, statuses: {}, stats: {}, series: {} };
}

function sameStats(a: RuleStats, b: RuleStats): boolean {
  return (
    a.bytesIn === b.bytesIn &&
    a.bytesOut === b.bytesOut &&
    a.rateIn === b.rateIn &&
    a.rateOut === b.rateOut &&
    a.activeConnections === b.activeConnections &&
    a.totalConnections === b.totalConnections
  );
}

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function sameOrder(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/** Replaces the whole list (initial load, resync after a reconnect); keeps identities that still match. */
export function applyEntries(prev: RulesState, entries: readonly RuleEntry[]): RulesState {
  const next = emptyRulesState();
  for (const { rule, status, stats } of entries) {
    next.order.push(rule.id);
    const oldRule = prev.rules[rule.id];
    next.rules[rule.id] = oldRule && sameJson(oldRule, rule) ? oldRule : rule;
    const oldStatus = prev.statuses[rule.id];
    next.statuses[rule.id] = oldStatus && sameJson(oldStatus, status) ? oldStatus : status;
    const oldStats = prev.stats[rule.id];
    next.stats[rule.id] = oldStats && sameStats(oldStats, stats) ? oldStats : stats;
    next.series[rule.id] = prev.series[rule.id] ?? emptySeries();
  }
  if (sameOrder(prev.order, next.order)) next.order = prev.order;
  return next;
}

/** The saved rule set changed somewhere (this window, another one, the tray, the CLI). */
export function applyRulesChanged(prev: RulesState, rules: readonly Rule[], now = Date.now()): RulesState {
  const entries: RuleEntry[] = rules.map((rule) => ({
    rule,
    status: prev.statuses[rule.id] ?? { id: rule.id, state: 'stopped', since: now },
    stats: prev.stats[rule.id] ?? emptyStats(),
  }));
  return applyEntries(prev, entries);
}

/** One created or edited rule, as returned by rules.create / rules.update. */
export function upsertEntry(prev: RulesState, entry: RuleEntry): RulesState {
  const id = entry.rule.id;
  const known = prev.rules[id] !== undefined;
  return {
    order: known ? prev.order : [...prev.order, id],
    rules: { ...prev.rules, [id]: entry.rule },
    statuses: { ...prev.statuses, [id]: entry.status },
    stats: known ? prev.stats : { ...prev.stats, [id]: entry.stats },
    series: known ? prev.series : { ...prev.series, [id]: emptySeries() },
  };
}

export function removeRule(prev: RulesState, id: string): RulesState {
  if (prev.rules[id] === undefined) return prev;
  const without = <T,>(r: Record<string, T>): Record<string, T> => {
    const copy = { ...r };
    delete copy[id];
    return copy;
  };
  return {
    order: prev.order.filter((x) => x !== id),
    rules: without(prev.rules),
    statuses: without(prev.statuses),
    stats: without(prev.stats),
    series: without(prev.series),
  };
}

/** A state transition. Statuses for rules this window does not know yet are kept for when they arrive. */
export function applyStatus(prev: Record<string, RuleStatus>, status: RuleStatus): Record<string, RuleStatus> {
  const old = prev[status.id];
  if (old && sameJson(old, status)) return prev;
  return { ...prev, [status.id]: status };
}

export interface StatsState {
  stats: Record<string, RuleStats>;
  series: Record<string, RateSeries>;
}

/**
 * Folds one tick into counters and sparkline windows. Rows whose numbers did not move keep their
 * objects; if no row moved, the records themselves are returned unchanged.
 */
export function applyStatsBatch(prev: StatsState, batch: StatsBatch, knownIds: { has(id: string): boolean }): StatsState {
  let stats = prev.stats;
  let series = prev.series;
  for (const [id, next] of Object.entries(batch.rules)) {
    if (!knownIds.has(id)) continue;
    const old = stats[id];
    if (!old || !sameStats(old, next)) {
      if (stats === prev.stats) stats = { ...prev.stats };
      stats[id] = next;
    }
    const oldSeries = series[id] ?? emptySeries();
    const nextSeries = pushRates(oldSeries, next.rateIn, next.rateOut);
    if (nextSeries !== series[id]) {
      if (series === prev.series) series = { ...prev.series };
      series[id] = nextSeries;
    }
  }
  return stats === prev.stats && series === prev.series ? prev : { stats, series };
}
