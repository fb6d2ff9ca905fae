import { describe, expect, it } from 'vitest';
import { MAX_POINTS, medianGap, RECENT_MS, RecentRates } from './recent-rates';

describe('RecentRates', () => {
  it('keeps only the last 15 minutes as ticks arrive', () => {
    const r = new RecentRates();
    const t0 = 1_700_000_000_000;
    for (let i = 0; i <= 20 * 60; i++) r.push(t0 + i * 1000, i, 2 * i);
    expect(r.size).toBe(RECENT_MS / 1000 + 1);
    const w = r.window(RECENT_MS);
    expect(w.x[0]).toBe((t0 + 5 * 60_000) / 1000);
    expect(w.x.at(-1)).toBe((t0 + 20 * 60_000) / 1000);
    expect(w.rateOut.at(-1)).toBe(2 * 20 * 60);
  });

  it('never holds more than MAX_POINTS, whatever the tick length', () => {
    const r = new RecentRates();
    for (let i = 0; i < MAX_POINTS * 3; i++) r.push(1 + i, 1, 1);
    expect(r.size).toBe(MAX_POINTS);
  });

  it('returns just the requested range, oldest first, in epoch seconds', () => {
    const r = new RecentRates();
    for (let i = 0; i < 600; i++) r.push(i * 1000, i, 0);
    const w = r.window(60_000);
    expect(w.x).toHaveLength(61);
    expect(w.x[0]).toBe(539);
    expect(w.rateIn[0]).toBe(539);
  });

  it('drops ticks older than the newest and clamps bad rates to zero', () => {
    const r = new RecentRates();
    expect(r.push(2000, 5, 5)).toBe(true);
    expect(r.push(1000, 9, 9)).toBe(false);
    expect(r.push(3000, Number.NaN, -4)).toBe(true);
    expect(r.last()).toEqual({ ts: 3000, rateIn: 0, rateOut: 0 });
  });

  it('seeds from the host and keeps the live ticks that are newer than its history', () => {
    const r = new RecentRates();
    r.push(5000, 50, 50);
    r.push(6000, 60, 60);
    r.seed({ ts: [3000, 4000, 5000], rateIn: [3, 4, 5], rateOut: [30, 40, 50] });
    const w = r.window(RECENT_MS);
    expect(w.x).toEqual([3, 4, 5, 6]);
    expect(w.rateIn).toEqual([3, 4, 5, 60]);
  });
});

describe('medianGap', () => {
  it('is the median gap between arrivals, ignoring one late tick', () => {
    expect(medianGap([0])).toBeNull();
    expect(medianGap([0, 1000, 2000, 3900, 4900])).toBe(1000);
    expect(medianGap([0, 2000, 4000])).toBe(2000);
  });
});
