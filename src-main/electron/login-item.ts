import type { App } from 'electron';
import { autostartPath, desktopEntry, removeAutostartEntry, writeAutostartEntry } from './autostart';

// Start at login. Windows and macOS: the OS login items through Electron. Linux: Electron's
// setLoginItemSettings does nothing there, so an XDG autostart entry is written instead. Only types
// come from electron here; main.ts passes `app` in, which keeps this testable in plain Node.

/** Launched by the OS at login: start in the tray, not with the window in the user's face. */
export const HIDDEN_FLAG = '--hidden';

export type LoginItemApp = Pick<App, 'setLoginItemSettings' | 'getLoginItemSettings' | 'getAppPath' | 'isPackaged'>;

export interface LoginItemDeps {
  app: LoginItemApp;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  execPath?: string;
  /** Overrides where the Linux entry goes (tests); default autostartPath(env). */
  autostartFile?: string;
}

/**
 * What the OS should run. An AppImage's execPath points into its temporary mount, which is gone after
 * a reboot: the AppImage file itself (APPIMAGE, set by its runtime) is the stable path. Unpackaged
 * (development), Electron needs the app directory as its first argument.
 */
export function loginCommand(deps: LoginItemDeps): { exec: string; args: string[] } {
  const env = deps.env ?? process.env;
  const platform = deps.platform ?? process.platform;
  const appImage = platform === 'linux' ? env.APPIMAGE : undefined;
  const exec = appImage && appImage.startsWith('/') ? appImage : (deps.execPath ?? process.execPath);
  const args = deps.app.isPackaged ? [HIDDEN_FLAG] : [deps.app.getAppPath(), HIDDEN_FLAG];
  return { exec, args };
}

/** Turns start-at-login on or off. Throws on a Linux write error (the caller reports it). */
export function setStartAtLogin(enabled: boolean, deps: LoginItemDeps): void {
  const platform = deps.platform ?? process.platform;
  const cmd = loginCommand(deps);
  if (platform === 'win32') {
    // Windows keys the Run entry by path + args: switching off must name the same ones.
    deps.app.setLoginItemSettings({ openAtLogin: enabled, path: cmd.exec, args: cmd.args });
    return;
  }
  if (platform === 'darwin') {
    // macOS 13+ (SMAppService) ignores args; wasOpenedAtLogin says how we were started instead.
    deps.app.setLoginItemSettings({ openAtLogin: enabled });
    return;
  }
  const file = deps.autostartFile ?? autostartPath(deps.env ?? process.env);
  if (!enabled) {
    removeAutostartEntry(file);
    return;
  }
  writeAutostartEntry(
    file,
    desktopEntry({
      name: 'Porthole',
      comment: 'Start Porthole in the tray at login',
      exec: cmd.exec,
      args: cmd.args,
      icon: 'porthole',
    }),
  );
}

/** True when this launch came from the login item (or anyone asked for a hidden start). */
export function launchedHidden(argv: readonly string[], deps: Pick<LoginItemDeps, 'app' | 'platform'>): boolean {
  if (argv.includes(HIDDEN_FLAG)) return true;
  if ((deps.platform ?? process.platform) !== 'darwin') return false;
  return deps.app.getLoginItemSettings().wasOpenedAtLogin === true;
}
