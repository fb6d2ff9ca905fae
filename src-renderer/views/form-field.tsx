import { useTranslation } from 'react-i18next';
import { translateMessage } from '../i18n/messages';
import type { InputHTMLAttributes, ReactNode } from 'react';

interface FormFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange'> {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  error?: string | undefined;
  warning?: string | undefined;
  hint?: string;
}

/** A labelled text input; its error or warning is tied to it with aria-describedby, not put in its name. */
export function FormField({ id, label, value, onValue, error, warning, hint, className, ...rest }: FormFieldProps) {
  const msgId = `${id}-msg`;
  const message = error ?? warning ?? hint;
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={value}
        onChange={(e) => onValue(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={message ? msgId : undefined}
        spellCheck={false}
        autoComplete="off"
        {...rest}
      />
      <FieldMessage id={msgId} error={error} warning={warning} hint={hint} />
    </div>
  );
}

/** The line under a field: its error, else its warning, else its hint (tied to it by aria-describedby). */
export function FieldMessage({ id, error, warning, hint }: { id: string; error?: string | undefined; warning?: string | undefined; hint?: ReactNode }) {
  useTranslation();
  const message = error ?? warning ?? hint;
  if (!message) return null;
  const kind = error ? 'field-error' : warning ? 'field-warning' : 'field-hint';
  return (
    <p id={id} className={kind} data-testid={kind === 'field-hint' ? undefined : kind}>
      {typeof message === 'string' ? translateMessage(message) : message}
    </p>
  );
}
