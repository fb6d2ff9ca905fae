import { useTranslation } from 'react-i18next';
import { openDialog, useApp } from '../store/app-store';
import { RelaysSection } from './relays-section';
import { ServerRow } from './server-row';

/** The saved SSH servers that SSH mappings go through. */
function SshServersSection() {
  const { t } = useTranslation();
  const order = useApp((s) => s.servers.order);
  const loaded = useApp((s) => s.servers.loaded);
  const error = useApp((s) => s.servers.error);
  const newButton = (
    <button type="button" className="btn btn-primary" onClick={() => openDialog({ kind: 'server-create' })}>
      {t('servers.newServer')}
    </button>
  );
  return (
    <section className="servers-section" aria-labelledby="servers-title">
      <div className="servers-toolbar">
        <h2 id="servers-title">{t('servers.title')}</h2>
        {order.length > 0 && newButton}
      </div>
      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
      {!loaded && !error && <p className="placeholder">{t('servers.loading')}</p>}
      {loaded && order.length === 0 && (
        <div className="empty empty-compact" data-testid="servers-empty">
          <h3>{t('servers.emptyTitle')}</h3>
          <p>{t('servers.emptyText')}</p>
          {newButton}
        </div>
      )}
      {order.length > 0 && (
        <ul className="rows" aria-label={t('servers.title')}>
          {order.map((id) => (
            <ServerRow key={id} id={id} />
          ))}
        </ul>
      )}
    </section>
  );
}

/** Saved SSH servers and relays: the far ends that mappings go through. */
export function ServersView() {
  return (
    <div className="servers">
      <SshServersSection />
      <RelaysSection />
    </div>
  );
}
