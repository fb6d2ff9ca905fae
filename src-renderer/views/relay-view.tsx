import { useTranslation } from 'react-i18next';
import { translateMessage } from '../i18n/messages';
import { useMemo, useState } from 'react';
import type { LocalRelaySettings } from '../../src-shared/api/contract';
import { ApiError } from '../../src-shared/model/errors';
import { useActions } from '../api/api-context';
import {
  checkRelayServerForm,
  relayServerConfigFrom,
  relayServerDirty,
  relayServerIssuesToFields,
  relayServerValuesFrom,
  tokensFrom,
  type RelayServerFieldErrors,
  type RelayServerFormValues,
} from '../forms/relay-server-form';
import { useApp } from '../store/app-store';
import { RelayAgentsTable, RelayExposuresTable } from './relay-live-tables';
import { RelayRouterCard } from './relay-router-card';
import { RelaySettingsForm } from './relay-settings-form';
import { RelayStatusCard } from './relay-status-card';

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The relay this app runs: its settings, Start/Stop, and what its agents expose right now. */
function RelayPanel({ settings }: { settings: LocalRelaySettings }) {
  const { t } = useTranslation();
  const actions = useActions();
  const status = useApp((s) => s.relayServer.status);
  const [values, setValues] = useState<RelayServerFormValues>(() => relayServerValuesFrom(settings));
  const [apiErrors, setApiErrors] = useState<RelayServerFieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'save' | 'start' | 'stop' | null>(null);
  const [savedNote, setSavedNote] = useState(false);
  // Settings saved elsewhere (another window or tab) replace the form unless it holds unsaved edits.
  const [base, setBase] = useState(settings);
  if (settings !== base) {
    setBase(settings);
    if (!relayServerDirty(values, base)) setValues(relayServerValuesFrom(settings));
  }
  const check = useMemo(() => checkRelayServerForm(values, settings.withToken), [values, settings.withToken]);
  const dirty = relayServerDirty(values, settings);
  const running = status?.running === true;

  function change(next: RelayServerFormValues, touched?: string): void {
    setValues(next);
    setSavedNote(false);
    setFormError(null);
    if (touched && apiErrors[touched]) setApiErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== touched)));
  }

  /** Saves the form; false (with the reason shown) when the host refused. */
  async function save(): Promise<boolean> {
    try {
      const saved = await actions.configureRelayServer(relayServerConfigFrom(values), tokensFrom(values));
      setValues(relayServerValuesFrom(saved));
      setApiErrors({});
      setSavedNote(true);
      return true;
    } catch (err) {
      if (err instanceof ApiError) {
        const { fields, other } = relayServerIssuesToFields(err.issues);
        setApiErrors(fields);
        setFormError(other.length > 0 ? other.join('; ') : Object.keys(fields).length === 0 ? err.message : null);
      } else setFormError(errorText(err));
      return false;
    }
  }

  async function onSave(): Promise<void> {
    if (!check.valid || busy) return;
    setBusy('save');
    await save();
    setBusy(null);
  }

  async function onStart(): Promise<void> {
    if (busy) return;
    setBusy('start');
    setActionError(null);
    // Unsaved changes are what the person sees: start with them.
    if (dirty && (!check.valid || !(await save()))) {
      setActionError(t('relayView.fixFirst'));
      setBusy(null);
      return;
    }
    try {
      await actions.startRelayServer();
    } catch (err) {
      setActionError(errorText(err));
    }
    setBusy(null);
  }

  async function onStop(): Promise<void> {
    if (busy) return;
    setBusy('stop');
    setActionError(null);
    try {
      await actions.stopRelayServer();
    } catch (err) {
      setActionError(errorText(err));
    }
    setBusy(null);
  }

  return (
    <div className="relay-layout">
      <div className="relay-col relay-col-live">
        <RelayStatusCard status={status} busy={busy} dirty={dirty} actionError={actionError} onStart={() => void onStart()} onStop={() => void onStop()} />
        {status?.router && <RelayRouterCard ports={status.router} />}
        {status && <RelayAgentsTable agents={status.agents} />}
        {status && running && <RelayExposuresTable agents={status.agents} />}
      </div>
      <div className="relay-col relay-col-settings">
        <RelaySettingsForm
          values={values}
          withToken={settings.withToken}
          check={check}
          apiErrors={apiErrors}
          formError={formError}
          dirty={dirty}
          running={running}
          saving={busy === 'save'}
          savedNote={savedNote}
          onChange={change}
          onSave={() => void onSave()}
          onRevert={() => change(relayServerValuesFrom(settings))}
        />
      </div>
    </div>
  );
}

/** The "Relay" tab. */
export function RelayView() {
  const { t } = useTranslation();
  const settings = useApp((s) => s.relayServer.settings);
  const error = useApp((s) => s.relayServer.error);
  return (
    <section className="relay-view" aria-labelledby="relay-view-title">
      <div className="servers-toolbar">
        <h2 id="relay-view-title">{t('relayView.title')}</h2>
      </div>
      <p className="view-lead muted">
        {t('relayView.lead1')} <code>porthole agent</code>
        {t('relayView.lead2')}
      </p>
      {error && (
        <p className="inline-error" role="alert">
          {translateMessage(error)}
        </p>
      )}
      {!settings && !error && <p className="placeholder">{t('relayView.loading')}</p>}
      {settings && <RelayPanel settings={settings} />}
    </section>
  );
}
