import { useTranslation } from 'react-i18next';
import { translateMessage } from '../i18n/messages';

interface Props {
  /** The form-level error, in English as the host or the form module wrote it; null: none. */
  message: string | null;
  submitLabel: string;
  submitDisabled: boolean;
  onCancel: () => void;
}

/** The end of an entity dialog's form: the error no field could show, then Cancel and the submit button. */
export function FormFooter({ message, submitLabel, submitDisabled, onCancel }: Props) {
  const { t } = useTranslation();
  return (
    <>
      {message && (
        <p className="form-error" role="alert">
          {translateMessage(message)}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={submitDisabled}>
          {submitLabel}
        </button>
      </div>
    </>
  );
}
