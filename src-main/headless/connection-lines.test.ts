import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PlaneEvent } from '../dataplane/protocol';
import { CONNECTION_LINES_PER_SECOND as LINES_PER_SECOND } from '../service/line-budget';
import { ConnectionLines } from './connection-lines';

const open = (id: number): PlaneEvent => ({ e: 'open', lid: 1, id, client: `127.0.0.1:${40000 + id}` });
const close = (id: number, bytes = 1024): PlaneEvent => ({ e: 'close', lid: 1, id, client: `127.0.0.1:${40000 + id}`, bytesIn: bytes, bytesOut: 2 * bytes, durationMs: 3 });
const failed = (id: number): PlaneEvent => ({ e: 'error', lid: 1, id, client: `127.0.0.1:${40000 + id}`, error: { code: 'TARGET_REFUSED', message: 'Connection refused by 127.0.0.1:9' } });

let t = 0;
let written: string[] = [];
let log: ConnectionLines;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  t = 1000;
  written = [];
  log = new ConnectionLines((line) => written.push(line), 'connections', () => t);
});
afterEach(() => vi.useRealTimers());

/** Feeds events as the forward's data plane delivers them (in batches). */
function feed(events: PlaneEvent[]): void {
  for (const e of events) log.add(e);
}

describe('ConnectionLines (porthole forward)', () => {
  it('writes a line per open, close and failure while they come slowly', () => {
    feed([open(1), close(1)]);
    t += 2000;
    feed([open(2), failed(2)]);
    expect(written).toEqual([
      'open  #1 from 127.0.0.1:40001',
      'close #1 from 127.0.0.1:40001: 1.00 KiB in, 2.00 KiB out, 3 ms',
      'open  #2 from 127.0.0.1:40002',
      'error #2 from 127.0.0.1:40002: Connection refused by 127.0.0.1:9 [TARGET_REFUSED]',
    ]);
  });

  it('sums up the rest of a busy second in one line at its end, then writes one by one again', async () => {
    const n = 500;
    const events: PlaneEvent[] = [];
    for (let i = 1; i <= n; i++) events.push(open(i), close(i));
    events.push(failed(n + 1));
    feed(events);
    expect(written).toHaveLength(LINES_PER_SECOND);
    expect(written[0]).toBe('open  #1 from 127.0.0.1:40001');
    // The end of the second: one line for everything held (230 opened and closed; the failure).
    t += 1000;
    await vi.advanceTimersByTimeAsync(1000);
    expect(written).toHaveLength(LINES_PER_SECOND + 1);
    const held = n - LINES_PER_SECOND / 2;
    expect(written.at(-1)).toBe(
      `… connections in that second not listed one by one (more than ${LINES_PER_SECOND} lines a second): ${held} opened, ${held} closed (${held} KiB in, ${2 * held} KiB out), ` +
        `1 failed (the last: 127.0.0.1:${40000 + n + 1}: Connection refused by 127.0.0.1:9 [TARGET_REFUSED])`,
    );
    t += 5000;
    feed([open(900)]);
    expect(written.at(-1)).toBe('open  #900 from 127.0.0.1:40900');
  });

  it('puts what the last second held before the next second’s first line when they meet in one batch, and says it at stop', () => {
    const events: PlaneEvent[] = [];
    for (let i = 1; i <= LINES_PER_SECOND + 3; i++) events.push(open(i));
    feed(events);
    t += 1000;
    feed([open(100)]);
    expect(written.slice(-2)).toEqual([
      `… connections in that second not listed one by one (more than ${LINES_PER_SECOND} lines a second): 3 opened`,
      'open  #100 from 127.0.0.1:40100',
    ]);
    // Held at stop: written by flush(), once.
    for (let i = 0; i < LINES_PER_SECOND - 1; i++) feed([open(200 + i)]);
    feed([close(300, 10)]);
    log.flush();
    log.flush();
    expect(written.at(-1)).toBe(`… connections in that second not listed one by one (more than ${LINES_PER_SECOND} lines a second): 1 closed (10 B in, 20 B out)`);
    expect(written.filter((l) => l.startsWith('…'))).toHaveLength(2);
  });

  it('always writes a listener failure at once', () => {
    for (let i = 0; i < LINES_PER_SECOND + 5; i++) feed([open(i)]);
    feed([{ e: 'listener-error', lid: 1, error: { code: 'INTERNAL', message: 'accept failed' } }]);
    expect(written.at(-1)).toBe('listener failed: accept failed [INTERNAL]');
  });
});
