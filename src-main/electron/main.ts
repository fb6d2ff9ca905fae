import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { app, dialog } from 'electron';
import type { BrowserWindow } from 'electron';
import ElectronStore from 'electron-store';
import { createCore } from '../service/core';
import type { Core } from '../service/core';
import type { ConfFactory } from '../store/conf-like';
import { acquireDataDirLock, DataDirLockedError } from '../store/data-dir-lock';
import type { DataDirLock } from '../store/data-dir-lock';
import { rendererLocation, trayIconDir } from './app-paths';
import { installIpcBridge } from './ipc-bridge';
import { safeStorageCodec } from './secret-codec';
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
  const shell: { win?: BrowserWindow; disposeBridge?: () => void } = {};
  let tray: TrayController | undefined;
  let shutdownStarted = false;

  // The tray owns the app: closing the last window must not quit it.
  app.on('window-all-closed', () => {});
  // argv and workingDirectory of the second launch are untrusted and ignored for now: just show.
  app.on('second-instance', () => revealWindow(shell.win));
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
    startHidden: process.argv.includes('--hidden'),
    isPackaged: app.isPackaged,
  });
  shell.win = win;
  shell.disposeBridge = installIpcBridge({
    api: core.api,
    win,
    location,
    onRefused: (method, reason) => console.warn(`Porthole: refused IPC ${method}: ${reason}`),
  });
  try {
    tray = new TrayController({
      api: core.api,
      iconDir: trayIconDir(app.isPackaged),
      onShow: () => revealWindow(win),
      onQuit: () => app.quit(),
      onError: (message) => console.warn(`Porthole: ${message}`),
    });
  } catch (err) {
    // No tray host (e.g. GNOME without the AppIndicator extension): the window stays reachable by
    // launching Porthole again (single instance) and has its own Quit.
    console.warn(`Porthole: no tray icon: ${err instanceof Error ? err.message : String(err)}`);
  }
}
