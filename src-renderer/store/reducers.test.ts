import { describe, expect, it } from 'vitest';
import type { RuleEntry } from '../../src-shared/api/contract';
import { ruleListenEndpoint, type Rule } from '../../src-shared/model/rule';
import { emptyStats, type StatsBatch } from '../../src-shared/model/stats';
import { applyEntries, applyRulesChanged, applyStatsBatch, applyStatus, emptyRulesState, removeRule, upsertEntry } from './reducers';
import { SERIES_POINTS, pushRates, emptySeries } from './series';

function rule(id: string, port: number): Rule {
  return {
    id,
    type: 'tcp-forward',
    name: `rule ${id}`,
    enabled: true,
    autoStart: true,
    tags: [],
    listen: { host: '127.0.0.1', port },
    target: { host: 'example.com', port: 80 },
    options: { allow: [], deny: [], maxConnections: 0, connectTimeoutMs: 10_000, idleTimeoutMs: 0, keepAlive: true, proxyProtocol: 'off' },
  };
}

function entry(id: string, port: number): RuleEntry {
  return { rule: rule(id, port), status: { id, state: 'running', since: 1 }, stats: emptyStats() };
}

function batch(rules: StatsBatch['rules']): StatsBatch {
  return { ts: 1000, intervalMs: 1000, rules };
}

describe('applyStatsBatch', () => {
  const base = applyEntries(emptyRulesState(), [entry('a', 1001), entry('b', 1002)]);
  const known = new Set(base.order);

  it('keeps the object of a row whose numbers did not change and replaces the one that did', () => {
    const moved = { ...emptyStats(), bytesIn: 10, rateIn: 10, totalConnections: 1 };
    const next = applyStatsBatch(base, batch({ a: moved, b: emptyStats() }), known);
    expect(next.stats.a).toEqual(moved);
    expect(next.stats.b).toBe(base.stats.b);
    expect(next.series.b).toBe(base.series.b);
    expect(next.series.a).not.toBe(base.series.a);
    expect(next.series.a?.nonZero).toBe(1);
  });

  it('returns the previous state itself when an idle tick changes nothing', () => {
    const next = applyStatsBatch(base, batch({ a: emptyStats(), b: emptyStats() }), known);
    expect(next).toBe(base);
  });

  it('ignores ids of rules this window does not know', () => {
    const next = applyStatsBatch(base, batch({ ghost: { ...emptyStats(), bytesIn: 5 } }), known);
    expect(next).toBe(base);
  });

  it('keeps advancing the sparkline while traffic stays at the same rate', () => {
    const s = { ...emptyStats(), bytesIn: 100, rateIn: 100 };
    const first = applyStatsBatch(base, batch({ a: s }), known);
    const second = applyStatsBatch(first, batch({ a: { ...s } }), known);
    expect(second.stats.a).toBe(first.stats.a);
    expect(second.series.a).not.toBe(first.series.a);
    expect(second.series.a?.nonZero).toBe(2);
  });
});

describe('pushRates', () => {
  it('keeps a fixed window and counts the ticks that moved bytes', () => {
    let s = emptySeries();
    for (let i = 0; i < SERIES_POINTS + 10; i++) s = pushRates(s, i % 2, 0);
    expect(s.rateIn).toHaveLength(SERIES_POINTS);
    expect(s.nonZero).toBe(SERIES_POINTS / 2);
    for (let i = 0; i < SERIES_POINTS; i++) s = pushRates(s, 0, 0);
    expect(s.nonZero).toBe(0);
    expect(pushRates(s, 0, 0)).toBe(s);
  });
});

describe('rule list reducers', () => {
  it('adds a stopped status and empty counters for a rule created elsewhere, and drops removed rules', () => {
    const base = applyEntries(emptyRulesState(), [entry('a', 1001)]);
    const next = applyRulesChanged(base, [rule('a', 1001), rule('c', 1003)], 42);
    expect(next.order).toEqual(['a', 'c']);
    expect(next.rules.a).toBe(base.rules.a);
    expect(next.statuses.c).toEqual({ id: 'c', state: 'stopped', since: 42 });
    expect(next.stats.c).toEqual(emptyStats());
    const gone = applyRulesChanged(next, [rule('c', 1003)]);
    expect(gone.order).toEqual(['c']);
    expect(gone.rules.a).toBeUndefined();
    expect(gone.series.a).toBeUndefined();
  });

  it('keeps the order array when a reload returns the same rules', () => {
    const base = applyEntries(emptyRulesState(), [entry('a', 1001), entry('b', 1002)]);
    const again = applyEntries(base, [entry('a', 1001), entry('b', 1002)]);
    expect(again.order).toBe(base.order);
    expect(again.rules.a).toBe(base.rules.a);
    expect(again.statuses.b).toBe(base.statuses.b);
  });

  it('upserts and removes single rules', () => {
    const base = applyEntries(emptyRulesState(), [entry('a', 1001)]);
    const added = upsertEntry(base, entry('b', 1002));
    expect(added.order).toEqual(['a', 'b']);
    const edited = upsertEntry(added, { ...entry('a', 2001) });
    expect(edited.order).toBe(added.order);
    expect(edited.rules.a && ruleListenEndpoint(edited.rules.a)?.port).toBe(2001);
    expect(removeRule(edited, 'a').order).toEqual(['b']);
    expect(removeRule(edited, 'zzz')).toBe(edited);
  });

  it('replaces a status only when it changed', () => {
    const statuses = { a: { id: 'a', state: 'running' as const, since: 1 } };
    expect(applyStatus(statuses, { id: 'a', state: 'running', since: 1 })).toBe(statuses);
    expect(applyStatus(statuses, { id: 'a', state: 'failed', since: 2 }).a?.state).toBe('failed');
  });
});
