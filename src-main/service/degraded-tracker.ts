import { DEGRADED_AFTER, type RuleDegraded, type RuleProblem, type RuleStatus } from '../../src-shared/model/status';

// "Degraded" (issue 18): a rule that listens but whose target refuses (or never answers) connection
// after connection is not "running" in any sense a person cares about. The runner already reports each
// per-connection failure as a new `lastConnectionError` on its status, and a connection the target
// answered by clearing it; this folds those status updates into a count of failures in a row, without
// reaching into the runner or the data plane. Degraded after DEGRADED_AFTER failures in a row; running
// again after one success; forgotten whenever the rule leaves `running` (a new start counts afresh).

interface Track {
  /** The running period being counted (its status.since). */
  since: number;
  failures: number;
  lastError: RuleProblem | undefined;
  degraded: RuleDegraded | undefined;
}

export type DegradedChange = 'degraded' | 'recovered';

export class DegradedTracker {
  private readonly tracks = new Map<string, Track>();

  constructor(private readonly after = DEGRADED_AFTER) {}

  /** Takes one status the runner emitted; returns it as shown (with `degraded` while it is) and what changed. */
  observe(status: RuleStatus, now = Date.now()): { status: RuleStatus; change?: DegradedChange } {
    if (status.state !== 'running') {
      this.tracks.delete(status.id);
      return { status };
    }
    let t = this.tracks.get(status.id);
    if (!t || t.since !== status.since) {
      t = { since: status.since, failures: 0, lastError: undefined, degraded: undefined };
      this.tracks.set(status.id, t);
    }
    let change: DegradedChange | undefined;
    const err = status.lastConnectionError;
    if (err && err !== t.lastError) {
      // A new failure: the runner makes a new problem object for each one.
      t.failures++;
      t.lastError = err;
      if (t.degraded) t.degraded = { ...t.degraded, failures: t.failures, error: err };
      else if (t.failures >= this.after) {
        t.degraded = { failures: t.failures, since: now, error: err };
        change = 'degraded';
      }
    } else if (!err && t.lastError) {
      // The runner clears the error when the target answered a connection.
      if (t.degraded) change = 'recovered';
      t.failures = 0;
      t.lastError = undefined;
      t.degraded = undefined;
    }
    return { status: this.decorate(status), ...(change ? { change } : {}) };
  }

  /** The status with `degraded` while the rule is, without counting anything (snapshots, router updates). */
  decorate(status: RuleStatus): RuleStatus {
    const t = this.tracks.get(status.id);
    if (status.state !== 'running' || !t?.degraded || t.since !== status.since) {
      if (!status.degraded) return status;
      const { degraded: _dropped, ...rest } = status;
      return rest;
    }
    return { ...status, degraded: t.degraded };
  }

  forget(id: string): void {
    this.tracks.delete(id);
  }
}
