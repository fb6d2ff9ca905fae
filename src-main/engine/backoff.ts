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
