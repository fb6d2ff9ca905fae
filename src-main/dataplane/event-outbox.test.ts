import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EVENT_BATCH_MAX, EventOutbox } from './event-outbox';
import type { PlaneEvent } from './protocol';

const open = (id: number): PlaneEvent => ({ e: 'open', lid: 1, id, client: `127.0.0.1:${1000 + id}` });
const close = (id: number): PlaneEvent => ({ e: 'close', lid: 1, id, client: `127.0.0.1:${1000 + id}`, bytesIn: 1, bytesOut: 1, durationMs: 0 });

describe('EventOutbox', () => {
  let sent: PlaneEvent[][];
  let box: EventOutbox;
  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    box = new EventOutbox((events) => sent.push(events), 20);
  });
  afterEach(() => {
    box.flush();
    vi.useRealTimers();
  });

  it('sends the opens and closes of connections that come and go within the window as one message, in order', async () => {
    // One connection per turn of the loop, as a serial client makes them: before, each turn was a message.
    for (let id = 1; id <= 5; id++) {
      box.push(open(id));
      await vi.advanceTimersByTimeAsync(1);
      box.push(close(id));
      await vi.advanceTimersByTimeAsync(1);
    }
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(20);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.map((e) => `${e.e} ${'id' in e ? e.id : ''}`)).toEqual([1, 2, 3, 4, 5].flatMap((id) => [`open ${id}`, `close ${id}`]));
  });

  it('keeps a close that comes while its open is still waiting right after that open, and loses nothing across batches', async () => {
    box.push(open(1));
    box.push(close(1));
    box.push(open(2));
    await vi.advanceTimersByTimeAsync(20);
    box.push(close(2));
    await vi.advanceTimersByTimeAsync(20);
    expect(sent.map((b) => b.map((e) => e.e))).toEqual([['open', 'close', 'open'], ['close']]);
  });

  it('flush() sends at once (a reply follows the events raised before it) and the timer then sends nothing twice', async () => {
    box.push(open(1));
    box.flush();
    expect(sent).toEqual([[open(1)]]);
    await vi.advanceTimersByTimeAsync(100);
    expect(sent).toHaveLength(1);
  });

  it('a failed listener is reported at the end of the turn, not after the window', async () => {
    box.push(open(1));
    box.push({ e: 'listener-error', lid: 1, error: { code: 'INTERNAL', message: 'x' } });
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.map((e) => e.e)).toEqual(['open', 'listener-error']);
  });

  it('a burst longer than one batch goes out without waiting for the window', async () => {
    for (let id = 1; id <= EVENT_BATCH_MAX; id++) box.push(open(id));
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toHaveLength(EVENT_BATCH_MAX);
  });
});
