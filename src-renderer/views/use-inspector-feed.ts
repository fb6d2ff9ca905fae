import { useEffect } from 'react';
import type { InspectorEvent } from '../../src-shared/model/inspector';
import { useActions } from '../api/api-context';
import { t } from '../i18n/i18n';
import { translateMessage } from '../i18n/messages';
import { useApp } from '../store/app-store';
import { applyEvent, applyList, CLIENT_MAX, inspectorStore } from '../store/inspector';

/**
 * Follows the host's recorded exchanges while the Inspector is shown: the `inspector` event first (held
 * until the list answers, so nothing announced meanwhile is lost), then the list; again after the
 * browser-mode socket reconnects (events sent while it was down are gone).
 */
export function useInspectorFeed(): void {
  const actions = useActions();
  const connection = useApp((s) => s.connection);
  const online = connection === 'open' || connection === 'local';
  useEffect(() => {
    if (!online) return;
    let held: InspectorEvent[] | undefined = [];
    let disposed = false;
    const off = actions.inspector.onEvent((e) => {
      if (held) held.push(e);
      else inspectorStore.setState((s) => applyEvent(s, e));
    });
    actions.inspector.list({ limit: CLIENT_MAX }).then(
      (list) => {
        if (disposed) return;
        const pending = held ?? [];
        held = undefined;
        inspectorStore.setState((s) => pending.reduce(applyEvent, applyList(s, list)));
      },
      (err: unknown) => {
        if (disposed) return;
        held = undefined;
        inspectorStore.setState({ loaded: true, error: t('inspector.loadFailed', { error: translateMessage(err instanceof Error ? err.message : String(err)) }) });
      },
    );
    return () => {
      disposed = true;
      off();
    };
  }, [actions, online]);
}
