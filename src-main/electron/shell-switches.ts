import { loadShellSettings, saveShellSettings } from './shell-settings';
import type { ShellSettings } from './shell-settings';

// The tray's desktop switches: remembered in shell-settings.json, applied to the OS (login item) here.
// No electron import: main.ts passes the login-item setter in.

export interface ShellSwitchesOptions {
  dataDir: string;
  /** Applies start-at-login to the OS; throws when it could not (e.g. autostart dir not writable). */
  setStartAtLogin: (enabled: boolean) => void;
  /**
   * Re-apply a remembered "on" at start, so a moved AppImage or reinstalled app gets a fresh entry.
   * False for development and test runs, which must never touch the user's real login items.
   */
  reconcile: boolean;
  onError?: (message: string) => void;
}

export interface ShellSwitches {
  get(): ShellSettings;
  set(key: keyof ShellSettings, value: boolean): void;
}

export function createShellSwitches(opts: ShellSwitchesOptions): ShellSwitches {
  let current = loadShellSettings(opts.dataDir);
  const report = (what: string, err: unknown): void =>
    opts.onError?.(`${what}: ${err instanceof Error ? err.message : String(err)}`);

  if (opts.reconcile && current.startAtLogin) {
    try {
      opts.setStartAtLogin(true);
    } catch (err) {
      report('Could not renew the start-at-login entry', err);
    }
  }

  return {
    get: () => ({ ...current }),
    set(key, value) {
      if (current[key] === value) return;
      if (key === 'startAtLogin') {
        try {
          opts.setStartAtLogin(value);
        } catch (err) {
          // Not applied: keep the old value, so the checkbox snaps back on the next redraw.
          report(`Could not turn start at login ${value ? 'on' : 'off'}`, err);
          return;
        }
      }
      const next = { ...current, [key]: value };
      try {
        saveShellSettings(opts.dataDir, next);
      } catch (err) {
        report('Could not save the desktop settings (they apply until Porthole quits)', err);
      }
      current = next;
    },
  };
}
