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
        <h2 id="relay-dialog-title">{editing ? `Edit relay ${relay.name}` : 'New relay'}</h2>
        <p className="dialog-lead">
          A relay is a server you run elsewhere (a VPS, say) with <code>porthole relay</code> or Porthole’s Relay view. This machine connects to it as an
          agent, and relay mappings ask it for public ports.
        </p>
        {text('name', 'Name', { placeholder: 'e.g. VPS relay', autoFocus: true })}
        <div className="relay-grid relay-grid-host">
          {text('host', 'Host', { placeholder: 'relay.example.com' })}
          {text('port', 'Port', { inputMode: 'numeric', placeholder: '9015' })}
        </div>
        <div className="relay-grid">
          {text('agentName', 'Agent name', { placeholder: 'laptop', hint: 'The name the relay knows this machine by' })}
          <div className="field field-token">
            <div className="label-row">
              <label htmlFor="relay-token">Token</label>
              {stored && (
                <span className="stored-badge" data-testid="token-stored">
                  stored
                </span>
              )}
            </div>
            <div className="input-with-button">
              <input
                id="relay-token"
                type="password"
                autoComplete="new-password"
                value={values.token}
                placeholder={stored ? 'unchanged' : 'the token the relay gave this agent'}
                onChange={(e) => patch({ token: e.target.value, clearToken: false }, ['token'])}
                aria-describedby="relay-token-msg"
                spellCheck={false}
              />
              {relay?.hasToken && values.token === '' && (
                <button type="button" className="btn btn-small" onClick={() => patch({ clearToken: !values.clearToken })}>
                  {values.clearToken ? 'Keep' : 'Remove'}
                </button>
              )}
            </div>
            <FieldMessage
              id="relay-token-msg"
              error={errorOf('token')}
              warning={check.warnings.token}
              hint={values.clearToken ? 'The stored token is removed on save.' : `Kept in ${secretsBackend ?? 'Porthole’s secret store'}, never shown again.`}
            />
          </div>
        </div>
        <div className="switch-field">
          <Switch checked={values.tls} label="TLS" onChange={(tls) => patch({ tls })} />
          <div>
            <span className="switch-label">TLS with a pinned certificate</span>
            <FieldMessage id="relay-tls-msg" warning={values.tls ? undefined : TLS_OFF_WARNING} hint="Recommended. Off only for a relay that runs without TLS." />
          </div>
        </div>
        {values.tls && text('fingerprint', 'Certificate fingerprint (SHA-256)', { placeholder: 'AB:CD:… (64 hex digits)', hint: FINGERPRINT_HINT })}
        <label className="checkbox">
          <input type="checkbox" checked={values.acceptAssigned} onChange={(e) => patch({ acceptAssigned: e.target.checked })} />
          Also serve ports the relay assigns to this agent
        </label>
        <p className="field-hint checkbox-hint">For a relay whose own config lists ports for this agent name (port-proxy style), besides the ports mappings ask for.</p>
        {(formError ?? check.other.length > 0) && (
          <p className="form-error" role="alert">
            {formError ?? check.other.join('; ')}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={!check.valid || busy || apiProblem}>
            {editing ? 'Save relay' : 'Add relay'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
