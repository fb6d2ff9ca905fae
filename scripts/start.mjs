#!/usr/bin/env node
// `npm start`: build (unless out/ is newer than every source: `npm install` has just built it through
// `prepare`, so `npm install && npm start` builds once), then launch the desktop app. Where Electron
// cannot start (no binary installed, or no display on Linux) say so in one line and serve browser mode
// instead (`porthole ui`), which prints its URL with the token. Extra arguments go to whichever of the
// two starts.
//
// Never `import 'electron'` here: in plain Node its index.js tries to download the binary. The binary
// is found the way that index.js would find it, without the download (keep in step with
// e2e/electron/electron-binary.ts).

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const isWindows = process.platform === 'win32';

/** @returns {{ path: string } | { reason: string }} */
function findElectron() {
  let pkgDir;
  try {
    pkgDir = dirname(createRequire(join(root, 'package.json')).resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  const pathFile = join(pkgDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (!relative && !override) return { reason: 'no Electron binary installed' };
  const path = override ? join(override, relative || 'electron') : join(pkgDir, 'dist', relative);
  if (!existsSync(path)) return { reason: `no Electron binary at ${path}` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'no display: neither DISPLAY nor WAYLAND_DISPLAY is set' };
  }
  return { path };
}

/** Runs a command to completion, inheriting stdio; resolves with its exit code. */
function run(command, commandArgs, opts = {}) {
  return new Promise((resolvePromise) => {
    const child = spawn(command, commandArgs, { cwd: root, stdio: 'inherit', ...opts });
    const forward = (signal) => {
      if (child.exitCode === null) child.kill(signal);
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('error', (err) => {
      console.error(`Could not start ${command}: ${err.message}`);
      resolvePromise(1);
    });
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      // A child killed by a signal: exit the way shells report it (128 + signal number).
      resolvePromise(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1));
    });
  });
}

/** What the build reads, and what it writes: out/ is fresh when every output is newer than every input. */
const BUILD_INPUTS = ['src-main', 'src-renderer', 'src-shared', 'package.json', 'package-lock.json', 'electron.vite.config.ts', 'tsconfig.json', 'tsconfig.base.json', 'tsconfig.node.json', 'tsconfig.web.json'];
const BUILD_OUTPUTS = ['out/main/cli.js', 'out/main/electron-main.js', 'out/preload/preload.cjs', 'out/renderer/index.html'];

/** Newest modification time under `path` (a file, or a directory walked whole); 0 when absent. */
function newest(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const name of readdirSync(path)) max = Math.max(max, newest(join(path, name)));
  return max;
}

function buildIsFresh() {
  const outputs = BUILD_OUTPUTS.map((p) => newest(join(root, p)));
  if (outputs.some((t) => t === 0)) return false;
  return Math.min(...outputs) >= Math.max(...BUILD_INPUTS.map((p) => newest(join(root, p))));
}

if (buildIsFresh() && !process.env.PORTHOLE_REBUILD) {
  console.log('The build in out/ is newer than every source: starting it without building again (PORTHOLE_REBUILD=1 forces a build).');
} else {
  const buildCode = await run(isWindows ? 'npx.cmd' : 'npx', ['electron-vite', 'build'], { shell: isWindows });
  if (buildCode !== 0) {
    console.error(`The build failed (exit code ${buildCode}) — fix the errors above and run npm start again.`);
    process.exit(buildCode);
  }
}

const electron = findElectron();
let code;
if ('path' in electron) {
  const env = { ...process.env };
  // Set by some tool chains; it would make Electron behave as plain Node.
  delete env.ELECTRON_RUN_AS_NODE;
  code = await run(electron.path, ['.', ...args], { env });
} else {
  console.log(`Electron is not available here (${electron.reason}) — serving browser mode instead.`);
  code = await run(process.execPath, [join(root, 'out', 'main', 'cli.js'), 'ui', ...args]);
}
process.exit(code);
