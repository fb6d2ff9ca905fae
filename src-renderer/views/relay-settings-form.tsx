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
  const [visible, setVisible] = useState(false);
  const key = (k: string) => `agents.${index}.${k}`;
  const id = (k: string) => `relay-agent-${index}-${k}`;
  return (
    <fieldset className="agent-card" aria-label={`Agent ${index + 1}`} data-testid="relay-agent-settings">
      <div className="agent-card-head">
        <span className="agent-card-title">{agent.name.trim() || `Agent ${index + 1}`}</span>
        <button type="button" className="btn btn-ghost btn-danger btn-small" aria-label={`Remove agent ${agent.name.trim() || index + 1}`} onClick={onRemove}>
          Remove
        </button>
      </div>
      <div className="agent-card-grid">
        <FormField
          id={id('name')}
          label="Name"
          value={agent.name}
          placeholder="laptop"
          onValue={(name) => onAgent({ name }, key('name'))}
          onBlur={() => onBlur(key('name'))}
          error={errorOf(key('name'))}
        />
        <FormField
          id={id('allowPorts')}
          label="Allowed ports"
          value={agent.allowPorts}
          placeholder="20000-20100, 8080"
          onValue={(allowPorts) => onAgent({ allowPorts }, key('allowPorts'))}
          onBlur={() => onBlur(key('allowPorts'))}
          error={errorOf(key('allowPorts'))}
        />
      </div>
      <div className="field">
        <div className="label-row">
          <label htmlFor={id('token')}>Token</label>
          <span className={stored ? 'stored-badge' : 'stored-badge stored-badge-off'} data-testid="agent-token-state">
            {stored ? 'stored' : 'not set'}
          </span>
        </div>
        <div className="input-with-button">
          <input
            id={id('token')}
            type={visible ? 'text' : 'password'}
            autoComplete="new-password"
            spellCheck={false}
            value={agent.token}
            placeholder={stored ? 'unchanged' : 'give the same token to the agent'}
            aria-describedby={`${id('token')}-msg`}
            onChange={(e) => onAgent({ token: e.target.value }, key('token'))}
          />
          {agent.token !== '' && <CopyButton text={agent.token} label={`Copy the token of agent ${index + 1}`} />}
          <button
            type="button"
            className="btn btn-small"
            onClick={() => {
              onAgent({ token: generateToken() }, key('token'));
              setVisible(true);
            }}
          >
            Generate
          </button>
        </div>
        <FieldMessage
          id={`${id('token')}-msg`}
          warning={warningOf(key('token'))}
          hint={agent.token !== '' ? 'Saved when you save the settings; never shown again.' : stored ? 'Type a new one to replace it.' : undefined}
        />
      </div>
    </fieldset>
  );
}

/** Where the relay listens, how agents' ports are named, TLS, and which agents may connect. */
export function RelaySettingsForm(props: RelaySettingsFormProps) {
  const { values, withToken, check, apiErrors, formError, dirty, running, saving, savedNote, onChange, onSave, onRevert } = props;
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
        <h3 id="relay-settings-title">Settings</h3>
      </div>
      <div className="relay-settings-grid">
        <FormField
          id="relay-bindHost"
          label="Listen host"
          value={values.bindHost}
          placeholder="0.0.0.0"
          onValue={(bindHost) => set({ bindHost }, 'bindHost')}
          onBlur={() => reveal('bindHost')}
          error={errorOf('bindHost')}
          warning={warningOf('bindHost')}
        />
        <FormField
          id="relay-bindPort"
          label="Listen port"
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
        label="Public host for agent ports"
        value={values.publicHost}
        placeholder="relay.example.com"
        onValue={(publicHost) => set({ publicHost }, 'publicHost')}
        onBlur={() => reveal('publicHost')}
        error={errorOf('publicHost')}
        hint="Where agents’ public ports listen, and the address shown to them: this machine’s public IP or name (0.0.0.0 = every interface)."
      />
      <div className="switch-field">
        <Switch checked={values.tls} label="TLS" onChange={(tls) => set({ tls }, 'tls')} />
        <div>
          <span className="switch-label">TLS with a self-signed certificate</span>
          <FieldMessage id="relay-tls-msg" warning={values.tls ? undefined : RELAY_TLS_OFF_WARNING} hint="Agents pin its fingerprint. Recommended." />
        </div>
      </div>
      <div className="agents-head">
        <span className="field-label">Agents</span>
        <span className="muted agents-note">Only these names may connect, each with its own token.</span>
      </div>
      {values.agents.length === 0 && <p className="muted card-empty agents-empty">No agents: nobody can connect yet.</p>}
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
        Add agent
      </button>
      {(formError ?? check.other.length > 0) && (
        <p className="form-error" role="alert">
          {formError ?? check.other.join('; ')}
        </p>
      )}
      <div className="dialog-actions relay-settings-actions">
        {savedNote && !dirty && (
          <span className="muted saved-note" role="status">
            Saved{running ? ' — the relay restarted with them' : ''}
          </span>
        )}
        {dirty && running && <span className="muted saved-note">Saving restarts the relay</span>}
        <button type="button" className="btn" onClick={onRevert} disabled={!dirty || saving}>
          Revert
        </button>
        <button type="submit" className="btn btn-primary" disabled={!dirty || saving || (!check.valid && !hidden)}>
          {saving ? 'Saving…' : 'Save settings'}
        </button>
      </div>
    </form>
  );
}
