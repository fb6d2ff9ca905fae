import type { TextareaHTMLAttributes } from 'react';
import { FieldMessage } from './form-field';

interface TextAreaFieldProps extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id' | 'value' | 'onChange'> {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  error?: string | undefined;
  hint?: string;
}

/** A labelled textarea; like FormField, its error (or else its hint) is tied to it with aria-describedby. */
export function TextAreaField({ id, label, value, onValue, error, hint, className, ...rest }: TextAreaFieldProps) {
  const msgId = `${id}-msg`;
  const message = error ?? hint;
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        value={value}
        onChange={(e) => onValue(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={message ? msgId : undefined}
        spellCheck={false}
        autoComplete="off"
        rows={3}
        {...rest}
      />
      <FieldMessage id={msgId} error={error} hint={hint} />
    </div>
  );
}
