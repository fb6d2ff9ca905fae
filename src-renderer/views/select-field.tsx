import type { ReactNode, SelectHTMLAttributes } from 'react';
import { FieldMessage } from './form-field';

interface SelectFieldProps extends Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id' | 'value' | 'onChange'> {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  error?: string | undefined;
  warning?: string | undefined;
  hint?: ReactNode;
  children: ReactNode;
}

/** A labelled select; like FormField, its error, warning or hint is tied to it with aria-describedby. */
export function SelectField({ id, label, value, onValue, error, warning, hint, className, children, ...rest }: SelectFieldProps) {
  const msgId = `${id}-msg`;
  const message = error ?? warning ?? hint;
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        onChange={(e) => onValue(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={message ? msgId : undefined}
        {...rest}
      >
        {children}
      </select>
      <FieldMessage id={msgId} error={error} warning={warning} hint={hint} />
    </div>
  );
}
