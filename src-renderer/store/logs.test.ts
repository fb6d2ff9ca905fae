import { describe, expect, it } from 'vitest';
import type { LogEntry, LogLevel } from '../../src-shared/model/log';
import { appendLogs, emptyLogs, visibleLogs } from './logs';

const line = (seq: number, level: LogLevel = 'info', ts = 1000 + seq): LogEntry => ({ seq, ts, level, message: `m${seq}` });

describe('log buffer', () => {
  it('skips lines already seen when a reload overlaps the live stream', () => {
    let logs = appendLogs(emptyLogs(), [line(1), line(2)]);
    const v = logs.version;
    logs = appendLogs(logs, [line(1), line(2), line(3)]);
    expect(logs.buf.toArray().map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(logs.version).toBe(v + 1);
    expect(appendLogs(logs, [line(3)])).toBe(logs);
  });

  it('accepts lines from a restarted host whose seq started again', () => {
    let logs = appendLogs(emptyLogs(), [line(50, 'info', 1000)]);
    logs = appendLogs(logs, [line(1, 'info', 2000)]);
    expect(logs.buf.toArray().map((e) => e.seq)).toEqual([50, 1]);
  });

  it('keeps at most its capacity', () => {
    const logs = appendLogs(emptyLogs(3), [line(1), line(2), line(3), line(4)]);
    expect(logs.buf.toArray().map((e) => e.seq)).toEqual([2, 3, 4]);
  });
});

describe('visibleLogs', () => {
  const logs = appendLogs(emptyLogs(), [line(1, 'debug'), line(2, 'info'), line(3, 'warn'), line(4, 'error'), line(5, 'info')]);
  const seqs = (f: Parameters<typeof visibleLogs>[1]) => visibleLogs(logs, f).map((e) => e.seq);

  it('filters by minimum level, meaning what the labels say', () => {
    expect(seqs('all')).toEqual([1, 2, 3, 4, 5]);
    expect(seqs('info')).toEqual([2, 3, 4, 5]);
    expect(seqs('warn')).toEqual([3, 4]);
    expect(seqs('error')).toEqual([4]);
  });

  it('returns only the newest lines up to the render limit, oldest first', () => {
    expect(visibleLogs(logs, 'all', 2).map((e) => e.seq)).toEqual([4, 5]);
  });
});
