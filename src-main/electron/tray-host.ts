import { execFile } from 'node:child_process';
import { type LogLine, said } from '../../src-shared/model/log-text';

// Whether anyone will show our tray icon. On Windows and macOS there always is a notification area /
// menu bar. On Linux, Electron's Tray is a StatusNotifierItem: it is shown only while some process
// owns org.kde.StatusNotifierWatcher on the session bus (KDE, Cinnamon, XFCE's panel plugin, GNOME
// with the AppIndicator extension; Chromium then falls back to an XEmbed icon that GNOME never shows).
// `new Tray()` succeeds either way, so the no-tray fallback in main.ts never ran and a hidden start
// on stock GNOME left Porthole running with nothing on screen.
//
// Decision: ask the bus (gdbus, else dbus-send — one of them is on every desktop with a session bus).
// Only a confirmed tray host lets Porthole start hidden; when the answer is "nobody" or "cannot tell",
// the window is shown at start (a visible window is at worst a nuisance; an invisible app is a bug).
// When the bus says "nobody", closing the window also minimizes instead of hiding, since hiding would
// leave nothing to click. The answer is read once at start: a host that appears later (say, the
// extension enabled afterwards) shows the icon anyway, and the next start hides as asked.
// No electron import: unit-tested in plain Node against a private dbus-daemon.

export type TrayHost = 'present' | 'absent' | 'unknown';

export const STATUS_NOTIFIER_WATCHER = 'org.kde.StatusNotifierWatcher';
const PROBE_TIMEOUT_MS = 2000;

/** NameHasOwner's answer as gdbus ("(true,)") or dbus-send ("   boolean true") prints it. */
export function parseNameHasOwner(stdout: string): boolean | undefined {
  const m = /\(\s*(true|false)\s*,\s*\)|\bboolean\s+(true|false)\b/.exec(stdout);
  const word = m?.[1] ?? m?.[2];
  return word === undefined ? undefined : word === 'true';
}

/** Runs a tool and resolves with its stdout; rejects on a non-zero exit, a timeout or ENOENT (err.code). */
export type RunTool = (command: string, args: string[], env: NodeJS.ProcessEnv) => Promise<string>;

export const runTool: RunTool = (command, args, env) =>
  new Promise((resolve, reject) => {
    execFile(command, args, { env, timeout: PROBE_TIMEOUT_MS, windowsHide: true }, (err, stdout) => (err ? reject(err) : resolve(String(stdout))));
  });

export interface ProbeOptions {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  run?: RunTool;
  /** The bus name to look for (tests use one that always has an owner). */
  name?: string;
}

export async function probeTrayHost(opts: ProbeOptions = {}): Promise<TrayHost> {
  if ((opts.platform ?? process.platform) !== 'linux') return 'present';
  const env = opts.env ?? process.env;
  const run = opts.run ?? runTool;
  const name = opts.name ?? STATUS_NOTIFIER_WATCHER;
  const probes: Array<[string, string[]]> = [
    ['gdbus', ['call', '--session', '--dest', 'org.freedesktop.DBus', '--object-path', '/org/freedesktop/DBus', '--method', 'org.freedesktop.DBus.NameHasOwner', name]],
    ['dbus-send', ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', `string:${name}`]],
  ];
  for (const [command, args] of probes) {
    try {
      const owned = parseNameHasOwner(await run(command, args, env));
      if (owned !== undefined) return owned ? 'present' : 'absent';
    } catch (err) {
      // Not installed: try the other tool. Any other failure (no session bus): nobody can tell.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return 'unknown';
    }
  }
  return 'unknown';
}

export interface StartDecision {
  /** Start with the window hidden (in the tray). */
  hidden: boolean;
  /** Closing the window hides it (tray) or minimizes it (no tray host to bring it back from). */
  onClose: 'hide' | 'minimize';
  /** Why a hidden start was overridden, for the log: the English line and its code. */
  note?: [string, LogLine];
}

export function decideStart(opts: { startHidden: boolean; trayHost: TrayHost; trayCreated: boolean }): StartDecision {
  const confirmed = opts.trayCreated && opts.trayHost === 'present';
  const onClose = opts.trayHost === 'absent' || !opts.trayCreated ? 'minimize' : 'hide';
  if (!opts.startHidden || confirmed) return { hidden: opts.startHidden, onClose };
  const why = !opts.trayCreated
    ? 'no tray icon could be created'
    : opts.trayHost === 'absent'
      ? 'this desktop shows no tray icons (on GNOME, the AppIndicator extension adds them)'
      : 'Porthole could not tell whether this desktop shows tray icons (no session bus answer)';
  return { hidden: false, onClose, note: said('shownAtStart', { why }) };
}

/** The Electron e2e project fixes the answer with PORTHOLE_E2E_TRAY_HOST (never in a packaged app). */
export function trayHostOverride(value: string | undefined): TrayHost | undefined {
  return value === 'present' || value === 'absent' || value === 'unknown' ? value : undefined;
}
