import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { app, dialog, Menu, net, powerMonitor, safeStorage } from 'electron';
import type { BrowserWindow } from 'electron';
import ElectronStore from 'electron-store';
import type { SettingsView, ShellPrefsHost } from '../../src-shared/model/settings';
import { createCore } from '../service/core';
import { startCoreControl } from '../api/control-socket';
import type { Core } from '../service/core';
import type { ConfFactory } from '../store/conf-like';
import { acquireDataDirLock, DataDirLockedError } from '../store/data-dir-lock';
import type { DataDirLock } from '../store/data-dir-lock';
import { appMenuTemplate } from './app-menu';
import { rendererLocation, trayIconDir } from './app-paths';
import { registerAppImageHandler, runDesktopTool } from './appimage-integration';
import { DEEP_LINK_SCHEME } from './deep-link';
import { createDesktopIntake } from './desktop-intake';
import { installIpcBridge } from './ipc-bridge';
import type { IpcBridge } from './ipc-bridge';
import { launchedHidden, setStartAtLogin } from './login-item';
import { installNotifications } from './notifications';
import { installPowerEvents } from './power-events';
import { safeStorageCodec } from './secret-codec';
import { createShellSwitches } from './shell-switches';
import { TrayController } from './tray';
import { decideStart, probeTrayHost, trayHostOverride } from './tray-host';
import { createMainWindow, revealWindow } from './window';
import type { LogLine } from '../../src-shared/model/log-text';

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

/** The Electron e2e project's hooks (PORTHOLE_E2E_*): never in a packaged app. */
const e2eHooks = !app.isPackaged && process.env.PORTHOLE_E2E_HOOKS === '1';

/**
 * Fatal start-up error: let go of the data dir, say why in a dialog, exit 1 (no before-quit). The
 * dialog waits for `ready`: before it, showErrorBox only prints to stderr on Linux, so a launch from
 * the menu or at login would end with nothing on screen.
 */
async function fail(title: string, err: unknown, lock?: DataDirLock): Promise<void> {
  const message = err instanceof Error ? err.message : String(err);
  lock?.release();
  console.error(`Porthole: ${title}: ${message}`);
  await app.whenReady();
  // showErrorBox is modal with nobody to dismiss it in the e2e project: it reports instead.
  if (e2eHooks && process.env.PORTHOLE_E2E_FATAL === 'report') console.error(`Porthole e2e: error dialog (ready=${app.isReady()}): ${title}`);
  else dialog.showErrorBox(title, message);
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
/** How a launch's argv is read: the executable first, then (unpackaged) the app path. */
const argvShape = { skip: 1, appArg: !app.isPackaged };

if (!app.requestSingleInstanceLock()) {
  // Another Porthole owns this data dir; it gets a `second-instance` event and shows its window.
  app.quit();
} else {
  let lock: DataDirLock | undefined;
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    lock = acquireDataDirLock(dataDir, 'porthole (desktop app)');
  } catch (err) {
    void fail(err instanceof DataDirLockedError ? 'Porthole is already running' : 'Porthole could not start', err);
  }
  if (lock) void start(lock);
}

async function start(lock: DataDirLock): Promise<void> {
  let quitting = false;
  let shutdownDone = false;
  let core: Core | undefined;
  // Filled in once ready; the lifecycle handlers below are registered before that.
  const shell: { win?: BrowserWindow; bridge?: IpcBridge; disposers: Array<() => void> } = { disposers: [] };
  let tray: TrayController | undefined;
  let shutdownStarted = false;
  // Messages from before the core (and its log) exist.
  const early: Array<[string, LogLine]> = [];
  const logWarn = (message: string, line: LogLine): void => {
    if (core) core.service.log.said('warn', message, line);
    else early.push([message, line]);
  };

  // The tray owns the app: closing the last window must not quit it.
  app.on('window-all-closed', () => {});
  // Links and files are untrusted; the intake holds them until the core and the page are ready.
  const intake = createDesktopIntake();
  app.on('second-instance', (_event, argv, workingDirectory) => {
    revealWindow(shell.win);
    intake.takeArgv(argv, { ...argvShape, cwd: workingDirectory });
  });
  // macOS: links (open-url) and files (open-file: Finder "Open With", the Dock icon) can arrive
  // before `ready`; preventDefault says we handle them.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    intake.takeLink(url);
  });
  app.on('open-file', (event, path) => {
    event.preventDefault();
    intake.takePaths([path]);
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
    // The person sees Porthole go at once, though the rules may take seconds to stop; a call from the
    // page meanwhile gets "shutting down", not Electron's "No handler registered".
    if (shell.win && !shell.win.isDestroyed()) shell.win.hide();
    shell.bridge?.close();
    for (const dispose of shell.disposers.splice(0)) dispose();
    tray?.destroy();
    try {
      const hold = e2eHooks ? Number(process.env.PORTHOLE_E2E_SHUTDOWN_HOLD_MS ?? 0) : 0;
      if (hold > 0) await new Promise((r) => setTimeout(r, Math.min(hold, 10_000)));
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
      shell.bridge?.dispose();
      lock.release();
    }
  }

  // A terminal's Ctrl+C (npm start) or a service manager's SIGTERM: quit the normal way.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  // Asked while the core starts; only a confirmed tray host allows a hidden start (tray-host.ts).
  const trayHostAnswer = (e2eHooks ? trayHostOverride(process.env.PORTHOLE_E2E_TRAY_HOST) : undefined) ?? probeTrayHost();
  await app.whenReady();
  const menu = appMenuTemplate(process.platform, app.isPackaged);
  Menu.setApplicationMenu(menu ? Menu.buildFromTemplate(menu) : null);
  const switches = createShellSwitches({
    dataDir,
    setStartAtLogin: (enabled) => setStartAtLogin(enabled, { app }),
    // Development and test runs (own data dir) must not rewrite the user's real login item.
    reconcile: app.isPackaged && !override,
    onError: logWarn,
    onChange: (key, value) => {
      if (key === 'secretsMemoryOnly') secretCodec.setMemoryOnly(value);
    },
  });
  // safeStorage is usable only after `ready` (awaited above).
  const secretCodec = safeStorageCodec(safeStorage, { memoryOnly: switches.get().secretsMemoryOnly });
  // The same switches through the settings API (settings.get/update), for the window.
  const shellPrefs: ShellPrefsHost = {
    get: () => switches.get(),
    set: async (patch) => {
      try {
        for (const [key, value] of Object.entries(patch)) {
          if (typeof value === 'boolean') switches.apply(key as keyof typeof patch, value);
        }
      } finally {
        tray?.refresh();
      }
      return switches.get();
    },
  };
  try {
    core = await createCore({
      dataDir,
      mode: 'desktop',
      confFactory,
      storeBackend: 'electron-store',
      secretCodec,
      shellPrefs,
      version: app.getVersion(),
    });
  } catch (err) {
    await fail('Porthole could not open its data', err, lock);
    return;
  }
  const c = core;
  for (const [message, line] of early.splice(0)) c.service.log.said('warn', message, line);
  // `porthole inspect` on this data dir follows the HTTP exchanges the app records.
  void startCoreControl(dataDir, 'desktop', 'the Porthole desktop app', c, (m, line) => c.service.log.said('warn', m, line)).then((ctl) => {
    if (ctl) shell.disposers.push(() => void ctl.close());
  });
  if (!secretCodec.keyring) c.service.log.line('warn', 'noKeyring', { backend: secretCodec.backend });

  const service = c.service;
  try {
    tray = new TrayController({
      api: c.api,
      iconDir: trayIconDir(app.isPackaged),
      onShow: () => revealWindow(shell.win),
      onQuit: () => app.quit(),
      onError: (message, line) => service.log.said('warn', message, line),
      // The secrets switch only where there is no keyring to use instead.
      settings: () => {
        const { secretsMemoryOnly, ...rest } = switches.get();
        return secretCodec.keyring ? rest : { ...rest, secretsMemoryOnly };
      },
      onSetting: (key, value) => {
        switches.set(key, value);
        tray?.refresh();
        // The window's settings view follows switches flipped in the tray.
        void c.api.handle('settings.get', undefined).then((res) => {
          if (res.ok) service.emit('settings-changed', res.value as SettingsView);
        });
      },
      onDropFiles: (paths) => intake.takePaths(paths),
    });
  } catch (err) {
    service.log.line('warn', 'noTrayIcon', { error: err instanceof Error ? err.message : String(err) });
  }
  // `new Tray()` succeeds even where nobody shows the icon (stock GNOME): start hidden only where a
  // tray host is confirmed, and minimize rather than hide where there is none (tray-host.ts).
  const startPlan = decideStart({
    startHidden: switches.get().startHidden || launchedHidden(process.argv, { app }),
    trayHost: await trayHostAnswer,
    trayCreated: tray !== undefined,
  });
  if (startPlan.note) service.log.said('info', ...startPlan.note);

  const location = rendererLocation(app.isPackaged);
  const win = createMainWindow({
    location,
    stateDir: dataDir,
    isQuitting: () => quitting,
    startHidden: startPlan.hidden,
    closeAction: () => startPlan.onClose,
    isPackaged: app.isPackaged,
    onSessionEnd: () => {
      // Windows ends the process right after this event, before any asynchronous shutdown could
      // finish: the data-dir lock goes now (synchronously), then the normal quit runs as far as it gets.
      lock.release();
      quitting = true;
      app.quit();
    },
  });
  shell.win = win;
  shell.bridge = installIpcBridge({
    api: c.api,
    win,
    location,
    onRefused: (method, reason) => console.warn(`Porthole: refused IPC ${method}: ${reason}`),
    // Import → Choose files…: the native dialog, so the host reads the files by the paths the user chose.
    chooseImportFiles: async () => {
      const r = await dialog.showOpenDialog(win, { title: 'Import profiles', properties: ['openFile', 'multiSelections', 'showHiddenFiles'], defaultPath: app.getPath('home') });
      if (r.canceled) return 0;
      intake.takePaths(r.filePaths);
      return r.filePaths.length;
    },
  });
  shell.disposers.push(
    installNotifications({ service, enabled: () => switches.get().notifications, onClick: () => revealWindow(win) }),
    // Core.reconnectAll: waiting SSH and relay connections try again now after sleep, unlock or the network's return.
    installPowerEvents({ target: c, monitor: powerMonitor, isOnline: () => net.isOnline() }),
  );
  // Registered by the installers too (electron-builder `protocols`); an unpackaged run leaves the
  // user's registration alone. An AppImage has no installer: it writes its own .desktop entry.
  if (app.isPackaged && process.platform === 'linux' && process.env.APPIMAGE) {
    void registerAppImageHandler({ run: runDesktopTool, log: (level, message, line) => service.log.said(level, message, line) });
  } else if (app.isPackaged && !app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME)) {
    service.log.line('warn', 'protocolHandlerFailed');
  }
  intake.takeArgv(process.argv, { ...argvShape, cwd: process.cwd() });
  intake.start({
    win,
    offer: (sources) => void c.imports.offer(sources),
    log: (level, message, line) => service.log.said(level, message, line),
    reveal: () => revealWindow(win),
  });
  // The Electron e2e project drives the tray through this; never in a packaged app.
  if (e2eHooks) Object.assign(globalThis, { __portholeE2E: { tray, switches, start: startPlan, imports: c.imports } });
}
