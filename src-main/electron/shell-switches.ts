import { loadShellSettings, saveShellSettings } from './shell-settings';
import type { ShellSettings } from './shell-settings';
import { type LogLine, said } from '../../src-shared/model/log-text';

// The tray's desktop switches: remembered in shell-settings.json, applied to the OS (login item) here;
// others are read where they matter (notifications, start hidden) or told through onChange (secrets).
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
  onError?: (message: string, line: LogLine) => void;
  /** A switch changed (after it was applied and saved, or kept for the session when saving failed). */
  onChange?: (key: keyof ShellSettings, value: boolean) => void;
}

export interface ShellSwitches {
  get(): ShellSettings;
  /** Applies and keeps a switch; throws (changing nothing) when the OS refused it. */
  apply(key: keyof ShellSettings, value: boolean): void;
  /** apply() for the tray: a refusal goes to onError and the old value stays. */
  set(key: keyof ShellSettings, value: boolean): void;
}

export class ShellSwitchError extends Error {}

export function createShellSwitches(opts: ShellSwitchesOptions): ShellSwitches {
  let current = loadShellSettings(opts.dataDir);
  const report = (what: string, err: unknown): void =>
    opts.onError?.(...said('desktopSettingFailed', { what, error: err instanceof Error ? err.message : String(err) }));

  if (opts.reconcile && current.startAtLogin) {
    try {
      opts.setStartAtLogin(true);
    } catch (err) {
      report('Could not renew the start-at-login entry', err);
    }
  }

  const apply = (key: keyof ShellSettings, value: boolean): void => {
    if (current[key] === value) return;
    if (key === 'startAtLogin') {
      try {
        opts.setStartAtLogin(value);
      } catch (err) {
        // Not applied: the old value stays, so a checkbox snaps back on the next redraw.
        throw new ShellSwitchError(`Could not turn start at login ${value ? 'on' : 'off'}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const next = { ...current, [key]: value };
    try {
      saveShellSettings(opts.dataDir, next);
    } catch (err) {
      report('Could not save the desktop settings (they apply until Porthole quits)', err);
    }
    current = next;
    opts.onChange?.(key, value);
  };

  return {
    get: () => ({ ...current }),
    apply,
    set(key, value) {
      try {
        apply(key, value);
      } catch (err) {
        opts.onError?.(...said('desktopSwitchFailed', { error: err instanceof Error ? err.message : String(err) }));
      }
    },
  };
}
