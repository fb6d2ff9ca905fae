// The relay side of the bench as one ES module for Node 20: bench/tools/relay-node.ts and the relay code it
// imports (src-main/relay), bundled with vite like the app's main build, into node_modules/.cache so that
// its package imports resolve from the project's node_modules. Used by bench/relay-scenarios.mjs.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { ROOT } from './config.mjs';

// One directory per checkout: git worktrees that share one node_modules (a symlink) would otherwise
// overwrite each other's bundle while their benches run.
const BUNDLE_DIR = path.join(ROOT, 'node_modules', '.cache', `porthole-bench-${createHash('sha256').update(ROOT).digest('hex').slice(0, 8)}`);
export const BUNDLE = path.join(BUNDLE_DIR, 'relay-node.mjs');
export const WINDOW_NAMES = ['STREAM_WINDOW', 'SESSION_WINDOW', 'MAX_FRAME'];

/**
 * A vite plugin that makes the window constants of h2-windows.ts read PORTHOLE_BENCH_<NAME> first.
 * With the variables unset the bundle behaves exactly like the source. It counts its replacements so a
 * changed source line shows up as "variants unavailable", not as a silent no-op.
 */
function windowsFromEnv(state) {
  return {
    name: 'porthole-bench-windows-from-env',
    enforce: 'pre',
    transform(code, id) {
      if (!id.replaceAll('\\', '/').endsWith('/src-main/relay/h2-windows.ts')) return undefined;
      return code.replace(new RegExp(`^export const (${WINDOW_NAMES.join('|')}) = ([^;\\n]+);`, 'gm'), (_, name, expr) => {
        state.replaced.push(name);
        return `export const ${name} = Number(process.env.PORTHOLE_BENCH_${name}) || (${expr});`;
      });
    },
  };
}

/**
 * Builds BUNDLE (or, for A/B runs, the relay-node.mjs of another checkout `root` into `outDir`, which must
 * lie under a node_modules so that package imports resolve); windowsFromEnv: whether the window constants
 * can be replaced by env variables.
 */
export async function bundleRelayNode({ root = ROOT, outDir = BUNDLE_DIR } = {}) {
  const { build } = await import('vite');
  const state = { replaced: [] };
  await build({
    configFile: false,
    logLevel: 'warn',
    root,
    plugins: [windowsFromEnv(state)],
    build: {
      // SSR build: node built-ins and the packages in node_modules stay imports (resolved from
      // node_modules/.cache/… up to the project's node_modules), as in the electron-vite main build.
      ssr: path.join(root, 'bench', 'tools', 'relay-node.ts'),
      outDir,
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      copyPublicDir: false,
      reportCompressedSize: false,
      rollupOptions: { output: { format: 'es', entryFileNames: 'relay-node.mjs' } },
    },
  });
  return { windowsFromEnv: WINDOW_NAMES.every((n) => state.replaced.includes(n)) };
}
