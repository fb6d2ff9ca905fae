import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

// Finds the Electron executable the way node_modules/electron/index.js would, without its lazy
// download (importing `electron` in plain Node tries to fetch the binary). Keep in step with
// scripts/start.mjs.

export type ElectronLookup = { ok: true; path: string } | { ok: false; reason: string };

export function findElectronBinary(root: string = resolve('.'), env: NodeJS.ProcessEnv = process.env): ElectronLookup {
  let pkgDir: string;
  try {
    pkgDir = dirname(createRequire(join(root, 'package.json')).resolve('electron/package.json'));
  } catch {
    return { ok: false, reason: 'the electron package is not installed' };
  }
  const pathFile = join(pkgDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (!relative && !override) return { ok: false, reason: 'no Electron binary installed' };
  const path = override ? join(override, relative || 'electron') : join(pkgDir, 'dist', relative ?? 'electron');
  if (!existsSync(path)) return { ok: false, reason: `no Electron binary at ${path}` };
  return { ok: true, path };
}

export function hasDisplay(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): boolean {
  return platform !== 'linux' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}
