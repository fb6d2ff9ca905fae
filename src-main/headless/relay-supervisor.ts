import { formatHostPort } from '../../src-shared/format/address';
import type { RelayHost, RelayWorkerStoppedError } from '../relay/relay-host';

// `porthole relay` keeps its relay thread up: when the thread dies (a crash, out of memory), the
// relay restarts it after a short wait and agents reconnect by themselves (they retry with backoff),
// so a headless relay on a VPS heals without a supervisor. Restarting in-process rather than exiting
// keeps that true for people who start it by hand or in tmux; a relay that keeps dying (maxCrashes
// within windowMs) or cannot listen again exits non-zero instead, so a supervisor (systemd) takes over
// and nobody sees a relay that is up but useless.

export interface SupervisorOptions {
  log(level: 'info' | 'warn' | 'error', line: string): void;
  /** Waits before restart n (1-based): delays[n-1], the last one repeated. */
  delaysMs?: number[];
  maxCrashes?: number;
  windowMs?: number;
}

export interface Supervisor {
  /** Settles with the reason when the relay is given up on (to exit non-zero); never while it runs. */
  fatal: Promise<string>;
  /** Stops watching (before a deliberate stop). */
  dispose(): void;
  /** Restarts done so far (tests). */
  readonly restarts: number;
}

export function superviseRelay(relay: RelayHost, opts: SupervisorOptions): Supervisor {
  const delays = opts.delaysMs ?? [1000, 2000, 5000, 10_000];
  const maxCrashes = opts.maxCrashes ?? 5;
  const windowMs = opts.windowMs ?? 5 * 60_000;
  let crashes: number[] = [];
  let disposed = false;
  let timer: NodeJS.Timeout | undefined;
  let giveUp: (why: string) => void = () => undefined;
  const fatal = new Promise<string>((resolve) => (giveUp = resolve));
  const state = { restarts: 0 };

  const onFailed = (err: RelayWorkerStoppedError): void => {
    if (disposed) return;
    const now = Date.now();
    crashes = [...crashes.filter((at) => now - at < windowMs), now];
    if (crashes.length >= maxCrashes) {
      giveUp(`${err.message}. It stopped ${crashes.length} times within ${Math.round(windowMs / 60_000)} min, so it is not restarted again — look for errors above, then start porthole relay again`);
      return;
    }
    const wait = delays[Math.min(crashes.length, delays.length) - 1]!;
    opts.log('error', `${err.message} — restarting it in ${wait / 1000} s (agents reconnect by themselves)`);
    timer = setTimeout(() => {
      if (disposed) return;
      relay.start().then(
        (bound) => {
          state.restarts++;
          opts.log('info', `relay restarted, listening on ${formatHostPort(bound.host, bound.port)} again`);
        },
        (e: Error) => giveUp(`the relay could not be restarted after its thread stopped: ${e.message}`),
      );
    }, wait);
  };
  relay.on('failed', onFailed);
  return {
    fatal,
    get restarts() {
      return state.restarts;
    },
    dispose() {
      disposed = true;
      clearTimeout(timer);
      relay.off('failed', onFailed);
    },
  };
}
