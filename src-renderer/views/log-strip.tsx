import { useTranslation } from 'react-i18next';
import type { LogLevel } from '../../src-shared/model/log';
import type { LogRing } from '../lib/log-ring';
import { useApp } from '../store/app-store';
import { clockTime, ruleLabel } from '../store/log-export';

/** How far back the strip looks for a line of a level the panel shows. */
const LOOK_BACK = 2000;

function newestShown(ring: LogRing, levels: Readonly<Record<LogLevel, boolean>>): number {
  for (let id = ring.endId - 1; id >= Math.max(ring.firstId, ring.endId - LOOK_BACK); id--) if (levels[ring.levelOf(id)]) return id;
  return -1;
}

/**
 * The folded log panel's one line: the newest line of a level the panel shows (debug is off by default)
 * with its time and mapping, and how many warnings and errors are kept, so a folded panel still says
 * when something went wrong.
 */
export function LogStrip({ ring, names }: { ring: LogRing; names: Readonly<Record<string, string>> }) {
  const { t } = useTranslation();
  const levels = useApp((s) => s.ui.logFilter.levels);
  const last = newestShown(ring, levels);
  const [, , warn = 0, error = 0] = ring.levelCounts();
  if (last < 0) return <span className="log-strip muted">{t('logs.panel.empty')}</span>;
  const rule = ruleLabel(ring.ruleOf(last), names, ring.ruleNameOf(last));
  const level = ring.levelOf(last);
  return (
    <span className="log-strip" data-testid="log-strip">
      {error > 0 && <span className="log-strip-count level-error">{t('logs.panel.errors', { count: error })}</span>}
      {warn > 0 && <span className="log-strip-count level-warn">{t('logs.panel.warnings', { count: warn })}</span>}
      <span className={`log-strip-line level-${level}`} data-testid="log-strip-line" data-level={level}>
        <time>{clockTime(ring.tsOf(last))}</time> {rule && <span className="log-strip-rule">{rule}</span>} <span className="log-msg">{ring.messageOf(last)}</span>
      </span>
    </span>
  );
}
