import type { PowerMonitor } from 'electron';

// After sleep, or when the network comes back, waiting SSH sessions should try again now rather than
// at their next backoff step (which may be minutes away). Electron's main process has no network-change
// event, so net.isOnline() is polled. Only electron types here: main.ts passes powerMonitor and net in.

export interface Reconnector {
  /** Asks every live SSH session to reconnect now (the core's hook). */
  reconnectAll(): unknown;
}

export interface PowerEventsOptions {
  target: Reconnector;
  monitor: Pick<PowerMonitor, 'on' | 'removeListener'>;
  isOnline: () => boolean;
  pollMs?: number;
  /** resume and unlock-screen often arrive together: one reconnect per this window. */
  coalesceMs?: number;
  now?: () => number;
  onTrigger?: (why: 'resume' | 'unlock-screen' | 'online') => void;
}

/** Wires the triggers; returns the function that unwires them (call it on quit). */
export function installPowerEvents(opts: PowerEventsOptions): () => void {
  const now = opts.now ?? Date.now;
  const coalesceMs = opts.coalesceMs ?? 2_000;
  let lastAt = -Infinity;
  const trigger = (why: 'resume' | 'unlock-screen' | 'online'): void => {
    const t = now();
    if (t - lastAt < coalesceMs) return;
    lastAt = t;
    opts.onTrigger?.(why);
    try {
      opts.target.reconnectAll();
    } catch (err) {
      console.warn(`Porthole: reconnect after ${why} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const onResume = (): void => trigger('resume');
  const onUnlock = (): void => trigger('unlock-screen');
  opts.monitor.on('resume', onResume);
  opts.monitor.on('unlock-screen', onUnlock);

  let online = safeOnline(opts.isOnline);
  const timer = setInterval(() => {
    const next = safeOnline(opts.isOnline);
    if (next && !online) trigger('online');
    online = next;
  }, opts.pollMs ?? 15_000);
  timer.unref();

  return () => {
    clearInterval(timer);
    opts.monitor.removeListener('resume', onResume);
    opts.monitor.removeListener('unlock-screen', onUnlock);
  };
}

/** A probe that throws counts as online: better one needless reconnect than a missed one. */
function safeOnline(isOnline: () => boolean): boolean {
  try {
    return isOnline();
  } catch {
    return true;
  }
}
