import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { RecentTraffic, RuleTraffic, TrafficTotals } from '../../src-shared/model/settings';
import type { StatsBatch } from '../../src-shared/model/stats';
import { replaceFile } from '../store/replace-file';

// Traffic totals per rule, kept on this machine only (`traffic.json` in the data dir; nothing is ever
// sent anywhere): one bucket per local day for the last 40 days, plus all-time totals. Fed by the stats
// ticks (byte counters are per run of a rule, so only positive deltas count), written at most once a
// minute and at shutdown. Also the last 15 minutes of total rate for the dashboard.

export const TRAFFIC_FILE = 'traffic.json';
const KEEP_DAYS = 40;
const RECENT_MS = 15 * 60_000;
const FLUSH_MS = 60_000;

interface RuleHistory {
  allTime: TrafficTotals;
  /** `YYYY-MM-DD` (local) → totals. */
  days: Record<string, TrafficTotals>;
}

interface FileShape {
  version: 1;
  rules: Record<string, RuleHistory>;
}

/** Local calendar day `YYYY-MM-DD`. */
export function dayKey(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Local midnight of the Monday of the week containing `ts`. */
export function weekStart(ts: number): number {
  const d = new Date(ts);
  d.setHours(0, 0, 0, 0);
  const sinceMonday = (d.getDay() + 6) % 7;
  d.setDate(d.getDate() - sinceMonday);
  return d.getTime();
}

function valid(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : 0;
}

export class TrafficHistory {
  private rules: Record<string, RuleHistory> = {};
  private readonly last = new Map<string, TrafficTotals>();
  private readonly recent: Array<{ ts: number; rateIn: number; rateOut: number }> = [];
  private dirty = false;
  private lastFlush = 0;
  private readonly file: string;

  constructor(
    private readonly dataDir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.file = join(dataDir, TRAFFIC_FILE);
    this.load();
  }

  /** One stats tick: adds each rule's new bytes to today and all time. */
  observe(batch: StatsBatch): void {
    const day = dayKey(batch.ts);
    let rateIn = 0;
    let rateOut = 0;
    for (const [id, s] of Object.entries(batch.rules)) {
      rateIn += s.rateIn;
      rateOut += s.rateOut;
      const prev = this.last.get(id);
      this.last.set(id, { bytesIn: s.bytesIn, bytesOut: s.bytesOut });
      // A restarted rule starts counting from 0 again: a drop means a new run, not negative traffic.
      const dIn = prev && s.bytesIn >= prev.bytesIn ? s.bytesIn - prev.bytesIn : s.bytesIn;
      const dOut = prev && s.bytesOut >= prev.bytesOut ? s.bytesOut - prev.bytesOut : s.bytesOut;
      if (dIn === 0 && dOut === 0) continue;
      const h = (this.rules[id] ??= { allTime: { bytesIn: 0, bytesOut: 0 }, days: {} });
      const d = (h.days[day] ??= { bytesIn: 0, bytesOut: 0 });
      d.bytesIn += dIn;
      d.bytesOut += dOut;
      h.allTime.bytesIn += dIn;
      h.allTime.bytesOut += dOut;
      this.dirty = true;
    }
    this.recent.push({ ts: batch.ts, rateIn, rateOut });
    const cutoff = batch.ts - RECENT_MS;
    while (this.recent.length > 0 && this.recent[0]!.ts < cutoff) this.recent.shift();
    if (this.dirty && this.now() - this.lastFlush >= FLUSH_MS) this.flush();
  }

  /** The rule is gone: drop its history too. */
  forget(ruleId: string): void {
    if (delete this.rules[ruleId]) this.dirty = true;
    this.last.delete(ruleId);
  }

  summary(): RuleTraffic[] {
    const now = this.now();
    const today = dayKey(now);
    const monday = weekStart(now);
    return Object.entries(this.rules).map(([ruleId, h]) => {
      const week = { bytesIn: 0, bytesOut: 0 };
      for (const [day, t] of Object.entries(h.days)) {
        const [y, m, d] = day.split('-').map(Number);
        if (new Date(y!, m! - 1, d!).getTime() >= monday) {
          week.bytesIn += t.bytesIn;
          week.bytesOut += t.bytesOut;
        }
      }
      return { ruleId, today: { ...(h.days[today] ?? { bytesIn: 0, bytesOut: 0 }) }, week, allTime: { ...h.allTime } };
    });
  }

  recentTraffic(): RecentTraffic {
    return { ts: this.recent.map((p) => p.ts), rateIn: this.recent.map((p) => p.rateIn), rateOut: this.recent.map((p) => p.rateOut) };
  }

  /** Writes the file if anything changed (atomic: temp + rename). Never throws: history is best effort. */
  flush(): void {
    this.lastFlush = this.now();
    if (!this.dirty) return;
    const cutoff = dayKey(this.now() - KEEP_DAYS * 86_400_000);
    for (const h of Object.values(this.rules)) for (const day of Object.keys(h.days)) if (day < cutoff) delete h.days[day];
    try {
      mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
      replaceFile(this.file, JSON.stringify({ version: 1, rules: this.rules } satisfies FileShape), 0o600);
      this.dirty = false;
    } catch {
      // Disk full or read-only: keep counting in memory and try again at the next flush.
    }
  }

  private load(): void {
    if (!existsSync(this.file)) return;
    try {
      const raw = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<FileShape>;
      if (raw.version !== 1 || typeof raw.rules !== 'object' || raw.rules === null) throw new Error('unknown shape');
      for (const [id, h] of Object.entries(raw.rules)) {
        if (typeof h !== 'object' || h === null) continue;
        const days: Record<string, TrafficTotals> = {};
        for (const [day, t] of Object.entries((h as RuleHistory).days ?? {})) {
          if (/^\d{4}-\d{2}-\d{2}$/.test(day) && typeof t === 'object' && t !== null) days[day] = { bytesIn: valid(t.bytesIn), bytesOut: valid(t.bytesOut) };
        }
        const a = (h as RuleHistory).allTime ?? { bytesIn: 0, bytesOut: 0 };
        this.rules[id] = { allTime: { bytesIn: valid(a.bytesIn), bytesOut: valid(a.bytesOut) }, days };
      }
    } catch {
      // Unreadable history is kept aside, never silently overwritten.
      try {
        renameSync(this.file, `${this.file}.corrupt-${Date.now()}`);
      } catch {
        /* leave it */
      }
      this.rules = {};
    }
  }
}
