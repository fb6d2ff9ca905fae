import { useTranslation } from 'react-i18next';
import { translateMessage } from '../i18n/messages';
import { type ReactNode, useState } from 'react';
import { Modal } from '../components/modal';
import { closeDialog } from '../store/app-store';

interface ConfirmDeleteProps {
  /** Prefix of the title/description element ids. */
  idPrefix: string;
  title: string;
  description: ReactNode;
  /** Named in the error message when the host refuses. */
  name: string;
  remove: () => Promise<void>;
}

/** "Delete X?" with Cancel (focused) and Delete; a refusal from the host is shown and the dialog stays. */
export function ConfirmDeleteDialog({ idPrefix, title, description, name, remove }: ConfirmDeleteProps) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function confirm(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await remove();
      closeDialog();
    } catch (err) {
      setError(t('deleteDialog.couldNotDelete', { name, error: translateMessage(err instanceof Error ? err.message : String(err)) }));
      setBusy(false);
    }
  }

  return (
    <Modal labelledBy={`${idPrefix}-title`} describedBy={`${idPrefix}-desc`} onClose={closeDialog} className="confirm-dialog">
      <h2 id={`${idPrefix}-title`}>{title}</h2>
      <p id={`${idPrefix}-desc`} className="dialog-lead">
        {description}
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={closeDialog} autoFocus>
          {t('common.cancel')}
        </button>
        <button type="button" className="btn btn-danger-solid" onClick={() => void confirm()} disabled={busy}>
          {t('common.delete')}
        </button>
      </div>
    </Modal>
  );
}
