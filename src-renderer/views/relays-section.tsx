import { useTranslation } from 'react-i18next';
import { openDialog, useApp } from '../store/app-store';
import { RelayRow } from './relay-row';

/** Saved relays that relay-expose mappings go through (this machine is their agent). */
export function RelaysSection() {
  const { t } = useTranslation();
  const order = useApp((s) => s.relays.order);
  const loaded = useApp((s) => s.relays.loaded);
  const error = useApp((s) => s.relays.error);
  const newButton = (
    <button type="button" className="btn btn-primary" onClick={() => openDialog({ kind: 'relay-create' })}>
      {t('relays.newRelay')}
    </button>
  );
  return (
    <section className="servers-section relays-section" aria-labelledby="relays-title">
      <div className="servers-toolbar">
        <h2 id="relays-title">{t('relays.title')}</h2>
        {order.length > 0 && newButton}
      </div>
      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
      {!loaded && !error && <p className="placeholder">{t('relays.loading')}</p>}
      {loaded && order.length === 0 && (
        <div className="empty empty-compact" data-testid="relays-empty">
          <h3>{t('relays.emptyTitle')}</h3>
          <p>
            {t('relays.emptyText1')} <code>porthole relay</code> {t('relays.emptyText2')}
          </p>
          {newButton}
        </div>
      )}
      {order.length > 0 && (
        <ul className="rows" aria-label={t('relays.title')}>
          {order.map((id) => (
            <RelayRow key={id} id={id} />
          ))}
        </ul>
      )}
    </section>
  );
}
