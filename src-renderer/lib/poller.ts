/**
 * Calls `task` now and then `intervalMs` after each call settles — never two at once — while
 * started. Results (and errors) of a call that settles after stop() are dropped.
 */
export interface Poller {
  start(): void;
  stop(): void;
  readonly running: boolean;
}

export interface PollerOptions<T> {
  task: () => Promise<T>;
  onResult: (value: T) => void;
  onError?: (err: unknown) => void;
  intervalMs: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export function createPoller<T>(opts: PollerOptions<T>): Poller {
  const setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  let running = false;
  let inFlight = false;
  let timer: unknown = null;
  /** Bumped by stop(): a call from an earlier run must not deliver into a later one. */
  let generation = 0;
  /** start() came while a stale call was in flight: poll as soon as it settles. */
  let pollWhenSettled = false;

  function schedule(): void {
    if (running && !inFlight && timer === null) timer = setTimer(tick, opts.intervalMs);
  }

  function tick(): void {
    timer = null;
    if (!running || inFlight) return;
    inFlight = true;
    const gen = generation;
    let p: Promise<T>;
    try {
      p = opts.task();
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(
      (value) => {
        if (gen === generation) opts.onResult(value);
      },
      (err: unknown) => {
        if (gen === generation) opts.onError?.(err);
      },
    ).finally(() => {
      inFlight = false;
      if (pollWhenSettled) {
        pollWhenSettled = false;
        tick();
      } else schedule();
    });
  }

  return {
    get running() {
      return running;
    },
    start() {
      if (running) return;
      running = true;
      if (inFlight) pollWhenSettled = true;
      else tick();
    },
    stop() {
      if (!running) return;
      running = false;
      pollWhenSettled = false;
      generation++;
      if (timer !== null) clearTimer(timer);
      timer = null;
    },
  };
}
