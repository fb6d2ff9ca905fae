import { useTranslation } from 'react-i18next';
import type { Rule } from '../../src-shared/model/rule';
import { type RuleStatus, switchShowsOn } from '../../src-shared/model/status';
import { useActions } from '../api/api-context';
import { Switch } from '../components/switch';

/**
 * A mapping's on/off switch. A failed mapping shows off beside its red "Failed" (it is not on, whatever
 * it was asked to be); switching it on tries again (issue 18). The tray does the same (tray-model.ts).
 */
export function RuleSwitch({ rule, status }: { rule: Rule; status: RuleStatus }) {
  const { t } = useTranslation();
  const actions = useActions();
  const failed = rule.enabled && status.state === 'failed';
  return (
    <Switch
      checked={switchShowsOn(rule.enabled, status)}
      label={t('mappings.row.enable', { name: rule.name })}
      title={failed ? t('mappings.row.retryFailed') : undefined}
      onChange={(on) => void actions.setEnabled(rule.id, on)}
    />
  );
}
