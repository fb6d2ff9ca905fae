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

export function StatusPill({ status }: { status: RuleStatus }) {
  const retryAt = status.state === 'retrying' && status.nextRetryAt ? new Date(status.nextRetryAt).toLocaleTimeString() : null;
  return (
    <span
      className={`pill pill-${TONES[status.state]}`}
      data-testid="status"
      title={retryAt ? `Next attempt at ${retryAt}` : status.boundAddress ? `Bound to ${status.boundAddress}` : undefined}
    >
      <span className="pill-dot" aria-hidden="true" />
      {LABELS[status.state]}
    </span>
  );
}
