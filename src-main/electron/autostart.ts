import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

// Linux start-at-login: an XDG autostart entry (https://specifications.freedesktop.org/autostart-spec/).
// No electron import, so the quoting (which hostile install paths exercise) is unit-tested in Node.

export interface DesktopEntryOptions {
  name: string;
  /** Absolute path of the program (the AppImage, or the installed binary). */
  exec: string;
  args?: readonly string[];
  icon?: string;
  comment?: string;
  /** Hidden=true tells the session to ignore the entry (the spec's way to switch it off). */
  hidden?: boolean;
}

export class DesktopEntryError extends Error {}

// Control characters cannot be expressed in an Exec argument at all (a newline would end the key).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// Desktop Entry spec, "The Exec key": reserved characters force an argument into double quotes.
const RESERVED = /[\s"'\\><~|&;$*?#()`]/;

function checkText(what: string, value: string): void {
  if (CONTROL.test(value)) throw new DesktopEntryError(`${what} contains a control character (newline, tab, …)`);
}

/**
 * One Exec argument. Inside double quotes `"`, `` ` ``, `$` and `\` take a backslash; `%` is a field
 * code everywhere and is doubled. The string-value escaping (`\` → `\\`) is applied on top by
 * escapeValue, which is why a literal backslash ends up as four in the file, as the spec says.
 */
export function quoteExecArg(arg: string): string {
  checkText('An Exec argument', arg);
  if (arg === '') return '""';
  const fieldSafe = arg.replaceAll('%', '%%');
  if (!RESERVED.test(arg)) return fieldSafe;
  return `"${fieldSafe.replace(/["`$\\]/g, (c) => `\\${c}`)}"`;
}

/** String/localestring value escaping (spec, "Possible value types"): backslash first. */
export function escapeValue(value: string): string {
  return value.replaceAll('\\', '\\\\');
}

export function execLine(exec: string, args: readonly string[] = []): string {
  if (!exec.startsWith('/')) throw new DesktopEntryError('Exec must be an absolute path');
  return [exec, ...args].map(quoteExecArg).join(' ');
}

/** The text of the `.desktop` file. Throws DesktopEntryError for values that cannot be written safely. */
export function desktopEntry(opts: DesktopEntryOptions): string {
  for (const [what, v] of [['Name', opts.name], ['Icon', opts.icon], ['Comment', opts.comment]] as const) {
    if (v !== undefined) checkText(what, v);
  }
  if (opts.name.trim() === '') throw new DesktopEntryError('Name is empty');
  const lines = [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    `Name=${escapeValue(opts.name)}`,
    `Comment=${escapeValue(opts.comment ?? `Start ${opts.name} at login`)}`,
    `Exec=${escapeValue(execLine(opts.exec, opts.args))}`,
    ...(opts.icon ? [`Icon=${escapeValue(opts.icon)}`] : []),
    'Terminal=false',
    'NoDisplay=false',
    `Hidden=${opts.hidden ? 'true' : 'false'}`,
    'X-GNOME-Autostart-enabled=true',
  ];
  return `${lines.join('\n')}\n`;
}

export const AUTOSTART_FILE = 'porthole.desktop';

/** `$XDG_CONFIG_HOME/autostart/porthole.desktop`; a relative or empty XDG_CONFIG_HOME is ignored (spec). */
export function autostartPath(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && xdg.startsWith('/') ? xdg : join(home, '.config');
  return join(base, 'autostart', AUTOSTART_FILE);
}

/** Writes atomically (temp file + rename in the same directory), so a session never reads half a file. */
export function writeAutostartEntry(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Removes the entry; a missing file is already the wanted outcome. */
export function removeAutostartEntry(path: string): void {
  rmSync(path, { force: true });
}
