import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatsBatch } from '../../src-shared/model/stats';
import { tempDir } from '../../test-support/tmp';
import { TRAFFIC_FILE, TrafficHistory, dayKey, weekStart } from './traffic-history';

const dirs: Array<() => void> = [];
afterEach(() => dirs.splice(0).forEach((d) => d()));
function dir(): string {
  const t = tempDir();
  dirs.push(t.cleanup);
  return t.dir;
}
const tick = (ts: number, rules: Record<string, [number, number]>, rate = 0): StatsBatch => ({
  ts,
  intervalMs: 1000,
  rules: Object.fromEntries(Object.entries(rules).map(([id, [i, o]]) => [id, { bytesIn: i, bytesOut: o, rateIn: rate, rateOut: rate, activeConnections: 0, totalConnections: 0 }])),
});

describe('traffic history', () => {
  // Wednesday 2026-11-18 12:00 local.
  const wed = new Date(2026, 10, 18, 12, 0, 0).getTime();

  it('adds positive deltas per day; a restarted rule (counter drop) counts from its new run', () => {
    let now = wed;
    const h = new TrafficHistory(dir(), () => now);
    h.observe(tick(now, { a: [100, 10] }));
    h.observe(tick(now + 1000, { a: [250, 30] }));
    h.observe(tick(now + 2000, { a: [40, 5] })); // restarted: 40 new bytes, not -210
    const s = h.summary().find((x) => x.ruleId === 'a')!;
    expect(s.today).toEqual({ bytesIn: 290, bytesOut: 35 });
    expect(s.allTime).toEqual({ bytesIn: 290, bytesOut: 35 });
    now += 86_400_000; // Thursday: today is empty, the week still has it
    const t = h.summary().find((x) => x.ruleId === 'a')!;
    expect(t.today).toEqual({ bytesIn: 0, bytesOut: 0 });
    expect(t.week).toEqual({ bytesIn: 290, bytesOut: 35 });
  });

  it('this week starts on Monday local midnight; last week counts only in all time', () => {
    expect(new Date(weekStart(wed)).getDay()).toBe(1);
    expect(dayKey(weekStart(wed))).toBe('2026-11-16');
    let now = wed - 3 * 86_400_000; // Sunday before
    const h = new TrafficHistory(dir(), () => now);
    h.observe(tick(now, { a: [1000, 0] }));
    now = wed;
    h.observe(tick(now, { a: [1500, 0] }));
    const s = h.summary()[0]!;
    expect(s.week.bytesIn).toBe(500);
    expect(s.allTime.bytesIn).toBe(1500);
  });

  it('survives a restart of Porthole (flushed file), forgets deleted rules, and sets a corrupt file aside', () => {
    const d = dir();
    const h = new TrafficHistory(d, () => wed);
    h.observe(tick(wed, { a: [5, 6], b: [7, 8] }));
    h.forget('b');
    h.flush();
    const again = new TrafficHistory(d, () => wed);
    expect(again.summary()).toEqual([{ ruleId: 'a', today: { bytesIn: 5, bytesOut: 6 }, week: { bytesIn: 5, bytesOut: 6 }, allTime: { bytesIn: 5, bytesOut: 6 } }]);
    expect(readFileSync(join(d, TRAFFIC_FILE), 'utf8')).not.toContain('"b"');
    writeFileSync(join(d, TRAFFIC_FILE), '{ not json');
    const fresh = new TrafficHistory(d, () => wed);
    expect(fresh.summary()).toEqual([]);
  });

  it('keeps 15 minutes of total rate for the dashboard', () => {
    const h = new TrafficHistory(dir(), () => wed);
    for (let i = 0; i < 20 * 60; i++) h.observe(tick(wed + i * 1000, { a: [0, 0], b: [0, 0] }, 10));
    const r = h.recentTraffic();
    expect(r.ts.length).toBe(15 * 60 + 1);
    expect(r.rateIn.every((x) => x === 20)).toBe(true);
  });
});
