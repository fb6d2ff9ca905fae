import { useTranslation } from 'react-i18next';
import { openDialog, useApp } from '../store/app-store';
import { RelaysSection } from './relays-section';
import { SavedSection } from './saved-section';
import { ServerRow } from './server-row';

/** The saved SSH servers that SSH mappings go through. */
function SshServersSection() {
  const { t } = useTranslation();
  const order = useApp((s) => s.servers.order);
  const loaded = useApp((s) => s.servers.loaded);
  const error = useApp((s) => s.servers.error);
  return (
    <SavedSection
      id="servers"
      title={t('servers.title')}
      newLabel={t('servers.newServer')}
      onNew={() => openDialog({ kind: 'server-create' })}
      loaded={loaded}
      error={error}
      loadingText={t('servers.loading')}
      emptyTitle={t('servers.emptyTitle')}
      emptyText={t('servers.emptyText')}
      rows={order.map((id) => (
        <ServerRow key={id} id={id} />
      ))}
    />
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
