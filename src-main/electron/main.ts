import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { app, dialog, net, powerMonitor } from 'electron';
import type { BrowserWindow } from 'electron';
import ElectronStore from 'electron-store';
import { createCore } from '../service/core';
import type { Core } from '../service/core';
import type { ConfFactory } from '../store/conf-like';
import { acquireDataDirLock, DataDirLockedError } from '../store/data-dir-lock';
import type { DataDirLock } from '../store/data-dir-lock';
import { rendererLocation, trayIconDir } from './app-paths';
import { DEEP_LINK_SCHEME, deepLinkLogLine, extractDeepLinkFromArgv, parseDeepLink } from './deep-link';
import type { DeepLinkResult } from './deep-link';
import { installIpcBridge } from './ipc-bridge';
import { launchedHidden, setStartAtLogin } from './login-item';
import { installNotifications } from './notifications';
import { installPowerEvents } from './power-events';
import { safeStorageCodec } from './secret-codec';
import { createShellSwitches } from './shell-switches';
import { TrayController } from './tray';
import { createMainWindow, revealWindow } from './window';

// Composition root of the desktop app: wiring only. Everything here runs in Electron's main process.

/** `--data-dir DIR` or `--data-dir=DIR` on our own command line. */
function dataDirFlag(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--data-dir') return argv[i + 1];
    if (arg?.startsWith('--data-dir=')) return arg.slice('--data-dir='.length);
  }
  return undefined;
}

/** Fatal start-up error: say why in a dialog, let go of the data dir, exit 1 (no before-quit). */
function fail(title: string, err: unknown, lock?: DataDirLock): void {
  dialog.showErrorBox(title, err instanceof Error ? err.message : String(err));
  lock?.release();
  app.exit(1);
}

const confFactory: ConfFactory = (o) =>
  new ElectronStore<Record<string, unknown>>({ cwd: o.cwd, name: o.configName, clearInvalidConfig: false });

const SHUTDOWN_TIMEOUT_MS = 8000;

app.enableSandbox();
// Windows shows toasts only for an app with an AppUserModelID (electron-builder's appId).
if (process.platform === 'win32') app.setAppUserModelId('dev.porthole.app');

const override = dataDirFlag(process.argv) ?? process.env.PORTHOLE_DATA_DIR;
if (override) {
  // Chromium keys the single-instance lock (and its own profile) to userData: moving userData into
  // the chosen data dir gives one instance per data dir, like the data-dir lock, and keeps test runs
  // out of the user's real profile.
  app.setPath('userData', resolve(override));
}
const dataDir = app.getPath('userData');

if (!app.requestSingleInstanceLock()) {
  // Another Porthole owns this data dir; it gets a `second-instance` event and shows its window.
  app.quit();
} else {
  let lock: DataDirLock | undefined;
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    lock = acquireDataDirLock(dataDir, 'porthole (desktop app)');
  } catch (err) {
    // showErrorBox may be called before `ready` (Electron docs; on Linux it then goes to stderr).
    fail(err instanceof DataDirLockedError ? 'Porthole is already running' : 'Porthole could not start', err);
  }
  if (lock) void start(lock);
}

async function start(lock: DataDirLock): Promise<void> {
  let quitting = false;
  let shutdownDone = false;
  let core: Core | undefined;
  // Filled in once ready; the lifecycle handlers below are registered before that.
  const shell: { win?: BrowserWindow; disposeBridge?: () => void; disposers: Array<() => void> } = { disposers: [] };
  let tray: TrayController | undefined;
  let shutdownStarted = false;

  // The tray owns the app: closing the last window must not quit it.
  app.on('window-all-closed', () => {});
  // porthole:// links are untrusted: parsed, logged, never fetched (the import preview will show them).
  // macOS can deliver one through open-url before `ready`; those wait until the core and window exist.
  const pendingLinks: DeepLinkResult[] = [];
  const takeLink = (link: DeepLinkResult | undefined): void => {
    if (!link) return;
    if (!core || !shell.win) {
      if (pendingLinks.length < 4) pendingLinks.push(link);
      return;
    }
    const line = deepLinkLogLine(link);
    core.service.log.add(line.level, line.message);
    if (link.ok) revealWindow(shell.win);
  };
  // The second launch's argv is untrusted: only a porthole:// link is taken from it (Windows, Linux).
  app.on('second-instance', (_event, argv) => {
    revealWindow(shell.win);
    takeLink(extractDeepLinkFromArgv(argv));
  });
  app.on('open-url', (event, url) => {
    event.preventDefault();
    takeLink(parseDeepLink(url));
  });
  app.on('activate', () => revealWindow(shell.win));

  app.on('before-quit', (event) => {
    quitting = true;
    if (shutdownDone) return;
    event.preventDefault();
    if (shutdownStarted) return;
    shutdownStarted = true;
    void shutdown().finally(() => {
      shutdownDone = true;
      app.quit();
    });
  });

  async function shutdown(): Promise<void> {
    for (const dispose of shell.disposers.splice(0)) dispose();
    shell.disposeBridge?.();
    tray?.destroy();
    try {
      if (core) {
        const c = core;
        await Promise.race([
          c.shutdown(),
          new Promise<void>((_, reject) =>
            setTimeout(() => reject(new Error('rules did not stop in time')), SHUTDOWN_TIMEOUT_MS).unref(),
          ),
        ]);
      }
    } catch (err) {
      console.error(`Porthole: shutdown was not clean: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      lock.release();
    }
  }

  // A terminal's Ctrl+C (npm start) or a service manager's SIGTERM: quit the normal way.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  await app.whenReady();
  try {
    core = await createCore({
      dataDir,
      mode: 'desktop',
      confFactory,
      storeBackend: 'electron-store',
      // safeStorage is usable only after `ready` (which has been awaited above).
      secretCodec: safeStorageCodec(),
      version: app.getVersion(),
    });
  } catch (err) {
    fail('Porthole could not open its data', err, lock);
    return;
  }

  const location = rendererLocation(app.isPackaged);
  const win = createMainWindow({
    location,
    stateDir: dataDir,
    isQuitting: () => quitting,
    startHidden: launchedHidden(process.argv, { app }),
    isPackaged: app.isPackaged,
  });
  shell.win = win;
  shell.disposeBridge = installIpcBridge({
    api: core.api,
    win,
    location,
    onRefused: (method, reason) => console.warn(`Porthole: refused IPC ${method}: ${reason}`),
  });
  const service = core.service;
  const switches = createShellSwitches({
    dataDir,
    setStartAtLogin: (enabled) => setStartAtLogin(enabled, { app }),
    // Development and test runs (own data dir) must not rewrite the user's real login item.
    reconcile: app.isPackaged && !override,
    onError: (message) => service.log.add('warn', message),
  });
  shell.disposers.push(
    installNotifications({ service, enabled: () => switches.get().notifications, onClick: () => revealWindow(win) }),
    // Core.reconnectAll: waiting SSH sessions try again now after sleep, unlock or the network's return.
    installPowerEvents({ target: core, monitor: powerMonitor, isOnline: () => net.isOnline() }),
  );
  // Registered by the installers too (electron-builder `protocols`); an unpackaged run leaves the
  // user's registration alone.
  if (app.isPackaged && !app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME)) {
    service.log.add('warn', 'Could not register Porthole as the handler of porthole:// links');
  }
  for (const link of pendingLinks.splice(0)) takeLink(link);
  takeLink(extractDeepLinkFromArgv(process.argv));
  try {
    tray = new TrayController({
      api: core.api,
      iconDir: trayIconDir(app.isPackaged),
      onShow: () => revealWindow(win),
      onQuit: () => app.quit(),
      onError: (message) => console.warn(`Porthole: ${message}`),
      settings: () => switches.get(),
      onSetting: (key, value) => {
        switches.set(key, value);
        tray?.refresh();
      },
    });
  } catch (err) {
    // No tray host (e.g. GNOME without the AppIndicator extension): the window stays reachable by
    // launching Porthole again (single instance) and has its own Quit.
    console.warn(`Porthole: no tray icon: ${err instanceof Error ? err.message : String(err)}`);
  }
}
