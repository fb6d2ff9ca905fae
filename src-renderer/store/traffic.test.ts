import { describe, expect, it } from 'vitest';
import { createStore } from 'zustand/vanilla';
import type { PortholeApi } from '../../src-shared/api/contract';
import type { RecentTraffic, RuleTraffic } from '../../src-shared/model/settings';
import { emptyStats, type StatsBatch } from '../../src-shared/model/stats';
import { createAppStore } from './app-store';
import { RecentRates } from './recent-rates';
import { createTrafficController, emptyTraffic, totalRates, type TrafficState } from './traffic';

const batch = (ts: number, rates: Record<string, [number, number]>, intervalMs = 1000): StatsBatch => ({
  ts,
  intervalMs,
  rules: Object.fromEntries(Object.entries(rates).map(([id, [rateIn, rateOut]]) => [id, { ...emptyStats(), rateIn, rateOut }])),
});

function setup(recentAnswer: Promise<RecentTraffic>) {
  let onStats: ((b: StatsBatch) => void) | undefined;
  let summaries = 0;
  const api = {
    traffic: {
      recent: () => recentAnswer,
      summary: async (): Promise<RuleTraffic[]> => {
        summaries++;
        return [{ ruleId: 'a', today: { bytesIn: 5, bytesOut: 6 }, week: { bytesIn: 5, bytesOut: 6 }, allTime: { bytesIn: 5, bytesOut: 6 } }];
      },
    },
    on: {
      stats: (cb: (b: StatsBatch) => void) => {
        onStats = cb;
        return () => undefined;
      },
    },
  } as unknown as PortholeApi;
  const store = createStore<TrafficState>()(() => emptyTraffic());
  const recent = new RecentRates();
  let clock = 0;
  const ctl = createTrafficController(api, createAppStore(), store, recent, () => clock);
  return {
    ctl,
    store,
    recent,
    tick: (b: StatsBatch, at: number) => {
      clock = at;
      onStats?.(b);
    },
    summaries: () => summaries,
  };
}

describe('traffic controller', () => {
  it('sums every rule’s rate into the total series', () => {
    expect(totalRates(batch(1, { a: [10, 1], b: [5, 2] }))).toEqual({ rateIn: 15, rateOut: 3 });
  });

  it('appends ticks that arrive before the host’s recent history and keeps them after seeding', async () => {
    let answer!: (r: RecentTraffic) => void;
    const t = setup(new Promise((r) => (answer = r)));
    t.tick(batch(10_000, { a: [100, 50] }), 0);
    answer({ ts: [8000, 9000], rateIn: [1, 2], rateOut: [3, 4] });
    await new Promise((r) => setTimeout(r, 0));
    expect(t.recent.window(60_000).rateIn).toEqual([1, 2, 100]);
  });

  it('reports the host’s tick length and the measured gap between ticks', () => {
    const t = setup(new Promise(() => undefined));
    for (let i = 0; i < 5; i++) t.tick(batch(1000 + i * 2000, {}, 2000), i * 2003);
    expect(t.store.getState()).toMatchObject({ intervalMs: 2000, observedMs: 2000 });
  });

  it('polls the summary only while someone watches', async () => {
    const t = setup(new Promise(() => undefined));
    expect(t.summaries()).toBe(0);
    const release = t.ctl.watchSummary();
    await new Promise((r) => setTimeout(r, 0));
    expect(t.summaries()).toBe(1);
    expect(t.store.getState().summary.a?.today.bytesIn).toBe(5);
    release();
    await t.ctl.refreshSummary();
    expect(t.summaries()).toBe(2);
    t.ctl.dispose();
  });
});
