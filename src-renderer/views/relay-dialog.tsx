import { useTranslation } from 'react-i18next';
import { translateMessage } from '../i18n/messages';
import { useMemo, useState, type FormEvent } from 'react';
import { ApiError } from '../../src-shared/model/errors';
import type { Relay, RelayEntry } from '../../src-shared/model/relay';
import { useActions } from '../api/api-context';
import { Modal } from '../components/modal';
import { Switch } from '../components/switch';
import {
  checkRelayForm,
  emptyRelayValues,
  FINGERPRINT_HINT,
  relayApiErrors,
  relayInputFrom,
  relayValuesFrom,
  TLS_OFF_WARNING,
  type RelayFieldErrors,
  type RelayFieldKey,
  type RelayFormValues,
} from '../forms/relay-form';
import { useApp } from '../store/app-store';
import { FieldMessage, FormField } from './form-field';

interface RelayDialogProps {
  /** Edit this relay; without it, create one. */
  relay?: Relay;
  onClose: () => void;
  /** After the host saved it (the rule dialog selects a new relay this way). */
  onSaved?: (entry: RelayEntry) => void;
}

/** Create or edit a saved relay: where it is, the name this machine's agent uses there, its token and certificate. */
export function RelayDialog({ relay, onClose, onSaved }: RelayDialogProps) {
  const { t } = useTranslation();
  const actions = useActions();
  const secretsBackend = useApp((s) => s.info?.secretsBackend);
  const [values, setValues] = useState<RelayFormValues>(() => (relay ? relayValuesFrom(relay) : emptyRelayValues()));
  const [shown, setShown] = useState<Partial<Record<RelayFieldKey, true>>>({});
  const [apiErrors, setApiErrors] = useState<RelayFieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const check = useMemo(() => checkRelayForm(values, relay), [values, relay]);
  const editing = relay !== undefined;
  const stored = relay?.hasToken === true && !values.clearToken;

  function patch(p: Partial<RelayFormValues>, touched: RelayFieldKey[] = []): void {
    setValues((v) => ({ ...v, ...p }));
    if (touched.length > 0) {
      setShown((s) => ({ ...s, ...Object.fromEntries(touched.map((k) => [k, true])) }));
      setApiErrors((e) => (touched.some((k) => e[k]) ? { ...e, ...Object.fromEntries(touched.map((k) => [k, undefined])) } : e));
    }
    setFormError(null);
  }
  const reveal = (key: RelayFieldKey) => setShown((s) => (s[key] ? s : { ...s, [key]: true }));
  const errorOf = (key: RelayFieldKey) => apiErrors[key] ?? (shown[key] ? check.errors[key] : undefined);

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    if (!check.valid || busy) return;
    setBusy(true);
    setFormError(null);
    try {
      const input = relayInputFrom(values, relay);
      const entry = relay ? await actions.updateRelay(relay.id, input) : await actions.createRelay(input);
      if (onSaved) onSaved(entry);
      else onClose();
    } catch (err) {
      if (err instanceof ApiError) {
        const { fields, formError: rest } = relayApiErrors(err.issues, err.message);
        setApiErrors(fields);
        setFormError(rest);
      } else {
        setFormError(err instanceof Error ? err.message : String(err));
      }
      setBusy(false);
    }
  }

  const text = (key: 'name' | 'host' | 'port' | 'agentName' | 'fingerprint', label: string, extra: { placeholder?: string; hint?: string; inputMode?: 'numeric'; autoFocus?: boolean } = {}) => (
    <FormField
      id={`relay-${key}`}
      label={label}
      value={values[key]}
      onValue={(v) => patch({ [key]: v }, [key])}
      onBlur={() => reveal(key)}
      error={errorOf(key)}
      className={`field-${key}`}
      {...extra}
    />
  );
  const apiProblem = Object.values(apiErrors).some(Boolean);

  return (
    <Modal labelledBy="relay-dialog-title" onClose={onClose} className="relay-dialog">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <h2 id="relay-dialog-title">{editing ? t('relayDialog.editTitle', { name: relay.name }) : t('relayDialog.newTitle')}</h2>
        <p className="dialog-lead">
          {t('relayDialog.lead1')} <code>porthole relay</code> {t('relayDialog.lead2')}
        </p>
        {text('name', t('relayDialog.name'), { placeholder: t('relayDialog.namePlaceholder'), autoFocus: true })}
        <div className="relay-grid relay-grid-host">
          {text('host', t('relayDialog.host'), { placeholder: 'relay.example.com' })}
          {text('port', t('relayDialog.port'), { inputMode: 'numeric', placeholder: '9015' })}
        </div>
        <div className="relay-grid">
          {text('agentName', t('relayDialog.agentName'), { placeholder: 'laptop', hint: t('relayDialog.agentNameHint') })}
          <div className="field field-token">
            <div className="label-row">
              <label htmlFor="relay-token">{t('relayDialog.token')}</label>
              {stored && (
                <span className="stored-badge" data-testid="token-stored">
                  {t('relayDialog.stored')}
                </span>
              )}
            </div>
            <div className="input-with-button">
              <input
                id="relay-token"
                type="password"
                autoComplete="new-password"
                value={values.token}
                placeholder={stored ? t('relayDialog.unchanged') : t('relayDialog.tokenPlaceholder')}
                onChange={(e) => patch({ token: e.target.value, clearToken: false }, ['token'])}
                aria-describedby="relay-token-msg"
                spellCheck={false}
              />
              {relay?.hasToken && values.token === '' && (
                <button type="button" className="btn btn-small" onClick={() => patch({ clearToken: !values.clearToken })}>
                  {values.clearToken ? t('relayDialog.keep') : t('relayDialog.remove')}
                </button>
              )}
            </div>
            <FieldMessage
              id="relay-token-msg"
              error={errorOf('token')}
              warning={check.warnings.token}
              hint={values.clearToken ? t('relayDialog.tokenRemoved') : t('relayDialog.tokenKept', { store: secretsBackend ?? t('relayDialog.secretStore') })}
            />
          </div>
        </div>
        <div className="switch-field">
          <Switch checked={values.tls} label={t('relayDialog.tls')} onChange={(tls) => patch({ tls })} />
          <div>
            <span className="switch-label">{t('relayDialog.tlsPinned')}</span>
            <FieldMessage id="relay-tls-msg" warning={values.tls ? undefined : TLS_OFF_WARNING} hint={t('relayDialog.tlsHint')} />
          </div>
        </div>
        {values.tls && text('fingerprint', t('relayDialog.fingerprint'), { placeholder: t('relayDialog.fingerprintPlaceholder'), hint: FINGERPRINT_HINT })}
        <label className="checkbox">
          <input type="checkbox" checked={values.acceptAssigned} onChange={(e) => patch({ acceptAssigned: e.target.checked })} />
          {t('relayDialog.acceptAssigned')}
        </label>
        <p className="field-hint checkbox-hint">{t('relayDialog.acceptAssignedHint')}</p>
        {(formError ?? check.other.length > 0) && (
          <p className="form-error" role="alert">
            {translateMessage(formError ?? check.other.join('; '))}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={!check.valid || busy || apiProblem}>
            {editing ? t('relayDialog.save') : t('relayDialog.add')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
