import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import type { RelayEntry } from '../../src-shared/model/relay';
import { useActions } from '../api/api-context';
import { usedByLabel } from '../forms/server-describe';
import { useApp } from '../store/app-store';
import { mappingsUsingRelay } from '../store/relays';
import { ConfirmDeleteDialog } from './confirm-delete-dialog';

/** Confirms deleting a relay. The host refuses (CONFLICT) while mappings use it; its message is shown. */
export function RelayDeleteDialog({ entry }: { entry: RelayEntry }) {
  const { t } = useTranslation();
  const actions = useActions();
  const users = useApp(useShallow((s) => mappingsUsingRelay(entry.relay.id, s.order, s.rules)));
  const name = entry.relay.name;
  return (
    <ConfirmDeleteDialog
      idPrefix="relay-delete"
      title={t('deleteDialog.relayTitle', { name })}
      description={
        users.length > 0
          ? t('deleteDialog.inUse', { usedBy: usedByLabel(users) })
          : t('deleteDialog.relayDescription')
      }
      name={name}
      remove={() => actions.removeRelay(entry.relay.id)}
    />
  );
}
