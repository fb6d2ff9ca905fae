import { useTranslation } from 'react-i18next';
import { fmtTime } from '../i18n/format';
import { translateLogLine } from '../i18n/log-lines';
import { useRuleLogs } from './use-rule-logs';

function time(ts: number): string {
  return fmtTime(ts, { hour12: false, hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** The selected mapping's recent log lines, newest last. */
export function DetailLog({ id }: { id: string }) {
  const { t } = useTranslation();
  const { lines, error } = useRuleLogs(id);
  return (
    <section className="detail-section" aria-labelledby="detail-log">
      <h3 id="detail-log">{t('mappings.log.title')}</h3>
      {error && <p className="inline-error">{error}</p>}
      {lines.length === 0 && !error ? (
        <p className="muted detail-log-empty">{t('mappings.log.empty')}</p>
      ) : (
        <ol className="detail-log" data-testid="detail-log" tabIndex={0} aria-label={t('mappings.log.aria')}>
          {lines.map((l) => (
            <li key={`${l.seq}-${l.ts}`} className={`level-${l.level}`} data-level={l.level}>
              <time dateTime={new Date(l.ts).toISOString()}>{time(l.ts)}</time>
              <span className="log-level">{t(`mappings.log.level.${l.level}`)}</span>
              <span className="log-msg">{translateLogLine(l)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
