import { useTranslation } from 'react-i18next';
import type { RuleState, RuleStatus } from '../../src-shared/model/status';
import { fmtTime } from '../i18n/format';
import { t as tt } from '../i18n/i18n';
import { translateMessage } from '../i18n/messages';

const TONES: Record<RuleState, string> = {
  stopped: 'grey',
  starting: 'amber',
  running: 'green',
  retrying: 'amber',
  failed: 'red',
};

/** The pill's tooltip: the error (with its code) of a failed or retrying rule, the next attempt, or the bound address. */
export function statusTitle(status: RuleStatus): string | undefined {
  const retryAt = status.state === 'retrying' && status.nextRetryAt ? tt('mappings.status.nextAttemptAt', { time: fmtTime(status.nextRetryAt) }) : null;
  const error = (status.state === 'failed' || status.state === 'retrying') && status.error ? `${translateMessage(status.error.message)} [${status.error.code}]` : null;
  if (error) return retryAt ? `${error}\n${retryAt}` : error;
  if (retryAt) return retryAt;
  return status.boundAddress ? tt('mappings.status.boundTo', { address: status.boundAddress }) : undefined;
}

export function StatusPill({ status }: { status: RuleStatus }) {
  const { t } = useTranslation();
  return (
    <span className={`pill pill-${TONES[status.state]}`} data-testid="status" title={statusTitle(status)}>
      <span className="pill-dot" aria-hidden="true" />
      {t(`mappings.state.${status.state}`)}
    </span>
  );
}

export function stateLabel(state: RuleState): string {
  return tt(`mappings.state.${state}`);
}
