import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConnectionRow } from '../../src-shared/model/connection';
import { useActions } from '../api/api-context';
import { t } from '../i18n/i18n';
import { translateMessage } from '../i18n/messages';
import { createPoller } from '../lib/poller';
import { connectionKey, pruneHidden } from '../store/connections';

/** The host pushes `connections` every stats tick while watched; this slower loop re-asks to watch
 * (the socket may have reconnected since) and resyncs the list. */
export const CONNECTIONS_RESYNC_MS = 5000;

export interface ConnectionsData {
  /** Rows of the last poll, minus those being closed. */
  rows: ConnectionRow[];
  /** When the last poll answered (epoch ms): the "Since" column is measured from it. */
  at: number;
  loaded: boolean;
  pollError: string | null;
  closeError: string | null;
  close(row: ConnectionRow): Promise<void>;
  dismissCloseError(): void;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Watches connections while the calling view is mounted and the page is visible (unwatched on
 * visibilitychange → hidden): rows arrive with the host's `connections` event each tick, plus a slow
 * resync. Closing hides the row at once and brings it back with an error if the host refuses.
 */
export function useConnections(): ConnectionsData {
  const actions = useActions();
  const [poll, setPoll] = useState<{ rows: ConnectionRow[]; at: number; loaded: boolean; error: string | null }>({
    rows: [],
    at: 0,
    loaded: false,
    error: null,
  });
  const [hidden, setHidden] = useState<ReadonlySet<string>>(() => new Set());
  const [closeError, setCloseError] = useState<string | null>(null);
  const pending = useRef(new Set<string>());

  useEffect(() => {
    const apply = (rows: ConnectionRow[]) => {
      setPoll({ rows, at: Date.now(), loaded: true, error: null });
      setHidden((h) => pruneHidden(h, rows, pending.current));
    };
    const off = actions.onConnections((rows) => {
      if (!document.hidden) apply(rows);
    });
    const poller = createPoller({
      task: async () => {
        await actions.watchConnections(true);
        return actions.listConnections();
      },
      intervalMs: CONNECTIONS_RESYNC_MS,
      onResult: apply,
      onError: (err) => setPoll((p) => ({ ...p, error: t('connections.refreshFailed', { error: translateMessage(message(err)) }) })),
    });
    const sync = () => {
      if (document.hidden) {
        poller.stop();
        void actions.watchConnections(false).catch(() => undefined);
      } else poller.start();
    };
    sync();
    document.addEventListener('visibilitychange', sync);
    return () => {
      document.removeEventListener('visibilitychange', sync);
      poller.stop();
      off();
      void actions.watchConnections(false).catch(() => undefined);
    };
  }, [actions]);

  const close = useCallback(
    async (row: ConnectionRow) => {
      const key = connectionKey(row);
      pending.current.add(key);
      setHidden((h) => new Set(h).add(key));
      setCloseError(null);
      try {
        await actions.closeConnection(row.ruleId, row.id);
      } catch (err) {
        setHidden((h) => {
          const next = new Set(h);
          next.delete(key);
          return next;
        });
        setCloseError(t('connections.closeFailed', { client: row.client, error: translateMessage(message(err)) }));
      } finally {
        pending.current.delete(key);
      }
    },
    [actions],
  );
  const dismissCloseError = useCallback(() => setCloseError(null), []);

  const rows = hidden.size === 0 ? poll.rows : poll.rows.filter((r) => !hidden.has(connectionKey(r)));
  return { rows, at: poll.at, loaded: poll.loaded, pollError: poll.error, closeError, close, dismissCloseError };
}
