export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** Each delay is varied by ±jitter (a fraction) so many clients do not reconnect in lockstep. */
  jitter?: number;
}

/** The delay before reconnect attempt number `failures` (0-based): initialMs doubling up to maxMs, jittered. */
export function backoffDelay(failures: number, opts: BackoffOptions = {}, random: () => number = Math.random): number {
  const { initialMs = 500, maxMs = 30_000, jitter = 0.2 } = opts;
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(failures, 30));
  return Math.max(0, Math.round(base * (1 + jitter * (2 * random() - 1))));
}

/**
 * The reconnect schedule of one connection (SSH session, relay agent): counts consecutive failures,
 * runs the next attempt after the matching backoff delay, and can be cancelled or reset.
 */
export class RetrySchedule {
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  /** When the scheduled attempt runs (epoch ms), if one is scheduled. */
  nextAt: number | undefined;

  constructor(private readonly opts: BackoffOptions = {}) {}

  /** Runs `attempt` after the next delay (growing with each failure since the last reset()). */
  schedule(attempt: () => void): void {
    this.cancel();
    const delay = backoffDelay(this.failures, this.opts);
    this.failures++;
    this.nextAt = Date.now() + delay;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.nextAt = undefined;
      attempt();
    }, delay);
  }

  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.nextAt = undefined;
  }

  /** A connection succeeded (or the person fixed something): the next failure waits the shortest delay. */
  reset(): void {
    this.failures = 0;
  }
}
