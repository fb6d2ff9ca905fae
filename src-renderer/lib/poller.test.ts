import { describe, expect, it } from 'vitest';
import { createPoller } from './poller';

function setup() {
  const timers: { fn: () => void; ms: number; cleared: boolean }[] = [];
  const calls: { resolve: (v: number) => void; reject: (e: Error) => void }[] = [];
  const results: number[] = [];
  const errors: unknown[] = [];
  const poller = createPoller<number>({
    task: () => new Promise<number>((resolve, reject) => calls.push({ resolve, reject })),
    onResult: (v) => results.push(v),
    onError: (e) => errors.push(e),
    intervalMs: 1000,
    setTimer: (fn, ms) => {
      const t = { fn, ms, cleared: false };
      timers.push(t);
      return t;
    },
    clearTimer: (h) => {
      (h as { cleared: boolean }).cleared = true;
    },
  });
  const flush = () => new Promise<void>((r) => setTimeout(r, 0));
  const live = () => timers.filter((t) => !t.cleared);
  return { poller, timers, calls, results, errors, flush, live };
}

describe('createPoller', () => {
  it('polls at once, then one interval after each call settles, never overlapping', async () => {
    const { poller, calls, results, timers, flush } = setup();
    poller.start();
    expect(calls).toHaveLength(1);
    expect(timers).toHaveLength(0);
    calls[0]?.resolve(1);
    await flush();
    expect(results).toEqual([1]);
    expect(timers.map((t) => t.ms)).toEqual([1000]);
    timers[0]?.fn();
    expect(calls).toHaveLength(2);
    // A slow call: no timer is armed until it settles.
    await flush();
    expect(timers).toHaveLength(1);
    calls[1]?.resolve(2);
    await flush();
    expect(results).toEqual([1, 2]);
    expect(timers).toHaveLength(2);
  });

  it('reports errors and keeps polling', async () => {
    const { poller, calls, errors, timers, flush } = setup();
    poller.start();
    calls[0]?.reject(new Error('down'));
    await flush();
    expect(errors).toHaveLength(1);
    expect(timers).toHaveLength(1);
  });

  it('stops: cancels the timer and drops the result of a call in flight', async () => {
    const { poller, calls, results, flush, live } = setup();
    poller.start();
    calls[0]?.resolve(1);
    await flush();
    poller.stop();
    expect(live()).toHaveLength(0);
    expect(poller.running).toBe(false);

    poller.start();
    expect(calls).toHaveLength(2);
    poller.stop();
    calls[1]?.resolve(2);
    await flush();
    expect(results).toEqual([1]);
    expect(live()).toHaveLength(0);
  });

  it('restarted while a stale call is in flight, polls again as soon as it settles (still one at a time)', async () => {
    const { poller, calls, results, flush } = setup();
    poller.start();
    poller.stop();
    poller.start();
    expect(calls).toHaveLength(1);
    calls[0]?.resolve(1);
    await flush();
    expect(results).toEqual([]);
    expect(calls).toHaveLength(2);
    calls[1]?.resolve(2);
    await flush();
    expect(results).toEqual([2]);
  });
});
