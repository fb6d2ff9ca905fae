import { useTranslation } from 'react-i18next';
import { translateMessage } from '../i18n/messages';
import { useState } from 'react';
import type { RelayEntry } from '../../src-shared/model/relay';
import { useActions } from '../api/api-context';
import { Modal } from '../components/modal';
import { relayAddress } from '../forms/relay-describe';
import { closeDialog } from '../store/app-store';
import { Fingerprint } from './fingerprint';

/** The last question before pinning a changed relay certificate: Cancel is the default. */
export function RelayTrustDialog({ entry, fingerprint }: { entry: RelayEntry; fingerprint: string }) {
  const { t } = useTranslation();
  const actions = useActions();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { relay } = entry;

  async function trust(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await actions.trustRelay(relay.id, fingerprint);
      closeDialog();
    } catch (err) {
      setError(t('relayTrust.couldNotTrust', { error: translateMessage(err instanceof Error ? err.message : String(err)) }));
      setBusy(false);
    }
  }

  return (
    <Modal labelledBy="relay-trust-title" describedBy="relay-trust-desc" onClose={closeDialog} role="alertdialog" className="hostkey-dialog hostkey-changed">
      <h2 id="relay-trust-title">{t('relayTrust.title', { name: relay.name })}</h2>
      <p id="relay-trust-desc" className="dialog-lead">
        {t('relayTrust.lead', { address: relayAddress(relay) })}
      </p>
      {relay.fingerprint && <Fingerprint label={t('relayTrust.pinnedUntilNow')} value={relay.fingerprint} testId="relay-trust-old" />}
      <Fingerprint label={t('relayTrust.newCertificate')} value={fingerprint} testId="relay-trust-new" />
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={closeDialog} autoFocus>
          {t('common.cancel')}
        </button>
        <button type="button" className="btn btn-danger-solid" onClick={() => void trust()} disabled={busy}>
          {t('relayTrust.trust')}
        </button>
      </div>
    </Modal>
  );
}
