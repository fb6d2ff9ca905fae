import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Desktop-only switches (start at login, start hidden, notifications, secrets without a keyring) until
// the settings API has them: a small JSON
// file next to window-state.json, validated on load. Start-at-login's truth is the OS login item; this
// file remembers what the user chose so the shell can reconcile the two at start.

export interface ShellSettings {
  startAtLogin: boolean;
  /** Every start opens in the tray only, not just the ones from the login item. */
  startHidden: boolean;
  notifications: boolean;
  /**
   * Where the OS offers no keyring (Linux `basic_text`, or no encryption at all): keep passwords,
   * passphrases and tokens in memory for the session instead of in a plain secrets.json.
   */
  secretsMemoryOnly: boolean;
}

export const SHELL_SETTINGS_FILE = 'shell-settings.json';
export const DEFAULT_SHELL_SETTINGS: ShellSettings = {
  startAtLogin: false,
  startHidden: false,
  notifications: true,
  secretsMemoryOnly: false,
};
const KEYS = Object.keys(DEFAULT_SHELL_SETTINGS) as Array<keyof ShellSettings>;

/** Keeps each known boolean that is valid, the default for anything else (never throws). */
export function parseShellSettings(raw: unknown): ShellSettings {
  const out = { ...DEFAULT_SHELL_SETTINGS };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return out;
  const r = raw as Record<string, unknown>;
  for (const key of KEYS) {
    const v = r[key];
    if (typeof v === 'boolean') out[key] = v;
  }
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
