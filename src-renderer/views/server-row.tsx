import { useTranslation } from 'react-i18next';
import { translateError } from '../i18n/messages';
import { memo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { authLabel, retryLabel, serverAddress, sessionLabel, SESSION_TONES, usedByLabel } from '../forms/server-describe';
import { useNow } from '../lib/use-now';
import { openDialog, useApp } from '../store/app-store';
import { mappingsUsing, secondsUntil } from '../store/servers';

/** One saved SSH server: address, auth, jump chain, live state and which mappings use it. */
export const ServerRow = memo(function ServerRow({ id }: { id: string }) {
  const { t } = useTranslation();
  const entry = useApp((s) => s.servers.entries[id]);
  const entries = useApp((s) => s.servers.entries);
  const users = useApp(useShallow((s) => mappingsUsing(id, s.order, s.rules)));
  const retrying = entry?.state === 'retrying' && entry.nextRetryAt !== undefined;
  const now = useNow(retrying);
  if (!entry) return null;
  const { server, state } = entry;
  const jump = server.jump.map((j) => entries[j]?.server.name ?? j);
  return (
    <li className={`row server-row row-${state}`} data-testid="server-row" data-server-name={server.name} data-state={state}>
      <div className="row-main">
        <div className="row-title">
          <span className="row-name">{server.name}</span>
          <span className={`pill pill-${SESSION_TONES[state]}`} data-testid="server-state">
            <span className="pill-dot" aria-hidden="true" />
            {sessionLabel(state)}
            {retrying && entry.nextRetryAt !== undefined && <span className="pill-extra"> · {retryLabel(secondsUntil(entry.nextRetryAt, now))}</span>}
          </span>
        </div>
        <div className="row-route">
          <code>{serverAddress(server)}</code>
          <span className="route-text">· {authLabel(server.auth)}</span>
          {jump.length > 0 && <span className="route-text">· {t('servers.via', { hops: jump.join(' → ') })}</span>}
        </div>
        {(state === 'failed' || state === 'retrying' || state === 'idle') && entry.error && (
          <p className="row-problem" role="status">
            {translateError(entry.error)}
          </p>
        )}
        <p className="server-used muted" data-testid="server-used-by">
          {usedByLabel(users)}
        </p>
      </div>
      <div className="row-actions">
        <button type="button" className="btn btn-ghost" aria-label={t('servers.editAria', { name: server.name })} onClick={() => openDialog({ kind: 'server-edit', id })}>
          {t('common.edit')}
        </button>
        <button
          type="button"
          className="btn btn-ghost btn-danger"
          aria-label={t('servers.deleteAria', { name: server.name })}
          onClick={() => openDialog({ kind: 'server-delete', id })}
        >
          {t('common.delete')}
        </button>
      </div>
    </li>
  );
});
