import { useId, type ReactNode } from 'react';
import { Switch } from '../components/switch';
import { useApp } from '../store/app-store';
import { changeSetting, shownValue, useSettings, type ShellKey } from '../store/settings';
import type { AppSettings } from '../../src-shared/model/settings';
import '../dashboard.css';

const THEMES: readonly { value: AppSettings['theme']; label: string }[] = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

const LANGUAGES: readonly { value: AppSettings['language']; label: string; lang?: string }[] = [
  { value: 'system', label: 'System' },
  { value: 'en', label: 'English', lang: 'en' },
  { value: 'zh-CN', label: '简体中文', lang: 'zh-CN' },
];

export const STATS_INTERVALS: readonly number[] = [500, 1000, 2000, 5000];

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}

function SettingRow({ label, hint, error, saving, children, labelFor, labelId }: { label: string; hint?: ReactNode; error?: string; saving?: boolean; children: ReactNode; labelFor?: string; labelId?: string }) {
  return (
    <div className="set-row">
      <div className="set-text">
        {labelFor ? (
          <label className="set-label" htmlFor={labelFor} id={labelId}>
            {label}
          </label>
        ) : (
          <span className="set-label" id={labelId}>
            {label}
          </span>
        )}
        {hint && <p className="set-hint">{hint}</p>}
        {error && (
          <p className="field-error" role="alert" data-testid="setting-error">
            Could not change this: {error}
          </p>
        )}
      </div>
      <div className="set-control">
        {saving && <span className="set-saving muted">Saving…</span>}
        {children}
      </div>
    </div>
  );
}

function ThemeRow() {
  const id = useId();
  const value = useSettings((s) => shownValue(s, 'theme'));
  const error = useSettings((s) => s.errors.theme);
  return (
    <SettingRow label="Theme" labelId={id} hint="System follows the light or dark mode of your OS." error={error}>
      <div className="segmented" role="radiogroup" aria-labelledby={id} data-testid="theme-choice">
        {THEMES.map((t) => (
          <label key={t.value} className={value === t.value ? 'segment is-on' : 'segment'}>
            <input type="radio" name={`${id}-theme`} value={t.value} checked={value === t.value} onChange={() => void changeSetting('theme', t.value)} />
            {t.label}
          </label>
        ))}
      </div>
    </SettingRow>
  );
}

function LanguageRow() {
  const id = useId();
  const value = useSettings((s) => shownValue(s, 'language'));
  const error = useSettings((s) => s.errors.language);
  return (
    <SettingRow label="Language" labelFor={id} hint="System picks Simplified Chinese for a Chinese OS, English otherwise." error={error}>
      <select id={id} className="set-select" value={value ?? 'system'} onChange={(e) => void changeSetting('language', e.target.value as AppSettings['language'])}>
        {LANGUAGES.map((l) => (
          <option key={l.value} value={l.value} lang={l.lang}>
            {l.label}
          </option>
        ))}
      </select>
    </SettingRow>
  );
}

function IntervalRow() {
  const id = useId();
  const value = useSettings((s) => shownValue(s, 'statsIntervalMs'));
  const error = useSettings((s) => s.errors.statsIntervalMs);
  const saving = useSettings((s) => 'statsIntervalMs' in s.pending);
  // A value set elsewhere (the CLI, an older version) stays selectable instead of showing as another one.
  const options = value !== undefined && !STATS_INTERVALS.includes(value) ? [...STATS_INTERVALS, value].sort((a, b) => a - b) : STATS_INTERVALS;
  return (
    <SettingRow
      label="Update interval"
      labelFor={id}
      hint="How often rates, graphs and counters refresh. Shorter is smoother; longer uses less CPU. Traffic history counts every byte either way."
      error={error}
      saving={saving}
    >
      <select id={id} className="set-select" data-testid="stats-interval" value={value ?? 1000} onChange={(e) => void changeSetting('statsIntervalMs', Number(e.target.value))}>
        {options.map((ms) => (
          <option key={ms} value={ms}>
            {seconds(ms)}
            {STATS_INTERVALS.includes(ms) ? '' : ' (custom)'}
          </option>
        ))}
      </select>
    </SettingRow>
  );
}

function ShellSwitch({ k, label, hint }: { k: ShellKey; label: string; hint: ReactNode }) {
  const desktop = useSettings((s) => s.view?.shell !== undefined);
  const value = useSettings((s) => shownValue(s, k));
  const error = useSettings((s) => s.errors[k]);
  const saving = useSettings((s) => k in s.pending);
  return (
    <SettingRow label={label} hint={hint} error={error} saving={saving}>
      {!desktop && <span className="set-badge">Desktop app only</span>}
      <Switch checked={desktop && value === true} label={label} disabled={!desktop || saving} onChange={(on) => void changeSetting(k, on)} />
    </SettingRow>
  );
}

function Section({ title, children, aside, testId }: { title: string; children: ReactNode; aside?: ReactNode; testId?: string }) {
  const id = useId();
  return (
    <section className="set-card" aria-labelledby={id} data-testid={testId}>
      <div className="set-card-head">
        <h2 id={id}>{title}</h2>
        {aside}
      </div>
      {children}
    </section>
  );
}

export function SettingsView() {
  const loaded = useSettings((s) => s.view !== null);
  const loadError = useSettings((s) => s.loadError);
  const desktop = useSettings((s) => s.view?.shell !== undefined);
  const mode = useApp((s) => s.info?.mode);
  const secretsBackend = useApp((s) => s.info?.secretsBackend);
  if (!loaded) {
    return loadError ? (
      <p className="inline-error settings" role="alert">
        {loadError}
      </p>
    ) : (
      <p className="placeholder">Loading settings…</p>
    );
  }
  return (
    <div className="settings" data-testid="settings" data-desktop={desktop}>
      {loadError && (
        <p className="inline-error" role="alert">
          {loadError}
        </p>
      )}
      <Section title="Appearance">
        <ThemeRow />
        <LanguageRow />
      </Section>
      <Section title="Live statistics">
        <IntervalRow />
      </Section>
      <Section
        title="Desktop app"
        testId="desktop-settings"
        aside={!desktop && <span className="muted set-aside">{mode === 'browser' ? 'This is browser mode: ' : ''}these switches belong to the desktop app.</span>}
      >
        <ShellSwitch k="startAtLogin" label="Start at login" hint="Open Porthole when you sign in, so enabled mappings come up by themselves." />
        <ShellSwitch k="startHidden" label="Start hidden" hint="Start in the tray without opening this window." />
        <ShellSwitch k="notifications" label="Notifications" hint="Tell me when a mapping fails or comes back (repeated flapping is grouped)." />
      </Section>
      <Section title="Secrets">
        <div className="set-row">
          <div className="set-text">
            <span className="set-label">Where passwords and passphrases are kept</span>
            <p className="set-hint" data-testid="secrets-backend">
              {secretsBackend ? secretsBackend.charAt(0).toUpperCase() + secretsBackend.slice(1) : 'Unknown'}
            </p>
          </div>
        </div>
        <ShellSwitch
          k="secretsMemoryOnly"
          label="Keep secrets in memory only when there is no keyring"
          hint="Only matters where the OS has no keyring: passwords are then kept until Porthole quits (you are asked again after a restart) instead of in a file only your user can read."
        />
      </Section>
    </div>
  );
}

