import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export const PRODUCT_NAME = 'Porthole';

/**
 * The desktop app's userData dir, computed without Electron so that the CLI and the GUI share one
 * configuration by default (Electron: appData + productName).
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', PRODUCT_NAME);
  const xdg = env.XDG_CONFIG_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.config'), PRODUCT_NAME);
}

/** `--data-dir` beats `PORTHOLE_DATA_DIR` beats the default. Always absolute. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = flag ?? env.PORTHOLE_DATA_DIR;
  return chosen ? resolve(chosen) : defaultDataDir(env);
}
