import { useTranslation } from 'react-i18next';
import { translateError } from '../i18n/messages';
import { memo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { changedCertificate, relayStateLabel, RELAY_STATE_TONES, relayAddress } from '../forms/relay-describe';
import { retryLabel, usedByLabel } from '../forms/server-describe';
import { useNow } from '../lib/use-now';
import { openDialog, useApp } from '../store/app-store';
import { mappingsUsingRelay } from '../store/relays';
import { secondsUntil } from '../store/servers';
import { Fingerprint, FingerprintText } from './fingerprint';

/** One saved relay: address, agent name, TLS and pinned certificate, live state, which mappings use it. */
export const RelayRow = memo(function RelayRow({ id }: { id: string }) {
  const { t } = useTranslation();
  const entry = useApp((s) => s.relays.entries[id]);
  const users = useApp(useShallow((s) => mappingsUsingRelay(id, s.order, s.rules)));
  const retrying = entry?.state === 'retrying' && entry.nextRetryAt !== undefined;
  const now = useNow(retrying);
  if (!entry) return null;
  const { relay, state } = entry;
  const changed = changedCertificate(entry);
  const problem = state === 'failed' || state === 'retrying' || state === 'idle' ? entry.error : undefined;
  return (
    <li className={`row server-row relay-row row-${state}`} data-testid="relay-row" data-relay-name={relay.name} data-state={state}>
      <div className="row-main">
        <div className="row-title">
          <span className="row-name">{relay.name}</span>
          <span className={`pill pill-${RELAY_STATE_TONES[state]}`} data-testid="relay-state">
            <span className="pill-dot" aria-hidden="true" />
            {relayStateLabel(state)}
            {retrying && entry.nextRetryAt !== undefined && <span className="pill-extra"> · {retryLabel(secondsUntil(entry.nextRetryAt, now))}</span>}
          </span>
        </div>
        <div className="row-route">
          <code>{relayAddress(relay)}</code>
          <span className="route-text">{t('relays.agent')}</span>
          <span className="route-server">{relay.agentName}</span>
          <span className={relay.tls ? 'route-text' : 'route-text route-warn'}>· {relay.tls ? t('relays.tls') : t('relays.plainTcp')}</span>
          <span className="route-text">· {relay.hasToken ? t('relays.tokenStored') : t('relays.noToken')}</span>
          {relay.acceptAssigned && <span className="route-text">· {t('relays.assigned')}</span>}
        </div>
        {relay.tls && !changed && (
          <p className="relay-pin muted">
            {t('relays.certificate')}{' '}
            {relay.fingerprint ? (
              <code className="relay-pin-value" data-testid="relay-fingerprint">
                <FingerprintText value={relay.fingerprint} />
              </code>
            ) : (
              <span data-testid="relay-fingerprint-none">{t('relays.notPinned')}</span>
            )}
          </p>
        )}
        {changed ? (
          <div className="cert-changed" role="alert" data-testid="relay-cert-changed">
            <p className="cert-changed-title">{t('relays.changedTitle')}</p>
            <p className="cert-changed-text">
              {t('relays.changedText1', { address: relayAddress(relay) })} <code>porthole relay</code> {t('relays.changedText2')}
            </p>
            <Fingerprint label={t('relays.pinned')} value={changed.pinned} testId="relay-cert-pinned" />
            <Fingerprint label={t('relays.presentedNow')} value={changed.seen} testId="relay-cert-seen" />
            <button type="button" className="btn btn-danger" onClick={() => openDialog({ kind: 'relay-trust', id, fingerprint: changed.seen })}>
              {t('relays.trustNew')}
            </button>
          </div>
        ) : (
          problem && (
            <p className="row-problem" role="status" data-testid="relay-problem">
              {translateError(problem)}
            </p>
          )
        )}
        <p className="server-used muted" data-testid="relay-used-by">
          {usedByLabel(users)}
        </p>
      </div>
      <div className="row-actions">
        <button type="button" className="btn btn-ghost" aria-label={t('relays.editAria', { name: relay.name })} onClick={() => openDialog({ kind: 'relay-edit', id })}>
          {t('common.edit')}
        </button>
        <button type="button" className="btn btn-ghost btn-danger" aria-label={t('relays.deleteAria', { name: relay.name })} onClick={() => openDialog({ kind: 'relay-delete', id })}>
          {t('common.delete')}
        </button>
      </div>
    </li>
  );
});
