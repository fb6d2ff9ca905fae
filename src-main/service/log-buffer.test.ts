import { afterEach, describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src-shared/model/log';
import { LOG_QUERY_MAX_LIMIT, LogQuerySchema } from '../../src-shared/model/log';
import { said } from '../../src-shared/model/log-text';
import { LogBuffer } from './log-buffer';

const buffers: LogBuffer[] = [];
function buffer(capacity = 100, onBatch: (b: LogEntry[]) => void = () => {}, echo?: (e: LogEntry) => void): LogBuffer {
  const b = new LogBuffer(onBatch, capacity, 5, echo);
  buffers.push(b);
  return b;
}
afterEach(() => {
  for (const b of buffers.splice(0)) b.dispose();
});
/** Lines these tests make up: their words as they are (a line always has a code). */
const NOTE = { key: 'note' } as const;

describe('LogBuffer', () => {
  it('masks secrets before a line is stored, delivered or echoed', async () => {
    const batches: LogEntry[][] = [];
    const echoed: string[] = [];
    const b = buffer(100, (batch) => batches.push(batch), (e) => echoed.push(e.message));
    b.add('info', 'relay web 0.0.0.0:80 10.0.0.2:5000 GET /cb?access_token=abc123&x=1 → 200 (2 ms)', NOTE);
    b.add('warn', 'fetch https://bob:hunter2@example.com/p.yaml failed', NOTE);
    await new Promise((r) => setTimeout(r, 30));
    const all = [...b.query().map((e) => e.message), ...batches.flat().map((e) => e.message), ...echoed].join('\n');
    expect(all).not.toMatch(/abc123|hunter2/);
    expect(b.query().map((e) => e.message)).toEqual([
      'relay web 0.0.0.0:80 10.0.0.2:5000 GET /cb?access_token=****&x=1 → 200 (2 ms)',
      'fetch https://bob:****@example.com/p.yaml failed',
    ]);
  });

  it('delivers lines in one batch per flush interval, in order', async () => {
    const batches: number[][] = [];
    const b = buffer(100, (batch) => batches.push(batch.map((e) => e.seq)));
    for (let i = 0; i < 5; i++) b.add('info', `line ${i}`, NOTE);
    await new Promise((r) => setTimeout(r, 30));
    expect(batches).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('queries by rule, minimum level and seq, newest lines first cut to the limit, returned oldest first', () => {
    const b = buffer();
    b.add('debug', 'a', { key: 'note', ruleId: 'r1' });
    b.add('info', 'b', { key: 'note', ruleId: 'r2' });
    b.add('warn', 'c', { key: 'note', ruleId: 'r1' });
    b.add('error', 'd', NOTE);
    expect(b.query({ ruleId: 'r1' }).map((e) => e.message)).toEqual(['a', 'c']);
    expect(b.query({ minLevel: 'warn' }).map((e) => e.message)).toEqual(['c', 'd']);
    expect(b.query({ afterSeq: 2 }).map((e) => e.message)).toEqual(['c', 'd']);
    expect(b.query({ limit: 2 }).map((e) => e.message)).toEqual(['c', 'd']);
  });

  it('keeps the newest lines once past its capacity', () => {
    const b = buffer(10);
    for (let i = 0; i < 25; i++) b.add('info', `line ${i}`, NOTE);
    const kept = b.query({ limit: 100 });
    expect(kept.length).toBeGreaterThanOrEqual(10);
    expect(kept.length).toBeLessThanOrEqual(11);
    expect(kept.at(-1)?.message).toBe('line 24');
  });

  it('lets one query fetch everything a full buffer keeps', () => {
    expect(LogQuerySchema.parse({ limit: LOG_QUERY_MAX_LIMIT }).limit).toBe(LOG_QUERY_MAX_LIMIT);
    expect(() => LogQuerySchema.parse({ limit: LOG_QUERY_MAX_LIMIT + 1 })).toThrow();
    const b = buffer(LOG_QUERY_MAX_LIMIT);
    for (let i = 0; i < LOG_QUERY_MAX_LIMIT; i++) b.add('info', `line ${i}`, NOTE);
    expect(b.query({ limit: LOG_QUERY_MAX_LIMIT })).toHaveLength(LOG_QUERY_MAX_LIMIT);
  });

  it('writes a line by its code: the English template filled in, the code, the masked fields and the rule name kept', () => {
    const names: Record<string, string> = { r1: 'Web password=hunter2' };
    const b = new LogBuffer(() => {}, 100, 5, undefined, (id) => names[id]);
    buffers.push(b);
    const e = b.line('warn', 'connectionFailed', { client: '127.0.0.1:5000', error: 'fetch https://bob:hunter2@x.example/ failed' }, { ruleId: 'r1', code: 'TARGET_REFUSED' });
    expect(e).toMatchObject({
      level: 'warn',
      key: 'connectionFailed',
      code: 'TARGET_REFUSED',
      ruleId: 'r1',
      ruleName: 'Web password=****',
      message: 'Connection from 127.0.0.1:5000 failed: fetch https://bob:****@x.example/ failed',
      fields: { client: '127.0.0.1:5000', error: 'fetch https://bob:****@x.example/ failed' },
    });
    // Plural pairs pick their form by `count`; a rule nobody names has no ruleName.
    expect(b.line('info', 'networkReconnecting', { count: 1 }).message).toBe('Network or power change: reconnecting 1 SSH/relay connection now');
    expect(b.line('info', 'networkReconnecting', { count: 2 }, { ruleId: 'gone' })).not.toHaveProperty('ruleName');
  });

  it('keeps a wrapped line (a relay agent’s own words after the relay’s name) by code, its fields masked at every level', () => {
    const b = buffer();
    const [message, line] = said('relayLine', { name: 'Home' }, { key: 'agentDataRefused', fields: { relay: 'r.example:9015', error: 'token=hunter2 refused' } });
    expect(message).toBe('Relay "Home": relay r.example:9015 refused a data connection: token=hunter2 refused');
    const e = b.said('warn', message, line);
    expect(e.message).toBe('Relay "Home": relay r.example:9015 refused a data connection: token=**** refused');
    expect(e).toMatchObject({ key: 'relayLine', fields: { name: 'Home' }, inner: { key: 'agentDataRefused', fields: { relay: 'r.example:9015', error: 'token=**** refused' } } });
    expect(JSON.stringify(e)).not.toContain('hunter2');
  });

  it('takes no line without a code (issue 18: every line reaches a window by its code)', () => {
    const b = buffer();
    // @ts-expect-error -- a line needs its code: the type says so, and this test fails to compile if it stops saying so
    expect(() => b.add('info', 'a line with no code')).toThrow();
  });
});
