import { useTranslation } from 'react-i18next';
import type { LogRing } from '../lib/log-ring';
import { clockTime, ruleLabel } from '../store/log-export';

/**
 * The folded log panel's one line: the newest line (any level) with its time and mapping, and how many
 * warnings and errors are kept, so a folded panel still says when something went wrong.
 */
export function LogStrip({ ring, names }: { ring: LogRing; names: Readonly<Record<string, string>> }) {
  const { t } = useTranslation();
  const last = ring.size > 0 ? ring.endId - 1 : -1;
  const [, , warn = 0, error = 0] = ring.levelCounts();
  if (last < 0) return <span className="log-strip muted">{t('logs.panel.empty')}</span>;
  const rule = ruleLabel(ring.ruleOf(last), names, ring.ruleNameOf(last));
  const level = ring.levelOf(last);
  return (
    <span className="log-strip" data-testid="log-strip">
      {error > 0 && <span className="log-strip-count level-error">{t('logs.panel.errors', { count: error })}</span>}
      {warn > 0 && <span className="log-strip-count level-warn">{t('logs.panel.warnings', { count: warn })}</span>}
      <span className={`log-strip-line level-${level}`} data-testid="log-strip-line">
        <time>{clockTime(ring.tsOf(last))}</time> {rule && <span className="log-strip-rule">{rule}</span>} <span className="log-msg">{ring.messageOf(last)}</span>
      </span>
    </span>
  );
}
