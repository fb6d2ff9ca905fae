import { useTranslation } from 'react-i18next';
import { openDialog, useApp } from '../store/app-store';
import { RelayRow } from './relay-row';
import { SavedSection } from './saved-section';

/** Saved relays that relay-expose mappings go through (this machine is their agent). */
export function RelaysSection() {
  const { t } = useTranslation();
  const order = useApp((s) => s.relays.order);
  const loaded = useApp((s) => s.relays.loaded);
  const error = useApp((s) => s.relays.error);
  return (
    <SavedSection
      id="relays"
      className="relays-section"
      title={t('relays.title')}
      newLabel={t('relays.newRelay')}
      onNew={() => openDialog({ kind: 'relay-create' })}
      loaded={loaded}
      error={error}
      loadingText={t('relays.loading')}
      emptyTitle={t('relays.emptyTitle')}
      emptyText={
        <>
          {t('relays.emptyText1')} <code>porthole relay</code> {t('relays.emptyText2')}
        </>
      }
      rows={order.map((id) => (
        <RelayRow key={id} id={id} />
      ))}
    />
  );
}
