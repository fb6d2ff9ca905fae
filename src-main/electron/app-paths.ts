import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RendererLocation } from './sender-check';

// Where the built pieces live, relative to the bundled main script (out/main/electron-main.js, ESM,
// so there is no __dirname). No electron import: callers pass `app.isPackaged` in.

const mainDir = dirname(fileURLToPath(import.meta.url));

/** out/preload/preload.cjs — CommonJS, because sandboxed preloads cannot load ES modules. */
export const preloadPath = join(mainDir, '..', 'preload', 'preload.cjs');

/** out/renderer — the only file:// tree whose frames may talk to the API. */
export const rendererDir = join(mainDir, '..', 'renderer');
export const rendererIndex = join(rendererDir, 'index.html');

/**
 * The dev server URL is honoured only in an unpackaged build: in a shipped app an environment
 * variable must not be able to point the window (and IPC trust) at another origin.
 */
export function rendererLocation(isPackaged: boolean, env: NodeJS.ProcessEnv = process.env): RendererLocation {
  const devUrl = env.ELECTRON_RENDERER_URL;
  if (!isPackaged && devUrl) {
    try {
      const u = new URL(devUrl);
      if (u.protocol === 'http:' || u.protocol === 'https:') return { kind: 'dev', url: u.href };
    } catch {
      /* fall back to the built files */
    }
  }
  return { kind: 'file', rendererDir };
}

/** Tray icons: extraResources (resources/tray) when packaged, else assets/tray in the app root. */
export function trayIconDir(isPackaged: boolean, resourcesPath: string = process.resourcesPath): string {
  return isPackaged ? join(resourcesPath, 'tray') : join(mainDir, '..', '..', 'assets', 'tray');
}

/** The app icon for the window on Linux in development (packaged builds get it from the .desktop file). */
export const devAppIcon = join(mainDir, '..', '..', 'assets', 'icon.png');
