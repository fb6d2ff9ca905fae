import { useState, type FormEvent } from 'react';
import { ApiError, type ApiIssue } from '../../src-shared/model/errors';

/** What a form module's check says about the current values. */
export interface FormCheck<K extends string> {
  valid: boolean;
  errors: Partial<Record<K, string>>;
  /** Problems no field can show. */
  other: readonly string[];
}

interface Options<V, K extends string, E, C extends FormCheck<K>> {
  initial: () => V;
  /** Pure and cheap: it runs on every render. */
  check: (values: V) => C;
  save: (values: V) => Promise<E>;
  /** The host's validation issues → field messages and the rest for the form. */
  apiErrors: (issues: readonly ApiIssue[], message: string) => { fields: Partial<Record<K, string>>; formError: string | null };
  onSaved?: ((entry: E) => void) | undefined;
  onClose: () => void;
}

/**
 * The state of a dialog that saves one entity (a mapping, an SSH server, a relay): values, which fields have been
 * touched (their errors show from then on), the host's answers to a failed save put on their fields,
 * one form-level error, and a submit that saves once at a time.
 */
export function useSavedForm<V extends object, K extends string, E, C extends FormCheck<K> = FormCheck<K>>({ initial, check: checkValues, save, apiErrors: toApiErrors, onSaved, onClose }: Options<V, K, E, C>) {
  const [values, setValues] = useState<V>(initial);
  const [shown, setShown] = useState<Partial<Record<K, true>>>({});
  const [apiErrors, setApiErrors] = useState<Partial<Record<K, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const check = checkValues(values);

  /** New values; `touched` fields show their errors from now on and drop the host's old answer. */
  function patch(p: Partial<V>, touched: readonly K[] = []): void {
    setValues((v) => ({ ...v, ...p }));
    if (touched.length > 0) {
      setShown((s) => ({ ...s, ...Object.fromEntries(touched.map((k) => [k, true])) }));
      setApiErrors((e) => (touched.some((k) => e[k]) ? { ...e, ...Object.fromEntries(touched.map((k) => [k, undefined])) } : e));
    }
    setFormError(null);
  }
  /** New values computed from the current ones (a template, a type switch); nothing else changes. */
  const update = (fn: (values: V) => V) => setValues(fn);
  const reveal = (key: K) => setShown((s) => (s[key] ? s : { ...s, [key]: true }));
  const errorOf = (key: K): string | undefined => apiErrors[key] ?? (shown[key] ? check.errors[key] : undefined);

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    if (!check.valid || busy) return;
    setBusy(true);
    setFormError(null);
    try {
      const entry = await save(values);
      if (onSaved) onSaved(entry);
      else onClose();
    } catch (err) {
      if (err instanceof ApiError) {
        const { fields, formError: rest } = toApiErrors(err.issues, err.message);
        setApiErrors(fields);
        setFormError(rest);
      } else {
        setFormError(err instanceof Error ? err.message : String(err));
      }
      setBusy(false);
    }
  }

  return {
    values,
    check,
    /** Fields that show their errors (touched or left). */
    shown,
    /** The host's answers to the last failed save, by field. */
    apiErrors,
    patch,
    update,
    reveal,
    errorOf,
    submit,
    busy,
    /** The form-level message: the host's, else what the check could not put on a field. */
    formMessage: formError ?? (check.other.length > 0 ? check.other.join('; ') : null),
    /** A field still carries the host's objection: saving again would fail the same way. */
    apiProblem: Object.values(apiErrors).some(Boolean),
  };
}
