import { useTranslation } from 'react-i18next';
import type { SshServerEntry } from '../../src-shared/model/ssh';
import { useShallow } from 'zustand/react/shallow';
import { useActions } from '../api/api-context';
import { usedByLabel } from '../forms/server-describe';
import { useApp } from '../store/app-store';
import { mappingsUsing } from '../store/servers';
import { ConfirmDeleteDialog } from './confirm-delete-dialog';

/** Confirms deleting a server. The host refuses (CONFLICT) while mappings use it; its message is shown. */
export function ServerDeleteDialog({ entry }: { entry: SshServerEntry }) {
  const { t } = useTranslation();
  const actions = useActions();
  const users = useApp(useShallow((s) => mappingsUsing(entry.server.id, s.order, s.rules)));
  const name = entry.server.name;
  return (
    <ConfirmDeleteDialog
      idPrefix="server-delete"
      title={t('deleteDialog.serverTitle', { name })}
      description={
        users.length > 0
          ? t('deleteDialog.inUse', { usedBy: usedByLabel(users) })
          : t('deleteDialog.serverDescription')
      }
      name={name}
      remove={() => actions.removeServer(entry.server.id)}
    />
  );
}
