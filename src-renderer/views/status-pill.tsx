import { useTranslation } from 'react-i18next';
import { type ShownState, type RuleStatus, shownState } from '../../src-shared/model/status';
import { fmtTime } from '../i18n/format';
import { t as tt } from '../i18n/i18n';
import { translateError } from '../i18n/messages';

const TONES: Record<ShownState, string> = {
  stopped: 'grey',
  starting: 'amber',
  running: 'green',
  degraded: 'amber',
  retrying: 'amber',
  failed: 'red',
};

/** The pill's tooltip: the error (with its code) of a failed or retrying rule, the next attempt, or the bound address. */
export function statusTitle(status: RuleStatus): string | undefined {
  const retryAt = status.state === 'retrying' && status.nextRetryAt ? tt('mappings.status.nextAttemptAt', { time: fmtTime(status.nextRetryAt) }) : null;
  const problem = status.state === 'failed' || status.state === 'retrying' ? status.error : status.state === 'running' ? status.degraded?.error : undefined;
  const error = problem ? `${translateError(problem)} [${problem.code}]` : null;
  if (error) return retryAt ? `${error}\n${retryAt}` : error;
  if (retryAt) return retryAt;
  return status.boundAddress ? tt('mappings.status.boundTo', { address: status.boundAddress }) : undefined;
}

export function StatusPill({ status }: { status: RuleStatus }) {
  const { t } = useTranslation();
  const shown = shownState(status);
  return (
    <span className={`pill pill-${TONES[shown]}`} data-testid="status" data-shown-state={shown} title={statusTitle(status)}>
      <span className="pill-dot" aria-hidden="true" />
      {t(`mappings.state.${shown}`)}
    </span>
  );
}

export function stateLabel(state: ShownState): string {
  return tt(`mappings.state.${state}`);
}
