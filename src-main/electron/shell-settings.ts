import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Desktop-only switches (start at login, notifications) until the settings API has them: a small JSON
// file next to window-state.json, validated on load. Start-at-login's truth is the OS login item; this
// file remembers what the user chose so the shell can reconcile the two at start.

export interface ShellSettings {
  startAtLogin: boolean;
  notifications: boolean;
}

export const SHELL_SETTINGS_FILE = 'shell-settings.json';
export const DEFAULT_SHELL_SETTINGS: ShellSettings = { startAtLogin: false, notifications: true };

/** Keeps each known boolean that is valid, the default for anything else (never throws). */
export function parseShellSettings(raw: unknown): ShellSettings {
  const out = { ...DEFAULT_SHELL_SETTINGS };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return out;
  const r = raw as Record<string, unknown>;
  if (typeof r.startAtLogin === 'boolean') out.startAtLogin = r.startAtLogin;
  if (typeof r.notifications === 'boolean') out.notifications = r.notifications;
  return out;
}

export function loadShellSettings(dir: string): ShellSettings {
  try {
    return parseShellSettings(JSON.parse(readFileSync(join(dir, SHELL_SETTINGS_FILE), 'utf8')));
  } catch {
    return { ...DEFAULT_SHELL_SETTINGS };
  }
}

/** Atomic (temp + rename). Throws, so the caller can tell the user the choice was not kept. */
export function saveShellSettings(dir: string, settings: ShellSettings): void {
  const path = join(dir, SHELL_SETTINGS_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(parseShellSettings(settings))}\n`, { mode: 0o600 });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
