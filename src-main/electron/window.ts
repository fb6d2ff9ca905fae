import { app, BrowserWindow, screen, shell } from 'electron';
import type { Session } from 'electron';
import { devAppIcon, preloadPath, rendererIndex } from './app-paths';
import { externalLinkTarget, isAppUrl } from './sender-check';
import type { RendererLocation } from './sender-check';
import { loadWindowState, resolveInitialState, saveWindowState, MIN_HEIGHT, MIN_WIDTH } from './window-state';

// The one app window: sandboxed, context-isolated, deny-by-default (Electron security checklist).

/** Must match the renderer's <meta> CSP; both apply, so the stricter wins. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Vite's dev server injects an inline React Refresh preamble and talks HMR over a WebSocket. */
function devPolicy(devUrl: string): string {
  const ws = new URL(devUrl);
  ws.protocol = ws.protocol === 'https:' ? 'wss:' : 'ws:';
  return CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "connect-src 'self'",
    `connect-src 'self' ${ws.origin}`,
  );
}

export interface MainWindowOptions {
  location: RendererLocation;
  /** Where window-state.json lives (the data dir). */
  stateDir: string;
  /** True once the app is quitting: only then does closing the window really close it. */
  isQuitting: () => boolean;
  /** Start hidden in the tray (launched at login, or the "Start hidden" switch). */
  startHidden?: boolean;
  isPackaged: boolean;
  /** Windows is logging off or shutting down: quit now instead of hiding (which would block it). */
  onSessionEnd?: () => void;
  /** What closing does while not quitting: hide to the tray, or minimize where no tray host shows us (tray-host.ts). */
  closeAction?: () => 'hide' | 'minimize';
}

/**
 * macOS: the Dock icon (and Cmd+Tab entry) only while the window is visible, like a menu-bar app;
 * with the window open it is a normal app again (app.dock.hide/show rather than LSUIElement, which
 * would also remove the app menu).
 */
function followWithDock(win: BrowserWindow): void {
  const dock = process.platform === 'darwin' ? app.dock : undefined;
  if (!dock) return;
  win.on('show', () => void dock.show().catch(() => {}));
  win.on('hide', () => dock.hide());
}

function hardenSession(ses: Session, location: RendererLocation): void {
  // "By default, Electron will automatically approve all permission requests" — we need none.
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  const policy = location.kind === 'dev' ? devPolicy(location.url) : CONTENT_SECURITY_POLICY;
  // file:// responses carry no headers (the <meta> CSP covers them); this covers the dev server and
  // anything else served over http(s) into our session.
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [policy] },
    });
  });
}

function trackWindowState(win: BrowserWindow, dir: string): void {
  let timer: NodeJS.Timeout | undefined;
  const save = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (win.isDestroyed()) return;
    const b = win.getNormalBounds();
    saveWindowState(dir, { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() });
  };
  const later = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 500);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('maximize', save);
  win.on('unmaximize', save);
  win.on('hide', save);
  win.on('close', save);
}

export function createMainWindow(opts: MainWindowOptions): BrowserWindow {
  const displays = [screen.getPrimaryDisplay(), ...screen.getAllDisplays()].map((d) => d.workArea);
  const initial = resolveInitialState(loadWindowState(opts.stateDir), displays);

  const win = new BrowserWindow({
    title: 'Porthole',
    ...(initial.x !== undefined && initial.y !== undefined ? { x: initial.x, y: initial.y } : {}),
    width: initial.width,
    height: initial.height,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    show: false,
    backgroundColor: '#1b1f24',
    ...(process.platform === 'linux' && !opts.isPackaged ? { icon: devAppIcon } : {}),
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
      // A middle click on a link would open it in a new window; setWindowOpenHandler denies that
      // too, this keeps the event from firing at all (electronegativity AUXCLICK_JS_CHECK).
      disableBlinkFeatures: 'Auxclick',
    },
  });
  hardenSession(win.webContents.session, opts.location);

  const { webContents } = win;
  webContents.setWindowOpenHandler(({ url }) => {
    const target = externalLinkTarget(url);
    if (target) void shell.openExternal(target);
    return { action: 'deny' };
  });
  // Electron 45 passes the navigation in `details` (the positional url argument is deprecated).
  const blockForeign = (details: { url: string; preventDefault(): void }): void => {
    if (!isAppUrl(details.url, opts.location)) details.preventDefault();
  };
  webContents.on('will-navigate', blockForeign);
  webContents.on('will-redirect', blockForeign);
  webContents.on('will-attach-webview', (event) => event.preventDefault());

  followWithDock(win);
  if (opts.startHidden && process.platform === 'darwin') app.dock?.hide();
  // maximize() also shows the window, so a hidden start maximizes on its first reveal instead.
  win.once('ready-to-show', () => {
    if (opts.startHidden) return;
    if (initial.maximized) win.maximize();
    win.show();
  });
  if (opts.startHidden && initial.maximized) win.once('show', () => win.maximize());
  // Closing hides to the tray; Quit (tray, menu, OS logout) sets isQuitting first.
  win.on('close', (event) => {
    if (opts.isQuitting()) return;
    event.preventDefault();
    if (opts.closeAction?.() === 'minimize') win.minimize();
    else win.hide();
  });
  win.on('session-end', () => opts.onSessionEnd?.());
  trackWindowState(win, opts.stateDir);

  if (opts.location.kind === 'dev') void win.loadURL(opts.location.url);
  else void win.loadFile(rendererIndex);
  return win;
}

/** Brings the window back from the tray (second instance, tray "Show", Dock click). */
export function revealWindow(win: BrowserWindow | undefined): void {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
