import { useCallback } from 'react';
import { useActions } from '../api/api-context';
import { duplicateDraft } from '../forms/duplicate-rule';
import { appStore, showNotice } from '../store/app-store';
import { selectMapping } from './mapping-focus';

/** Duplicates a mapping (switched off, next free port), selects the copy and says what it did. */
export function useDuplicate(): (id: string) => Promise<void> {
  const actions = useActions();
  return useCallback(
    async (id: string) => {
      const rules = appStore.getState().rules;
      const rule = rules[id];
      if (!rule) return;
      const { draft, port, passwordDropped } = duplicateDraft(rule, Object.values(rules));
      try {
        const entry = await actions.create(draft);
        selectMapping(entry.rule.id, true);
        const where = port !== undefined ? ` listening on port ${port}` : '';
        const secret = passwordDropped ? ' Its SOCKS password was not copied: set one in the editor.' : '';
        showNotice({ kind: 'info', text: `Duplicated “${rule.name}” as “${entry.rule.name}”${where}. It is switched off — edit it, then switch it on.${secret}` });
      } catch (err) {
        showNotice({ kind: 'error', text: `Could not duplicate “${rule.name}”: ${err instanceof Error ? err.message : String(err)}` });
      }
    },
    [actions],
  );
}
