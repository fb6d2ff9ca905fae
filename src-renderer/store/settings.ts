import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { PortholeApi } from '../../src-shared/api/contract';
import type { AppSettings, SettingsUpdate, SettingsView, ShellPrefs } from '../../src-shared/model/settings';
import { t } from '../i18n/i18n';
import { translateMessage } from '../i18n/messages';
import type { AppStore } from './app-store';

// The Settings view's state: what the host last confirmed, the changes still in flight (shown at once,
// put back if the host refuses) and one inline error per setting. `settings-changed` from another window
// or the tray replaces the confirmed values; a change in flight here still wins on screen until it settles.

export type AppKey = keyof AppSettings;
export type ShellKey = keyof ShellPrefs;
export type SettingKey = AppKey | ShellKey;
type Values = AppSettings & ShellPrefs;

export const SHELL_KEYS: readonly ShellKey[] = ['startAtLogin', 'startHidden', 'notifications', 'secretsMemoryOnly'];

export function isShellKey(key: SettingKey): key is ShellKey {
  return (SHELL_KEYS as readonly string[]).includes(key);
}

export interface SettingsState {
  /** As the host last confirmed it; null until loaded. */
  view: SettingsView | null;
  loadError: string | null;
  /** Changes sent and not answered yet: the value shown meanwhile. */
  pending: Partial<Values>;
  errors: Partial<Record<SettingKey, string>>;
}

export function emptySettings(): SettingsState {
  return { view: null, loadError: null, pending: {}, errors: {} };
}

/** The value to show: the change in flight, else the confirmed one. */
export function shownValue<K extends SettingKey>(s: SettingsState, key: K): Values[K] | undefined {
  if (key in s.pending) return s.pending[key] as Values[K];
  if (!s.view) return undefined;
  if (isShellKey(key)) return s.view.shell?.[key] as Values[K] | undefined;
  return s.view[key as AppKey] as Values[K];
}

export function patchFor<K extends SettingKey>(key: K, value: Values[K]): SettingsUpdate {
  return isShellKey(key) ? { shell: { [key]: value } } : ({ [key]: value } as SettingsUpdate);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export type SettingsStore = StoreApi<SettingsState>;

export const settingsStore: SettingsStore = createStore<SettingsState>()(() => emptySettings());

export function useSettings<T>(selector: (s: SettingsState) => T): T {
  return useStore(settingsStore, selector);
}

export interface SettingsEffects {
  theme(theme: AppSettings['theme']): void;
  language(language: AppSettings['language']): void;
}

export interface SettingsController {
  change<K extends SettingKey>(key: K, value: Values[K]): Promise<void>;
  reload(): Promise<void>;
  dispose(): void;
}

/**
 * Loads the settings, follows `settings-changed` and reloads after a reconnect (events sent while the
 * socket was down are lost). Theme and language are applied whenever the value shown changes — so a
 * change is visible before the host has answered.
 */
export function createSettingsController(api: PortholeApi, appStore: AppStore, store: SettingsStore, effects: SettingsEffects): SettingsController {
  let disposed = false;
  let serial = 0;
  /** The latest change in flight per setting; numbers are never reused, so a stale answer never matches. */
  const seq: Partial<Record<SettingKey, number>> = {};
  let nextSeq = 0;

  async function reload(): Promise<void> {
    const mine = ++serial;
    try {
      const view = await api.settings.get();
      if (disposed || mine !== serial) return;
      store.setState({ view, loadError: null });
    } catch (err) {
      if (disposed || mine !== serial) return;
      store.setState({ loadError: t('settings.loadError', { error: translateMessage(errorText(err)) }) });
    }
  }

  /** AppInfo.secretsBackend says where secrets live, which the memory-only switch changes. */
  function confirmed(view: SettingsView): void {
    const before = store.getState().view;
    if (before?.shell && view.shell && before.shell.secretsMemoryOnly !== view.shell.secretsMemoryOnly) {
      api.app.info().then(
        (info) => {
          if (!disposed) appStore.setState({ info });
        },
        () => undefined,
      );
    }
  }

  function settle(key: SettingKey, mine: number, patch: Partial<SettingsState>): void {
    if (disposed) return;
    if (patch.view) confirmed(patch.view);
    store.setState((s) => {
      if (seq[key] !== mine) return patch.view ? { view: patch.view } : s;
      delete seq[key];
      const pending = { ...s.pending };
      delete pending[key];
      return { ...patch, pending };
    });
  }

  async function change<K extends SettingKey>(key: K, value: Values[K]): Promise<void> {
    const mine = ++nextSeq;
    seq[key] = mine;
    store.setState((s) => {
      const errors = { ...s.errors };
      delete errors[key];
      return { pending: { ...s.pending, [key]: value }, errors };
    });
    try {
      const view = await api.settings.update(patchFor(key, value));
      settle(key, mine, { view });
    } catch (err) {
      settle(key, mine, { errors: { ...store.getState().errors, [key]: errorText(err) } });
    }
  }

  let lastTheme: AppSettings['theme'] | undefined;
  let lastLanguage: AppSettings['language'] | undefined;
  const applyShown = (s: SettingsState) => {
    const theme = shownValue(s, 'theme');
    if (theme !== undefined && theme !== lastTheme) effects.theme((lastTheme = theme));
    const language = shownValue(s, 'language');
    if (language !== undefined && language !== lastLanguage) effects.language((lastLanguage = language));
  };

  const offs = [
    store.subscribe(applyShown),
    api.on.settingsChanged((view) => {
      confirmed(view);
      store.setState({ view, loadError: null });
    }),
    appStore.subscribe((s, prev) => {
      if (s.connection === 'open' && prev.connection !== 'open' && prev.connection !== 'connecting') void reload();
    }),
  ];
  void reload();

  return {
    change,
    reload,
    dispose() {
      disposed = true;
      for (const off of offs) off();
    },
  };
}

let controller: SettingsController | null = null;

/** Wires this window's settings once (main.tsx). */
export function initSettings(api: PortholeApi, appStore: AppStore, effects: SettingsEffects): () => void {
  controller?.dispose();
  controller = createSettingsController(api, appStore, settingsStore, effects);
  return () => {
    controller?.dispose();
    controller = null;
  };
}

export function changeSetting<K extends SettingKey>(key: K, value: Values[K]): Promise<void> {
  if (!controller) return Promise.reject(new Error('settings are not wired (initSettings was not called)'));
  return controller.change(key, value);
}
