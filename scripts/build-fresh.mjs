// Whether out/ holds a build of the current sources: every output newer than every input. `npm start`
// (scripts/start.mjs) skips its build then, so `npm install && npm start` builds once (`prepare` built it).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What the build reads. */
export const BUILD_INPUTS = ['src-main', 'src-renderer', 'src-shared', 'package.json', 'package-lock.json', 'electron.vite.config.ts', 'tsconfig.json', 'tsconfig.base.json', 'tsconfig.node.json', 'tsconfig.web.json'];
/** What it writes that npm start runs. */
export const BUILD_OUTPUTS = ['out/main/cli.js', 'out/main/electron-main.js', 'out/preload/preload.cjs', 'out/renderer/index.html'];

/** Newest modification time under `path` (a file, or a directory walked whole); 0 when absent. */
function newest(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  // A directory's own time changes when a file is added or removed.
  let max = st.mtimeMs;
  for (const name of readdirSync(path)) max = Math.max(max, newest(join(path, name)));
  return max;
}

/** @param {string} root the checkout */
export function buildIsFresh(root) {
  const outputs = BUILD_OUTPUTS.map((p) => newest(join(root, p)));
  if (outputs.some((t) => t === 0)) return false;
  return Math.min(...outputs) >= Math.max(...BUILD_INPUTS.map((p) => newest(join(root, p))));
}
