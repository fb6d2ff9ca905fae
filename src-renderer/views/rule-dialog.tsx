import { useMemo, useState, type FormEvent } from 'react';
import { ApiError } from '../../src-shared/model/errors';
import type { Rule } from '../../src-shared/model/rule';
import { useActions } from '../api/api-context';
import { Modal } from '../components/modal';
import {
  ADVANCED_FIELDS,
  checkForm,
  draftFromValues,
  emptyFormValues,
  formValuesFromRule,
  serverIssuesToErrors,
  type FieldErrors,
  type FieldKey,
  type RuleFormValues,
} from '../forms/rule-form';
import { switchOptionType } from '../forms/rule-options';
import { closeDialog, useApp } from '../store/app-store';
import { AdvancedOptions } from './advanced-options';
import { FormField } from './form-field';

type TextField = FieldKey;

/** Create (no `rule`) or edit a tcp-forward or udp-forward mapping. */
export function RuleDialog({ rule }: { rule?: Rule }) {
  const actions = useActions();
  const rules = useApp((s) => s.rules);
  const others = useMemo(() => Object.values(rules).filter((r) => r.id !== rule?.id), [rules, rule?.id]);
  const [values, setValues] = useState<RuleFormValues>(() => (rule ? formValuesFromRule(rule) : emptyFormValues()));
  const [shown, setShown] = useState<Partial<Record<FieldKey, true>>>({});
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const check = useMemo(() => checkForm(values, others, rule), [values, others, rule]);
  const editing = rule !== undefined;

  function set(field: TextField, value: string): void {
    setValues((v) => ({ ...v, [field]: value }));
    setShown((s) => ({ ...s, [field]: true }));
    setServerErrors((e) => (e[field] ? { ...e, [field]: undefined } : e));
    setFormError(null);
  }
  const reveal = (field: FieldKey) => () => setShown((s) => (s[field] ? s : { ...s, [field]: true }));
  const errorOf = (field: FieldKey) => serverErrors[field] ?? (shown[field] ? check.errors[field] : undefined);

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    if (!check.valid || busy) return;
    setBusy(true);
    setFormError(null);
    try {
      const draft = draftFromValues(values, rule);
      if (rule) await actions.update(rule.id, draft);
      else await actions.create(draft);
      closeDialog();
    } catch (err) {
      if (err instanceof ApiError) {
        const { fields, formError: rest } = serverIssuesToErrors(err.issues, err.message);
        setServerErrors(fields);
        setFormError(rest);
      } else {
        setFormError(err instanceof Error ? err.message : String(err));
      }
      setBusy(false);
    }
  }

  const field = (key: TextField, label: string, extra: { inputMode?: 'numeric'; placeholder?: string; autoFocus?: boolean } = {}) => (
    <FormField
      id={`rule-${key}`}
      label={label}
      value={values[key]}
      onValue={(v) => set(key, v)}
      onBlur={reveal(key)}
      error={errorOf(key)}
      warning={check.warnings[key]}
      className={`field-${key}`}
      {...extra}
    />
  );
  const serverProblem = Object.values(serverErrors).some(Boolean);
  const advancedError = ADVANCED_FIELDS.some((k) => Boolean(serverErrors[k] ?? check.errors[k]));

  return (
    <Modal labelledBy="rule-dialog-title" onClose={closeDialog} className="rule-dialog">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <h2 id="rule-dialog-title">{editing ? `Edit ${rule.name}` : 'New mapping'}</h2>
        <p className="dialog-lead">Listen on a port of this machine and forward each connection to a target host and port.</p>
        <div className="name-row">
          {field('name', 'Name', { placeholder: 'e.g. Staging web', autoFocus: true })}
          <div className="field">
            <label htmlFor="rule-type">Protocol</label>
            <select
              id="rule-type"
              value={values.type}
              onChange={(e) => {
                const type = e.target.value === 'udp-forward' ? 'udp-forward' : 'tcp-forward';
                setValues((v) => (v.type === type ? v : { ...switchOptionType(v, type === 'udp-forward' ? 'udp' : 'tcp'), type }));
              }}
            >
              <option value="tcp-forward">TCP</option>
              <option value="udp-forward">UDP</option>
            </select>
          </div>
        </div>
        <fieldset className="endpoint">
          <legend>Listen on</legend>
          {field('listenHost', 'Listen host', { placeholder: '127.0.0.1' })}
          {field('listenPort', 'Listen port', { inputMode: 'numeric', placeholder: '8080' })}
        </fieldset>
        <fieldset className="endpoint">
          <legend>Forward to</legend>
          {field('targetHost', 'Target host', { placeholder: 'example.internal' })}
          {field('targetPort', 'Target port', { inputMode: 'numeric', placeholder: '80' })}
        </fieldset>
        <AdvancedOptions
          values={values}
          errorOf={errorOf}
          onText={set}
          onBlur={(key) => reveal(key)()}
          onPatch={(patch) => setValues((v) => ({ ...v, ...patch }))}
          forceOpen={advancedError}
        />
        <label className="checkbox">
          <input type="checkbox" checked={values.enabled} onChange={(e) => setValues((v) => ({ ...v, enabled: e.target.checked }))} />
          {editing ? 'Enabled' : 'Start now'}
        </label>
        {(formError ?? check.other.length > 0) && (
          <p className="form-error" role="alert">
            {formError ?? check.other.join('; ')}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={closeDialog}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={!check.valid || busy || serverProblem}>
            {editing ? 'Save changes' : 'Create mapping'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
