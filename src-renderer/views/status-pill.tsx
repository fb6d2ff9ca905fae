import type { RuleState, RuleStatus } from '../../src-shared/model/status';

const LABELS: Record<RuleState, string> = {
  stopped: 'Stopped',
  starting: 'Starting',
  running: 'Running',
  retrying: 'Retrying',
  failed: 'Failed',
};

const TONES: Record<RuleState, string> = {
  stopped: 'grey',
  starting: 'amber',
  running: 'green',
  retrying: 'amber',
  failed: 'red',
};

/** The pill's tooltip: the error (with its code) of a failed or retrying rule, the next attempt, or the bound address. */
export function statusTitle(status: RuleStatus): string | undefined {
  const retryAt = status.state === 'retrying' && status.nextRetryAt ? `Next attempt at ${new Date(status.nextRetryAt).toLocaleTimeString()}` : null;
  const error = (status.state === 'failed' || status.state === 'retrying') && status.error ? `${status.error.message} [${status.error.code}]` : null;
  if (error) return retryAt ? `${error}\n${retryAt}` : error;
  if (retryAt) return retryAt;
  return status.boundAddress ? `Bound to ${status.boundAddress}` : undefined;
}

export function StatusPill({ status }: { status: RuleStatus }) {
  return (
    <span className={`pill pill-${TONES[status.state]}`} data-testid="status" title={statusTitle(status)}>
      <span className="pill-dot" aria-hidden="true" />
      {LABELS[status.state]}
    </span>
  );
}

export function stateLabel(state: RuleState): string {
  return LABELS[state];
}
