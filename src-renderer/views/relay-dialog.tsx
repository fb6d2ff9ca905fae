import { useTranslation } from 'react-i18next';
import { translateSecretsBackend } from '../i18n/messages';
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
  type RelayFormValues,
} from '../forms/relay-form';
import { useApp } from '../store/app-store';
import { FieldMessage, FormField } from './form-field';
import { FormFooter } from './form-footer';
import { useSavedForm } from './use-saved-form';

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
  const form = useSavedForm({
    initial: () => (relay ? relayValuesFrom(relay) : emptyRelayValues()),
    check: (v: RelayFormValues) => checkRelayForm(v, relay),
    save: (v: RelayFormValues) => {
      const input = relayInputFrom(v, relay);
      return relay ? actions.updateRelay(relay.id, input) : actions.createRelay(input);
    },
    apiErrors: relayApiErrors,
    onSaved,
    onClose,
  });
  const { values, check, patch, reveal, errorOf } = form;
  const editing = relay !== undefined;
  const stored = relay?.hasToken === true && !values.clearToken;

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

  return (
    <Modal labelledBy="relay-dialog-title" onClose={onClose} className="relay-dialog">
      <form onSubmit={(e) => void form.submit(e)} noValidate>
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
              hint={values.clearToken ? t('relayDialog.tokenRemoved') : t('relayDialog.tokenKept', { store: secretsBackend ? translateSecretsBackend(secretsBackend) : t('relayDialog.secretStore') })}
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
        <FormFooter message={form.formMessage} submitLabel={editing ? t('relayDialog.save') : t('relayDialog.add')} submitDisabled={!check.valid || form.busy || form.apiProblem} onCancel={onClose} />
      </form>
    </Modal>
  );
}
