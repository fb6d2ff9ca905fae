import type { SshServerEntry } from '../../src-shared/model/ssh';
import { useShallow } from 'zustand/react/shallow';
import { useActions } from '../api/api-context';
import { usedByLabel } from '../forms/server-describe';
import { useApp } from '../store/app-store';
import { mappingsUsing } from '../store/servers';
import { ConfirmDeleteDialog } from './confirm-delete-dialog';

/** Confirms deleting a server. The host refuses (CONFLICT) while mappings use it; its message is shown. */
export function ServerDeleteDialog({ entry }: { entry: SshServerEntry }) {
  const actions = useActions();
  const users = useApp(useShallow((s) => mappingsUsing(entry.server.id, s.order, s.rules)));
  const name = entry.server.name;
  return (
    <ConfirmDeleteDialog
      idPrefix="server-delete"
      title={`Delete server ${name}?`}
      description={
        users.length > 0
          ? `${usedByLabel(users)}. Delete or change those mappings first.`
          : 'The saved server is removed. Mappings cannot use it any more.'
      }
      name={name}
      remove={() => actions.removeServer(entry.server.id)}
    />
  );
}
