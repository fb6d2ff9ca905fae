import { useState } from 'react';
import type { Rule } from '../../src-shared/model/rule';
import { useActions } from '../api/api-context';
import { Modal } from '../components/modal';
import { closeDialog } from '../store/app-store';

export function DeleteDialog({ rule }: { rule: Rule }) {
  const actions = useActions();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function confirm(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await actions.remove(rule.id);
      closeDialog();
    } catch (err) {
      setError(`Could not delete “${rule.name}”: ${err instanceof Error ? err.message : String(err)}`);
      setBusy(false);
    }
  }

  return (
    <Modal labelledBy="delete-title" describedBy="delete-desc" onClose={closeDialog} className="confirm-dialog">
      <h2 id="delete-title">Delete mapping {rule.name}?</h2>
      <p id="delete-desc" className="dialog-lead">
        The mapping stops and its settings are removed. Connections through it are closed.
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
