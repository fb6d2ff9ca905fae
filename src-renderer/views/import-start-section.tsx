import { useTranslation } from 'react-i18next';
import type { ImportItem } from '../../src-shared/model/import';

interface ImportStartSectionProps {
  /** False for an import from a porthole:// link: nothing of it may start. */
  canStart: boolean;
  start: boolean;
  onStart: (start: boolean) => void;
  /** The mappings the tick would switch on, with the choices made so far. */
  starting: ImportItem[];
}

/**
 * "Start after import": off by default, so an import adds mappings switched off. Ticked, it lists what
 * would start, each off-loopback listener marked; for a porthole:// link it stays off and says why.
 */
export function ImportStartSection({ canStart, start, onStart, starting }: ImportStartSectionProps) {
  const { t } = useTranslation();
  const enabled = canStart && (start || starting.length > 0);
  const note = !canStart ? t('importExport.start.link') : starting.length === 0 ? t('importExport.start.none') : t('importExport.start.hint');
  return (
    <section className="import-start" data-testid="import-start">
      <label className="checkbox">
        <input type="checkbox" checked={canStart && start} disabled={!enabled} aria-describedby="import-start-note" onChange={(e) => onStart(e.target.checked)} />
        {t('importExport.start.label')}
      </label>
      <p id="import-start-note" className="import-start-hint">
        {note}
      </p>
      {canStart && start && starting.length > 0 && (
        <>
          <p className="import-start-hint">{t('importExport.start.list', { count: starting.length })}</p>
          <ul className="import-start-list" data-testid="import-start-list">
            {starting.map((i) => (
              <li key={i.key} data-item-name={i.name}>
                {i.name} {i.listenAt && <code>{i.listenAt}</code>}
                {i.offLoopback && (
                  <span className="exposure-badge" title={t('importExport.item.offLoopbackTitle', { address: i.listenAt ?? '' })}>
                    <span aria-hidden="true">⚠ </span>
                    {t('importExport.item.offLoopback')}
                  </span>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
