// A leading + trailing throttle for redraws: the first call runs at once, calls within the interval
// collapse into one run at its end, so a burst (a group of 40 rules starting) costs two redraws and
// the last state always gets drawn. No electron import: unit-tested with fake timers.

export interface Throttled {
  (): void;
  /** Runs a pending call now (e.g. before quitting). */
  flush(): void;
  /** Drops a pending call. */
  cancel(): void;
}

export function throttle(fn: () => void, intervalMs: number, now: () => number = Date.now): Throttled {
  let lastRun = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = (): void => {
    timer = undefined;
    lastRun = now();
    fn();
  };
  const call = (): void => {
    if (timer !== undefined) return;
    const wait = lastRun + intervalMs - now();
    if (wait <= 0) run();
    else timer = setTimeout(run, wait);
  };
  call.flush = (): void => {
    if (timer === undefined) return;
    clearTimeout(timer);
    run();
  };
  call.cancel = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return call;
}
