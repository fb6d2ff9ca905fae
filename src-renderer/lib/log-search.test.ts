import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LogEntry } from '../../src-shared/model/log';
import { compileLogFilter, defaultLogFilter, type LogFilter, partsFromRanges } from '../store/log-filter';
import { LogView } from '../store/log-view';
import { i18n } from '../i18n/i18n';
import { LogRing } from './log-ring';
import { LogSearch, SEARCH_BUDGET_MS, type SearchWorker } from './log-search';
import { type SearchRequest, type SearchResponse, searchChunk } from './log-search-scan';

// The worker is replaced by one that runs the worker's own code (searchChunk) on this thread, or by
// one that hangs the way a catastrophic pattern does; the budget is checked with fake timers.

class FakeWorker implements SearchWorker {
  onmessage: ((event: { data: SearchResponse }) => void) | null = null;
  onerror: ((event: { message?: string }) => void) | null = null;
  terminated = false;
  readonly requests: SearchRequest[] = [];

  constructor(private readonly mode: 'answer' | 'hang' | 'silent' = 'answer') {
    if (mode !== 'silent') queueMicrotask(() => this.reply({ kind: 'ready' }));
  }

  postMessage(request: SearchRequest): void {
    this.requests.push(request);
    if (this.mode === 'answer') queueMicrotask(() => this.reply(searchChunk(request)));
  }

  terminate(): void {
    this.terminated = true;
  }

  private reply(data: SearchResponse): void {
    if (!this.terminated) this.onmessage?.({ data });
  }
}

const line = (seq: number, message: string, extra: Partial<LogEntry> = {}): LogEntry => ({ seq, ts: seq, level: 'info', message, ...extra });
/** Lets queued microtasks (the fake worker's replies) and the work they start run. */
const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};
const filter = (patch: Partial<LogFilter>): LogFilter => ({ ...defaultLogFilter(), levels: { debug: true, info: true, warn: true, error: true }, ...patch });

afterEach(async () => {
  vi.useRealTimers();
  await i18n.changeLanguage('en');
});

describe('LogSearch (a regular expression in a worker)', () => {
  it('searches the ring a chunk at a time, finds matches in messages and codes with their hit ranges, and keeps up', async () => {
    const ring = new LogRing(10_000);
    for (let i = 0; i < 7000; i++) ring.push(line(i, i % 1000 === 7 ? `port ${i} in use` : `line ${i}`));
    ring.push(line(7000, 'retrying', { code: 'PORT_IN_USE' }));
    const workers: FakeWorker[] = [];
    const onChange = vi.fn();
    const search = new LogSearch('port', 'i', { spawn: () => (workers.push(new FakeWorker()), workers.at(-1)!), onChange });
    search.feed(ring);
    await settle();
    expect(workers).toHaveLength(1);
    // 7,001 lines: two chunks (at most 5,000 lines each).
    expect(workers[0]!.requests.map((r) => r.texts.length)).toEqual([5000, 2001]);
    expect(search.end).toBe(7001);
    expect(onChange).toHaveBeenCalledTimes(2);
    expect([...Array(7001).keys()].filter((id) => search.has(id))).toEqual([7, 1007, 2007, 3007, 4007, 5007, 6007, 7000]);
    expect(search.hitsOf(1007)).toEqual([0, 4]);
    expect(partsFromRanges(ring.messageOf(1007), search.hitsOf(1007))).toEqual([
      { text: 'port', hit: true },
      { text: ' 1007 in use', hit: false },
    ]);
    // New lines, some of which push old ones out: only the new ones are sent; dropped ids are forgotten.
    for (let i = 7001; i < 10_500; i++) ring.push(line(i, i === 10_400 ? 'Port 10400' : 'x'));
    search.feed(ring);
    await settle();
    expect(search.end).toBe(10_500);
    expect(search.has(7)).toBe(false);
    expect(search.has(10_400)).toBe(true);
    expect(workers[0]!.requests.slice(2).reduce((n, r) => n + r.texts.length, 0)).toBe(3499);
    search.stop();
    expect(workers[0]!.terminated).toBe(true);
  });

  it('gives up a pattern whose chunk overruns the budget: terminates the worker and says so, in both languages', async () => {
    vi.useFakeTimers();
    const ring = new LogRing(10);
    ring.push(line(1, `${'a'.repeat(40)}!`));
    const worker = new FakeWorker('hang');
    const onChange = vi.fn();
    const search = new LogSearch('(a+)+$', 'i', { spawn: () => worker, onChange });
    search.feed(ring);
    await settle();
    expect(worker.requests).toHaveLength(1);
    vi.advanceTimersByTime(SEARCH_BUDGET_MS - 1);
    expect(search.failure).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(worker.terminated).toBe(true);
    expect(search.failure).toBe('This pattern took too long (over 1000 ms) — simplify it');
    expect(onChange).toHaveBeenCalledTimes(1);
    // Final: more lines do not start it again.
    ring.push(line(2, 'aaa'));
    search.feed(ring);
    expect(worker.requests).toHaveLength(1);

    await i18n.changeLanguage('zh-CN');
    const zh = new LogSearch('(a+)+$', '', { spawn: () => new FakeWorker('hang'), onChange: () => undefined, budgetMs: 250 });
    zh.feed(ring);
    await settle();
    vi.advanceTimersByTime(250);
    expect(zh.failure).toBe('此表达式耗时过长（超过 250 毫秒）——请简化它');
  });

  it('reports a worker that cannot be made or never starts, instead of searching on the page', async () => {
    vi.useFakeTimers();
    const ring = new LogRing(10);
    ring.push(line(1, 'x'));
    const blocked = new LogSearch('x', '', {
      spawn: () => {
        throw new Error('blocked by CSP');
      },
      onChange: () => undefined,
    });
    blocked.feed(ring);
    expect(blocked.failure).toBe('Regular-expression search could not start its background worker (blocked by CSP) — turn off .* to search plain text');
    const silent = new FakeWorker('silent');
    const never = new LogSearch('x', '', { spawn: () => silent, onChange: () => undefined, startMs: 5000 });
    never.feed(ring);
    vi.advanceTimersByTime(5000);
    expect(never.failure).toMatch(/could not start its background worker \(it did not start\)/);
    expect(silent.terminated).toBe(true);
  });

  it('drives the log view: lines wait until searched, then the view holds exactly the matches; a failure leaves the search out', async () => {
    vi.useFakeTimers();
    const ring = new LogRing(100);
    ['alpha', 'beta', 'alphabet'].forEach((m, i) => ring.push(line(i, m)));
    const worker = new FakeWorker();
    const search = new LogSearch('^alpha', '', { spawn: () => worker, onChange: () => undefined });
    const f = filter({ text: '^alpha', regex: true, caseSensitive: true });
    const view = new LogView(compileLogFilter(f, search));
    view.sync(ring);
    expect(view.count).toBe(0);
    search.feed(ring);
    await settle();
    // The view was waiting, not deciding: it catches up on its next sync.
    view.sync(ring);
    expect([view.idAt(0), view.idAt(1), view.count]).toEqual([0, 2, 2]);
    const compiled = compileLogFilter(f, search);
    expect(compiled.highlight?.(2, 'alphabet')).toEqual([
      { text: 'alpha', hit: true },
      { text: 'bet', hit: false },
    ]);
    // Results of another pattern are never used for this one.
    expect(compileLogFilter(filter({ text: 'beta', regex: true, caseSensitive: true }), search).decidedBelow?.()).toBe(0);

    const stuck = new LogSearch('(a+)+$', '', { spawn: () => new FakeWorker('hang'), onChange: () => undefined });
    stuck.feed(ring);
    await settle();
    vi.advanceTimersByTime(SEARCH_BUDGET_MS);
    const failed = compileLogFilter(filter({ text: '(a+)+$', regex: true, caseSensitive: true }), stuck);
    expect(failed.error).toBe('This pattern took too long (over 1000 ms) — simplify it');
    const all = new LogView(failed);
    all.sync(ring);
    expect(all.count).toBe(3);
  });
});
