import { useTranslation } from 'react-i18next';
import { translateMessage } from '../i18n/messages';
import { useState, type FormEvent } from 'react';
import { Switch } from '../components/switch';
import {
  generateToken,
  newAgentValues,
  RELAY_TLS_OFF_WARNING,
  type RelayAgentValues,
  type RelayServerFieldErrors,
  type RelayServerFormCheck,
  type RelayServerFormValues,
} from '../forms/relay-server-form';
import { CopyButton } from './fingerprint';
import { FieldMessage, FormField } from './form-field';
import { RelayRouterField } from './relay-router-field';

interface RelaySettingsFormProps {
  values: RelayServerFormValues;
  /** Agent names with a stored token. */
  withToken: readonly string[];
  check: RelayServerFormCheck;
  apiErrors: RelayServerFieldErrors;
  formError: string | null;
  dirty: boolean;
  running: boolean;
  saving: boolean;
  /** The last save went through (until the next change). */
  savedNote: boolean;
  /** `touched`: the field key that changed. */
  onChange: (next: RelayServerFormValues, touched?: string) => void;
  onSave: () => void;
  onRevert: () => void;
}

interface AgentCardProps {
  index: number;
  agent: RelayAgentValues;
  stored: boolean;
  errorOf: (key: string) => string | undefined;
  warningOf: (key: string) => string | undefined;
  onBlur: (key: string) => void;
  onAgent: (patch: Partial<RelayAgentValues>, touched: string) => void;
  onRemove: () => void;
}

/** One agent: its name, the ports it may ask for and its (write-only) token. */
function AgentCard({ index, agent, stored, errorOf, warningOf, onBlur, onAgent, onRemove }: AgentCardProps) {
  const { t } = useTranslation();
  const [visible, setVisible] = useState(false);
  const key = (k: string) => `agents.${index}.${k}`;
  const id = (k: string) => `relay-agent-${index}-${k}`;
  return (
    <fieldset className="agent-card" aria-label={t('relaySettings.agentN', { n: index + 1 })} data-testid="relay-agent-settings">
      <div className="agent-card-head">
        <span className="agent-card-title">{agent.name.trim() || t('relaySettings.agentN', { n: index + 1 })}</span>
        <button type="button" className="btn btn-ghost btn-danger btn-small" aria-label={t('relaySettings.removeAgent', { name: agent.name.trim() || index + 1 })} onClick={onRemove}>
          {t('relaySettings.remove')}
        </button>
      </div>
      <div className="agent-card-grid">
        <FormField
          id={id('name')}
          label={t('relaySettings.name')}
          value={agent.name}
          placeholder="laptop"
          onValue={(name) => onAgent({ name }, key('name'))}
          onBlur={() => onBlur(key('name'))}
          error={errorOf(key('name'))}
        />
        <FormField
          id={id('allowPorts')}
          label={t('relaySettings.allowedPorts')}
          value={agent.allowPorts}
          placeholder="20000-20100, 8080"
          onValue={(allowPorts) => onAgent({ allowPorts }, key('allowPorts'))}
          onBlur={() => onBlur(key('allowPorts'))}
          error={errorOf(key('allowPorts'))}
        />
      </div>
      <div className="field">
        <div className="label-row">
          <label htmlFor={id('token')}>{t('relaySettings.token')}</label>
          <span className={stored ? 'stored-badge' : 'stored-badge stored-badge-off'} data-testid="agent-token-state">
            {stored ? t('relayDialog.stored') : t('relayDialog.notSet')}
          </span>
        </div>
        <div className="input-with-button">
          <input
            id={id('token')}
            type={visible ? 'text' : 'password'}
            autoComplete="new-password"
            spellCheck={false}
            value={agent.token}
            placeholder={stored ? t('relayDialog.unchanged') : t('relaySettings.tokenPlaceholder')}
            aria-describedby={`${id('token')}-msg`}
            onChange={(e) => onAgent({ token: e.target.value }, key('token'))}
          />
          {agent.token !== '' && <CopyButton text={agent.token} label={t('relaySettings.copyToken', { n: index + 1 })} />}
          <button
            type="button"
            className="btn btn-small"
            onClick={() => {
              onAgent({ token: generateToken() }, key('token'));
              setVisible(true);
            }}
          >
            {t('relaySettings.generate')}
          </button>
        </div>
        <FieldMessage
          id={`${id('token')}-msg`}
          error={errorOf(key('token'))}
          warning={warningOf(key('token'))}
          hint={agent.token !== '' ? t('relaySettings.tokenSavedHint') : stored ? t('relaySettings.tokenReplaceHint') : undefined}
        />
      </div>
    </fieldset>
  );
}

/** Where the relay listens, how agents' ports are named, TLS, and which agents may connect. */
export function RelaySettingsForm(props: RelaySettingsFormProps) {
  const { values, withToken, check, apiErrors, formError, dirty, running, saving, savedNote, onChange, onSave, onRevert } = props;
  const { t } = useTranslation();
  const [shown, setShown] = useState<Record<string, true>>({});
  const reveal = (key: string) => setShown((s) => (s[key] ? s : { ...s, [key]: true }));
  const errorOf = (key: string) => apiErrors[key] ?? (shown[key] ? check.errors[key] : undefined);
  const warningOf = (key: string) => check.warnings[key];
  const set = (patch: Partial<RelayServerFormValues>, touched: string) => {
    reveal(touched);
    onChange({ ...values, ...patch }, touched);
  };
  const setAgent = (i: number, patch: Partial<RelayAgentValues>, touched: string) => {
    reveal(touched);
    onChange({ ...values, agents: values.agents.map((a, j) => (j === i ? { ...a, ...patch } : a)) }, touched);
  };
  const hidden = Object.keys(check.errors).some((k) => !shown[k] && !apiErrors[k]);

  function submit(e: FormEvent): void {
    e.preventDefault();
    // Errors of untouched fields show on the first attempt.
    setShown((s) => ({ ...s, ...Object.fromEntries(Object.keys(check.errors).map((k) => [k, true])) }));
    onSave();
  }

  return (
    <form className="card relay-settings" aria-labelledby="relay-settings-title" onSubmit={submit} noValidate>
      <div className="card-head">
        <h3 id="relay-settings-title">{t('relaySettings.title')}</h3>
      </div>
      <div className="relay-settings-grid">
        <FormField
          id="relay-bindHost"
          label={t('relaySettings.listenHost')}
          value={values.bindHost}
          placeholder="0.0.0.0"
          onValue={(bindHost) => set({ bindHost }, 'bindHost')}
          onBlur={() => reveal('bindHost')}
          error={errorOf('bindHost')}
          warning={warningOf('bindHost')}
        />
        <FormField
          id="relay-bindPort"
          label={t('relaySettings.listenPort')}
          value={values.bindPort}
          inputMode="numeric"
          placeholder="9015"
          onValue={(bindPort) => set({ bindPort }, 'bindPort')}
          onBlur={() => reveal('bindPort')}
          error={errorOf('bindPort')}
        />
      </div>
      <FormField
        id="relay-publicHost"
        label={t('relaySettings.publicHost')}
        value={values.publicHost}
        placeholder="relay.example.com"
        onValue={(publicHost) => set({ publicHost }, 'publicHost')}
        onBlur={() => reveal('publicHost')}
        error={errorOf('publicHost')}
        hint={t('relaySettings.publicHostHint')}
      />
      <div className="switch-field">
        <Switch checked={values.tls} label={t('relayDialog.tls')} onChange={(tls) => set({ tls }, 'tls')} />
        <div>
          <span className="switch-label">{t('relaySettings.tlsSelfSigned')}</span>
          <FieldMessage id="relay-tls-msg" warning={values.tls ? undefined : RELAY_TLS_OFF_WARNING} hint={t('relaySettings.tlsHint')} />
        </div>
      </div>
      <RelayRouterField values={values} onPatch={(patch, touched) => set(patch, touched)} />
      <div className="agents-head">
        <span className="field-label">{t('relaySettings.agents')}</span>
        <span className="muted agents-note">{t('relaySettings.agentsNote')}</span>
      </div>
      {values.agents.length === 0 && <p className="muted card-empty agents-empty">{t('relaySettings.noAgents')}</p>}
      {values.agents.map((a, i) => (
        <AgentCard
          key={a.key}
          index={i}
          agent={a}
          stored={withToken.includes(a.name.trim())}
          errorOf={errorOf}
          warningOf={warningOf}
          onBlur={reveal}
          onAgent={(patch, touched) => setAgent(i, patch, touched)}
          onRemove={() => onChange({ ...values, agents: values.agents.filter((_, j) => j !== i) })}
        />
      ))}
      <button type="button" className="btn btn-small agents-add" onClick={() => onChange({ ...values, agents: [...values.agents, newAgentValues()] })}>
        {t('relaySettings.addAgent')}
      </button>
      {(formError ?? check.other.length > 0) && (
        <p className="form-error" role="alert">
          {translateMessage(formError ?? check.other.join('; '))}
        </p>
      )}
      <div className="dialog-actions relay-settings-actions">
        {savedNote && !dirty && (
          <span className="muted saved-note" role="status">
            {running ? t('relaySettings.savedRestarted') : t('relaySettings.saved')}
          </span>
        )}
        {dirty && running && <span className="muted saved-note">{t('relaySettings.savingRestarts')}</span>}
        <button type="button" className="btn" onClick={onRevert} disabled={!dirty || saving}>
          {t('relaySettings.revert')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={!dirty || saving || (!check.valid && !hidden)}>
          {saving ? t('relaySettings.saving') : t('relaySettings.save')}
        </button>
      </div>
    </form>
  );
}
