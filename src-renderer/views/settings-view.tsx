import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Switch } from '../components/switch';
import { fmtNumber } from '../i18n/format';
import { t as tt } from '../i18n/i18n';
import { translateMessage, translateSecretsBackend } from '../i18n/messages';
import { useApp } from '../store/app-store';
import { changeSetting, shownValue, useSettings, type ShellKey } from '../store/settings';
import type { AppSettings } from '../../src-shared/model/settings';
import '../dashboard.css';

const THEMES: readonly AppSettings['theme'][] = ['system', 'light', 'dark'];

/** Each language by its own name, whatever the UI language; "system" is translated. */
const LANGUAGES: readonly { value: Exclude<AppSettings['language'], 'system'>; name: string }[] = [
  { value: 'en', name: 'English' },
  { value: 'zh-CN', name: '简体中文' },
];

export const STATS_INTERVALS: readonly number[] = [500, 1000, 2000, 5000];

function seconds(ms: number): string {
  return tt('settings.interval.seconds', { value: fmtNumber(ms / 1000) });
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function SettingRow({ label, hint, error, saving, children, labelFor, labelId }: { label: string; hint?: ReactNode; error?: string; saving?: boolean; children: ReactNode; labelFor?: string; labelId?: string }) {
  const { t } = useTranslation();
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
            {t('settings.couldNotChange', { error: translateMessage(error) })}
          </p>
        )}
      </div>
      <div className="set-control">
        {saving && <span className="set-saving muted">{t('settings.saving')}</span>}
        {children}
      </div>
    </div>
  );
}

function ThemeRow() {
  const { t } = useTranslation();
  const id = useId();
  const value = useSettings((s) => shownValue(s, 'theme'));
  const error = useSettings((s) => s.errors.theme);
  return (
    <SettingRow label={t('settings.theme.label')} labelId={id} hint={t('settings.theme.hint')} error={error}>
      <div className="segmented" role="radiogroup" aria-labelledby={id} data-testid="theme-choice">
        {THEMES.map((theme) => (
          <label key={theme} className={value === theme ? 'segment is-on' : 'segment'}>
            <input type="radio" name={`${id}-theme`} value={theme} checked={value === theme} onChange={() => void changeSetting('theme', theme)} />
            {t(`settings.theme.${theme}`)}
          </label>
        ))}
      </div>
    </SettingRow>
  );
}

function LanguageRow() {
  const { t } = useTranslation();
  const id = useId();
  const value = useSettings((s) => shownValue(s, 'language'));
  const error = useSettings((s) => s.errors.language);
  return (
    <SettingRow label={t('settings.language.label')} labelFor={id} hint={t('settings.language.hint')} error={error}>
      <select id={id} className="set-select" value={value ?? 'system'} onChange={(e) => void changeSetting('language', e.target.value as AppSettings['language'])}>
        <option value="system">{t('settings.language.system')}</option>
        {LANGUAGES.map((l) => (
          <option key={l.value} value={l.value} lang={l.value}>
            {l.name}
          </option>
        ))}
      </select>
    </SettingRow>
  );
}

function IntervalRow() {
  const { t } = useTranslation();
  const id = useId();
  const value = useSettings((s) => shownValue(s, 'statsIntervalMs'));
  const error = useSettings((s) => s.errors.statsIntervalMs);
  const saving = useSettings((s) => 'statsIntervalMs' in s.pending);
  // A value set elsewhere (the CLI, an older version) stays selectable instead of showing as another one.
  const options = value !== undefined && !STATS_INTERVALS.includes(value) ? [...STATS_INTERVALS, value].sort((a, b) => a - b) : STATS_INTERVALS;
  return (
    <SettingRow
      label={t('settings.interval.label')}
      labelFor={id}
      hint={t('settings.interval.hint')}
      error={error}
      saving={saving}
    >
      <select id={id} className="set-select" data-testid="stats-interval" value={value ?? 1000} onChange={(e) => void changeSetting('statsIntervalMs', Number(e.target.value))}>
        {options.map((ms) => (
          <option key={ms} value={ms}>
            {STATS_INTERVALS.includes(ms) ? seconds(ms) : t('settings.interval.custom', { interval: seconds(ms) })}
          </option>
        ))}
      </select>
    </SettingRow>
  );
}

function ShellSwitch({ k, label, hint }: { k: ShellKey; label: string; hint: ReactNode }) {
  const { t } = useTranslation();
  const desktop = useSettings((s) => s.view?.shell !== undefined);
  const value = useSettings((s) => shownValue(s, k));
  const error = useSettings((s) => s.errors[k]);
  const saving = useSettings((s) => k in s.pending);
  return (
    <SettingRow label={label} hint={hint} error={error} saving={saving}>
      {!desktop && <span className="set-badge">{t('settings.desktop.only')}</span>}
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
  const { t } = useTranslation();
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
      <p className="placeholder">{t('settings.loading')}</p>
    );
  }
  return (
    <div className="settings" data-testid="settings" data-desktop={desktop}>
      {loadError && (
        <p className="inline-error" role="alert">
          {loadError}
        </p>
      )}
      <Section title={t('settings.appearance')}>
        <ThemeRow />
        <LanguageRow />
      </Section>
      <Section title={t('settings.liveStats')}>
        <IntervalRow />
      </Section>
      <Section
        title={t('settings.desktop.title')}
        testId="desktop-settings"
        aside={!desktop && <span className="muted set-aside">{mode === 'browser' ? t('settings.desktop.asideBrowser') : t('settings.desktop.aside')}</span>}
      >
        <ShellSwitch k="startAtLogin" label={t('settings.desktop.startAtLogin')} hint={t('settings.desktop.startAtLoginHint')} />
        <ShellSwitch k="startHidden" label={t('settings.desktop.startHidden')} hint={t('settings.desktop.startHiddenHint')} />
        <ShellSwitch k="notifications" label={t('settings.desktop.notifications')} hint={t('settings.desktop.notificationsHint')} />
      </Section>
      <Section title={t('settings.secrets.title')}>
        <div className="set-row">
          <div className="set-text">
            <span className="set-label">{t('settings.secrets.where')}</span>
            <p className="set-hint" data-testid="secrets-backend">
              {secretsBackend ? capitalised(translateSecretsBackend(secretsBackend)) : t('settings.secrets.unknown')}
            </p>
          </div>
        </div>
        <ShellSwitch
          k="secretsMemoryOnly"
          label={t('settings.secrets.memoryOnly')}
          hint={t('settings.secrets.memoryOnlyHint')}
        />
      </Section>
    </div>
  );
}

