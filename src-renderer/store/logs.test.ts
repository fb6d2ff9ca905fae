import { describe, expect, it } from 'vitest';
import type { LogEntry, LogLevel } from '../../src-shared/model/log';
import { LogRing } from '../lib/log-ring';
import type { LogSearchResults } from '../lib/log-search';
import { searchChunk } from '../lib/log-search-scan';
import { describeLogFilter, exportFileName, formatLogLines } from './log-export';
import { ALL_RULES, compileLogFilter, defaultLogFilter, NO_RULE, splitHits, type LogFilter } from './log-filter';
import { LogView } from './log-view';
import { appendLogs, emptyLogs } from './logs';

const line = (seq: number, level: LogLevel = 'info', ts = 1000 + seq, extra: Partial<LogEntry> = {}): LogEntry => ({ seq, ts, level, message: `m${seq}`, ...extra });
const messages = (ring: LogRing): string[] => {
  const out: string[] = [];
  for (let id = ring.firstId; id < ring.endId; id++) out.push(ring.messageOf(id));
  return out;
};
const all = { debug: true, info: true, warn: true, error: true };
const filter = (patch: Partial<LogFilter>): LogFilter => ({ ...defaultLogFilter(), levels: all, ...patch });

describe('appendLogs', () => {
  it('skips lines already seen when a reload overlaps the live stream', () => {
    let logs = appendLogs(emptyLogs(), [line(1), line(2)]);
    const v = logs.version;
    logs = appendLogs(logs, [line(1), line(2), line(3)]);
    expect(messages(logs.ring)).toEqual(['m1', 'm2', 'm3']);
    expect(logs.version).toBe(v + 1);
    expect(appendLogs(logs, [line(3)])).toBe(logs);
  });

  it('accepts lines from a restarted host whose seq started again', () => {
    let logs = appendLogs(emptyLogs(), [line(50, 'info', 1000)]);
    logs = appendLogs(logs, [line(1, 'info', 2000)]);
    expect(messages(logs.ring)).toEqual(['m50', 'm1']);
  });

  it('keeps at most its capacity, dropping the oldest', () => {
    const logs = appendLogs(emptyLogs(3), [line(1), line(2), line(3), line(4)]);
    expect(messages(logs.ring)).toEqual(['m2', 'm3', 'm4']);
    expect(logs.ring.firstId).toBe(1);
  });

  it('holds 100,000 lines by default', () => {
    const batch = Array.from({ length: 100_500 }, (_, i) => line(i + 1));
    const logs = appendLogs(emptyLogs(), batch);
    expect(logs.ring.size).toBe(100_000);
    expect(logs.ring.messageOf(logs.ring.firstId)).toBe('m501');
  });

  it('masks secrets as lines come in, so nothing downstream ever sees them', () => {
    const logs = appendLogs(emptyLogs(), [line(1, 'warn', 1, { message: 'GET /x?token=abc123 → 401' })]);
    expect(logs.ring.messageOf(0)).toBe('GET /x?token=**** → 401');
  });
});

describe('LogRing', () => {
  it('gives back each line as it came in, with rule and code', () => {
    const ring = new LogRing(2);
    ring.push(line(7, 'error', 5, { ruleId: 'r1', code: 'PORT_IN_USE' }));
    expect(ring.get(0)).toEqual({ seq: 7, ts: 5, level: 'error', message: 'm7', ruleId: 'r1', code: 'PORT_IN_USE' });
    ring.push(line(8));
    ring.push(line(9, 'warn'));
    expect(ring.get(0)).toBeUndefined();
    expect(ring.get(2)).toEqual({ seq: 9, ts: 1009, level: 'warn', message: 'm9' });
  });

  it('counts the lines it keeps per level', () => {
    const ring = new LogRing(3);
    for (const l of ['debug', 'info', 'warn', 'error', 'error'] as const) ring.push(line(1, l));
    expect(ring.levelCounts()).toEqual([0, 0, 1, 2]);
  });
});

describe('compileLogFilter', () => {
  const ring = new LogRing(100);
  const lines: LogEntry[] = [
    line(1, 'debug', 1, { message: 'probe', ruleId: 'web' }),
    line(2, 'info', 2, { message: 'Listening on 127.0.0.1:8080', ruleId: 'web' }),
    line(3, 'warn', 3, { message: 'retrying in 2 s', ruleId: 'db', code: 'TARGET_REFUSED' }),
    line(4, 'error', 4, { message: 'Port 8080 in use', code: 'PORT_IN_USE' }),
    line(5, 'info', 5, { message: 'Relay stopped' }),
  ];
  for (const l of lines) ring.push(l);
  /** What the search worker would find (lib/log-search-scan.ts, run here directly). */
  const searched = (f: LogFilter): LogSearchResults => {
    const ids = lines.map((_, id) => id);
    const res = searchChunk({ source: f.text, flags: f.caseSensitive ? '' : 'i', texts: ids.map((id) => ring.messageOf(id)), codes: ids.map((id) => ring.codeOf(id) ?? '') });
    const found = new Set(res.kind === 'result' ? res.matched : []);
    return { source: f.text, flags: f.caseSensitive ? '' : 'i', end: ring.endId, failure: undefined, has: (id) => found.has(id), hitsOf: () => undefined };
  };
  const seqs = (f: LogFilter): number[] => {
    const c = compileLogFilter(f, f.regex ? searched(f) : undefined);
    return lines.map((_, id) => id).filter((id) => c.matches(ring, id)).map((id) => ring.get(id)!.seq);
  };

  it('shows exactly the levels switched on', () => {
    expect(seqs(filter({}))).toEqual([1, 2, 3, 4, 5]);
    expect(seqs(defaultLogFilter())).toEqual([2, 3, 4, 5]);
    expect(seqs(filter({ levels: { debug: false, info: false, warn: true, error: false } }))).toEqual([3]);
    expect(seqs(filter({ levels: { debug: true, info: false, warn: false, error: true } }))).toEqual([1, 4]);
  });

  it('searches text case-insensitively unless asked, and the error code too', () => {
    expect(seqs(filter({ text: 'RELAY' }))).toEqual([5]);
    expect(seqs(filter({ text: 'RELAY', caseSensitive: true }))).toEqual([]);
    expect(seqs(filter({ text: 'refused' }))).toEqual([3]);
    expect(seqs(filter({ text: '8080 (' }))).toEqual([]);
    expect(seqs(filter({ text: '127.0.0.1:8080' }))).toEqual([2]);
  });

  it('searches by regular expression, with the results of the search worker only', () => {
    expect(seqs(filter({ text: '^(port|relay)\\b', regex: true }))).toEqual([4, 5]);
    expect(seqs(filter({ text: '\\d+ s$', regex: true }))).toEqual([3]);
    expect(seqs(filter({ text: 'port_in', regex: true }))).toEqual([4]);
    // Without them nothing is decided yet: the pattern is never run on this thread.
    const waiting = compileLogFilter(filter({ text: 'relay', regex: true }));
    expect(waiting.decidedBelow?.()).toBe(0);
    expect(waiting.matches(ring, 4)).toBe(false);
  });

  it('reports an invalid regular expression instead of throwing, and leaves the search out', () => {
    const c = compileLogFilter(filter({ text: '(unclosed', regex: true }));
    expect(c.error).toMatch(/^Invalid regular expression: .*unterminated group/i);
    expect(c.highlight).toBeUndefined();
    expect(seqs(filter({ text: '(unclosed', regex: true }))).toEqual([1, 2, 3, 4, 5]);
    expect(compileLogFilter(filter({ text: '(unclosed' })).error).toBeUndefined();
  });

  it('shows one mapping, or the lines of no mapping', () => {
    expect(seqs(filter({ ruleId: 'web' }))).toEqual([1, 2]);
    expect(seqs(filter({ ruleId: NO_RULE }))).toEqual([4, 5]);
    expect(seqs(filter({ ruleId: ALL_RULES, text: 'in' }))).toEqual([2, 3, 4]);
  });
});

describe('LogView', () => {
  it('follows the ring incrementally: new lines tested once, dropped lines cut from the front', () => {
    const ring = new LogRing(5);
    const view = new LogView(compileLogFilter(filter({ levels: { debug: false, info: false, warn: true, error: true } })));
    const levels: LogLevel[] = ['warn', 'info', 'error', 'info', 'warn'];
    levels.forEach((l, i) => ring.push(line(i, l)));
    view.sync(ring);
    expect([view.idAt(0), view.idAt(1), view.idAt(2)]).toEqual([0, 2, 4]);
    ring.push(line(5, 'error'));
    ring.push(line(6, 'info'));
    view.sync(ring);
    expect(view.count).toBe(3);
    expect([view.idAt(0), view.idAt(1), view.idAt(2)]).toEqual([2, 4, 5]);
    expect(view.countBelow(5)).toBe(2);
    expect(view.indexOf(4)).toBe(1);
    expect(view.indexOf(3)).toBe(-1);
  });

  it('stays correct over many wraps of a small ring', () => {
    const ring = new LogRing(1000);
    const view = new LogView(compileLogFilter(filter({ text: '7' })));
    for (let batch = 0; batch < 50; batch++) {
      for (let i = 0; i < 997; i++) ring.push(line(batch * 997 + i));
      view.sync(ring);
      const expected: number[] = [];
      for (let id = ring.firstId; id < ring.endId; id++) if (ring.messageOf(id).includes('7')) expected.push(id);
      expect(view.count).toBe(expected.length);
      expect(view.idAt(0)).toBe(expected[0]);
      expect(view.idAt(view.count - 1)).toBe(expected.at(-1));
    }
  });
});

describe('splitHits', () => {
  it('splits around every hit, skipping empty matches', () => {
    expect(splitHits('a-b-a', /a/gi)).toEqual([
      { text: 'a', hit: true },
      { text: '-b-', hit: false },
      { text: 'a', hit: true },
    ]);
    expect(splitHits('abc', /x*/g)).toEqual([{ text: 'abc', hit: false }]);
    expect(splitHits('abc', undefined)).toEqual([{ text: 'abc', hit: false }]);
  });
});

describe('log export', () => {
  it('formats lines with date, level, mapping name and code; masked as stored', () => {
    const logs = appendLogs(emptyLogs(), [
      line(1, 'warn', new Date(2026, 4, 1, 9, 5, 7, 42).getTime(), { ruleId: 'r1', message: 'login password=hunter2 failed', code: 'AUTH_FAILED' }),
      line(2, 'info', new Date(2026, 4, 1, 9, 5, 8, 0).getTime(), { message: 'Relay stopped' }),
    ]);
    expect(formatLogLines(logs.ring, [0, 1, 99], { r1: 'Web admin' })).toBe(
      '2026-05-01 09:05:07.042 WARN  [Web admin] login password=**** failed (AUTH_FAILED)\n2026-05-01 09:05:08.000 INFO  Relay stopped\n',
    );
  });

  it('names the file after the mapping and the time, and describes the filter', () => {
    const names = { r1: 'Web Admin (prod)' };
    const f = filter({ ruleId: 'r1', text: 'refused', levels: { debug: false, info: false, warn: true, error: true } });
    expect(exportFileName(f, names, new Date(2026, 0, 2, 3, 4, 5).getTime())).toBe('porthole-web-admin-prod-20260102-030405.log');
    expect(exportFileName(defaultLogFilter(), names, new Date(2026, 0, 2, 3, 4, 5).getTime())).toBe('porthole-all-20260102-030405.log');
    expect(describeLogFilter(f, names)).toBe('levels warn, error; mapping "Web Admin (prod)"; text "refused"');
  });
});

describe('openLogsFor', () => {
  it('opens the panel on one mapping, keeping the levels and clearing the search', async () => {
    const { appStore, logOpen, openLogsFor, setLogFilter, setLogOpen, setUi } = await import('./app-store');
    setUi({ view: 'dashboard' });
    expect(logOpen(appStore.getState().ui)).toBe(false);
    setUi({ view: 'mappings' });
    setLogOpen(false);
    setLogFilter({ text: 'old search', levels: { debug: true, info: false, warn: true, error: true } });
    openLogsFor('r42');
    const { ui } = appStore.getState();
    expect(logOpen(ui)).toBe(true);
    expect(ui.logFilter).toMatchObject({ ruleId: 'r42', text: '', levels: { debug: true, info: false, warn: true, error: true } });
  });
});
