import { useState } from 'react';
import type { SshServerEntry } from '../../src-shared/model/ssh';
import { useActions } from '../api/api-context';
import { Modal } from '../components/modal';
import { usedByLabel } from '../forms/server-describe';
import { useShallow } from 'zustand/react/shallow';
import { closeDialog, useApp } from '../store/app-store';
import { mappingsUsing } from '../store/servers';

/** Confirms deleting a server. The host refuses (CONFLICT) while mappings use it; its message is shown. */
export function ServerDeleteDialog({ entry }: { entry: SshServerEntry }) {
  const actions = useActions();
  const users = useApp(useShallow((s) => mappingsUsing(entry.server.id, s.order, s.rules)));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const name = entry.server.name;

  async function confirm(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await actions.removeServer(entry.server.id);
      closeDialog();
    } catch (err) {
      setError(`Could not delete “${name}”: ${err instanceof Error ? err.message : String(err)}`);
      setBusy(false);
    }
  }

  return (
    <Modal labelledBy="server-delete-title" describedBy="server-delete-desc" onClose={closeDialog} className="confirm-dialog">
      <h2 id="server-delete-title">Delete server {name}?</h2>
      <p id="server-delete-desc" className="dialog-lead">
        {users.length > 0
          ? `${usedByLabel(users)}. Delete or change those mappings first.`
          : 'The saved server is removed. Mappings cannot use it any more.'}
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={closeDialog} autoFocus>
          Cancel
        </button>
        <button type="button" className="btn btn-danger-solid" onClick={() => void confirm()} disabled={busy}>
          Delete
        </button>
      </div>
    </Modal>
  );
}
