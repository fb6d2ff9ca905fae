import { useTranslation } from 'react-i18next';
import { useActions } from '../api/api-context';
import { setImportToast, useImports } from '../store/imports';

/** After an import: what it added, with Undo (the lists follow through the usual change events). */
export function ImportToast() {
  const { t } = useTranslation();
  const toast = useImports((s) => s.toast);
  const actions = useActions();
  if (!toast) return null;
  const error = toast.kind === 'error';
  return (
    <div className={`import-toast ${error ? 'is-error' : ''}`} role={error ? 'alert' : 'status'} data-testid="import-toast">
      <span className="import-toast-text">{toast.text}</span>
      {toast.kind === 'imported' && toast.canUndo && (
        <button type="button" className="btn btn-small" disabled={toast.undoing} onClick={() => void actions.imports.undo()}>
          {toast.undoing ? t('importExport.toast.undoing') : t('importExport.toast.undo')}
        </button>
      )}
      <button type="button" className="btn btn-ghost btn-small" aria-label={t('importExport.toast.dismiss')} onClick={() => setImportToast(null)}>
        ✕
      </button>
    </div>
  );
}
