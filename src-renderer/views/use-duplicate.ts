import { useCallback } from 'react';
import { useActions } from '../api/api-context';
import { duplicateDraft } from '../forms/duplicate-rule';
import { t } from '../i18n/i18n';
import { translateMessage } from '../i18n/messages';
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
        const names = { name: rule.name, copy: entry.rule.name };
        const done = port !== undefined ? t('mappings.duplicate.doneOnPort', { ...names, port }) : t('mappings.duplicate.done', names);
        const secret = passwordDropped ? t('mappings.duplicate.passwordDropped') : '';
        showNotice({ kind: 'info', text: `${done}${secret}` });
      } catch (err) {
        showNotice({ kind: 'error', text: t('mappings.duplicate.failed', { name: rule.name, error: translateMessage(err instanceof Error ? err.message : String(err)) }) });
      }
    },
    [actions],
  );
}
