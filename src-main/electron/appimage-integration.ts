import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DesktopEntryError, escapeValue, execLine, writeAutostartEntry } from './autostart';
import { DEEP_LINK_SCHEME } from './deep-link';
import { type LogLine, said } from '../../src-shared/model/log-text';

// An AppImage is not installed: nothing wrote a .desktop entry naming it as the handler of porthole://
// links, so app.setAsDefaultProtocolClient (which asks xdg-settings to point the scheme at our
// desktop file) returns false and links open nothing. When started from an AppImage ($APPIMAGE, set
// by its runtime) Porthole writes that entry itself in the user's applications dir and tells the
// desktop about it. The entry is hidden from menus (NoDisplay): it only registers the scheme, and
// leaves launchers to AppImageLauncher/appimaged or the user. No electron import: unit-tested in Node.

export const APPIMAGE_DESKTOP_FILE = 'porthole-appimage.desktop';
/** Marks the entry as ours, so a file of that name the user wrote is never overwritten. */
const MARKER = 'X-Porthole-AppImage=true';
const SCHEME_MIME = `x-scheme-handler/${DEEP_LINK_SCHEME}`;

/** `$XDG_DATA_HOME/applications`, or `~/.local/share/applications` (a relative XDG_DATA_HOME is ignored, per the spec). */
export function applicationsDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const xdg = env.XDG_DATA_HOME;
  return join(xdg && xdg.startsWith('/') ? xdg : join(home, '.local', 'share'), 'applications');
}

/** The entry's text. `%U` stays a field code (links arrive in argv); the path itself is quoted. */
export function appImageDesktopEntry(appImage: string): string {
  const lines = [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=Porthole',
    'Comment=Opens porthole:// import links with the Porthole AppImage',
    `Exec=${escapeValue(execLine(appImage))} %U`,
    'Terminal=false',
    'NoDisplay=true',
    `MimeType=${SCHEME_MIME};`,
    MARKER,
  ];
  return `${lines.join('\n')}\n`;
}

export type EntryPlan =
  | { action: 'write'; text: string }
  | { action: 'keep' }
  /** A file of our name that we did not write: left alone. */
  | { action: 'foreign' };

export function planAppImageEntry(appImage: string, existing: string | undefined): EntryPlan {
  const text = appImageDesktopEntry(appImage);
  if (existing === undefined) return { action: 'write', text };
  if (!existing.split(/\r?\n/).includes(MARKER)) return { action: 'foreign' };
  return existing === text ? { action: 'keep' } : { action: 'write', text };
}

export interface AppImageDeps {
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** Runs a desktop tool; rejects with an error whose `code` is 'ENOENT' when it is not installed. */
  run(command: string, args: string[]): Promise<void>;
  /** The English line and its code (log-text.ts), for the host log. */
  log(level: 'info' | 'warn', message: string, line: LogLine): void;
}

export type AppImageOutcome = 'not-appimage' | 'registered' | 'unchanged' | 'foreign' | 'failed';

const failure = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Writes or refreshes the entry when running from an AppImage, then points the scheme at it. Never throws. */
export async function registerAppImageHandler(deps: AppImageDeps): Promise<AppImageOutcome> {
  const appImage = (deps.env ?? process.env).APPIMAGE;
  if (!appImage) return 'not-appimage';
  const dir = applicationsDir(deps.env, deps.home);
  const path = join(dir, APPIMAGE_DESKTOP_FILE);
  let existing: string | undefined;
  try {
    existing = readFileSync(path, 'utf8');
  } catch {
    existing = undefined;
  }
  let plan: EntryPlan;
  try {
    plan = planAppImageEntry(appImage, existing);
  } catch (err) {
    // A relative or control-character path cannot be written into Exec safely.
    deps.log('warn', ...said('appImageUnsafePath', { error: err instanceof DesktopEntryError ? err.message : failure(err) }));
    return 'failed';
  }
  if (plan.action === 'foreign') {
    deps.log('info', ...said('appImageForeign', { path }));
    return 'foreign';
  }
  if (plan.action === 'keep') return 'unchanged';
  try {
    writeAutostartEntry(path, plan.text);
  } catch (err) {
    deps.log('warn', ...said('appImageWriteFailed', { path, error: failure(err) }));
    return 'failed';
  }
  // The entry alone is found by most desktops; these make it the scheme's handler and refresh the
  // cache that some of them read. A tool that is not installed is skipped.
  const steps: Array<[string, string[]]> = [
    ['xdg-mime', ['default', APPIMAGE_DESKTOP_FILE, SCHEME_MIME]],
    ['update-desktop-database', [dir]],
  ];
  for (const [command, args] of steps) {
    try {
      await deps.run(command, args);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      deps.log('warn', ...said('appImageToolFailed', { command, error: failure(err) }));
      return 'failed';
    }
  }
  deps.log('info', ...said('appImageRegistered', { appImage, path }));
  return 'registered';
}

/** How main.ts runs the desktop tools: no shell, a deadline, and ENOENT (err.code) when one is missing. */
export const runDesktopTool = (command: string, args: string[]): Promise<void> =>
  new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 10_000 }, (err) => (err ? reject(err) : resolve()));
  });
