import type { RuleErrorCode } from './errors';
import type { RouterMappingStatus } from './router';

/**
 * Per-rule state machine: stopped → starting → running → (retrying ⇄ starting) | failed.
 * A rule the user stopped is never revived by reconnect logic.
 */
export const RULE_STATES = ['stopped', 'starting', 'running', 'retrying', 'failed'] as const;
export type RuleState = (typeof RULE_STATES)[number];

export interface RuleProblem {
  code: RuleErrorCode;
  message: string;
  /** Epoch ms. */
  at: number;
}

export interface RuleStatus {
  id: string;
  state: RuleState;
  /** Epoch ms of the last transition. */
  since: number;
  /** Why the rule is failed or retrying. */
  error?: RuleProblem;
  /** The last per-connection failure while running (e.g. the target refused one connection). */
  lastConnectionError?: RuleProblem;
  /** Epoch ms of the next attempt while retrying. */
  nextRetryAt?: number;
  /** The address actually bound while running, e.g. `127.0.0.1:8080`. */
  boundAddress?: string;
  /** "Open on router": what the home router granted (or why not), while the rule runs with it on. */
  router?: RouterMappingStatus;
  /** Running, but its last connections to the target all failed (set only while `running`). */
  degraded?: RuleDegraded;
}

/** Connections in a row that must fail before a running rule counts as degraded. */
export const DEGRADED_AFTER = 3;

export interface RuleDegraded {
  /** Failed connections in a row (at least DEGRADED_AFTER). */
  failures: number;
  /** Epoch ms of the failure that made it degraded. */
  since: number;
  /** The latest failure: the reason shown. */
  error: RuleProblem;
}

/** What the UI and the tray show: the state, with `degraded` between running and failed. */
export type ShownState = RuleState | 'degraded';

export function shownState(status: RuleStatus): ShownState {
  return status.state === 'running' && status.degraded ? 'degraded' : status.state;
}

/**
 * Whether a mapping's on/off switch (UI and tray) shows "on": enabled and not failed. A failed mapping
 * is not on, whatever it was asked to be; switching it on again is how to try again (issue 18).
 */
export function switchShowsOn(enabled: boolean, status: Pick<RuleStatus, 'state'>): boolean {
  return enabled && status.state !== 'failed';
}

export const ALLOWED_TRANSITIONS: Record<RuleState, readonly RuleState[]> = {
  stopped: ['starting'],
  starting: ['running', 'retrying', 'failed', 'stopped'],
  running: ['retrying', 'failed', 'stopped'],
  retrying: ['starting', 'stopped', 'failed'],
  failed: ['starting', 'stopped'],
};
