// bench/tools/engine-forward.ts and the data plane's worker entry as ES modules for Node 20 (with the
// engine and, for --load-control, the CLI's modules as chunks), bundled with vite like the app's main
// build into node_modules/.cache so that package imports resolve from the project's node_modules.
// Used by bench/tcp-scenarios.mjs.
//
// BENCH_ISOLATE_READS=alloc builds a variant whose accepted sockets read with 'data' events (a fresh
// 64 KiB buffer per read, as before adoptWithOnread): the allocation pattern the data plane was
// isolated against, to compare its hosts under it.
import path from 'node:path';
import { ROOT, TOOLS } from './config.mjs';

export const READS = process.env.BENCH_ISOLATE_READS === 'alloc' ? 'alloc' : 'pooled';
const BUNDLE_DIR = path.join(ROOT, 'node_modules', '.cache', `porthole-bench-engine-${READS}`);
export const ENGINE_BUNDLE = path.join(BUNDLE_DIR, 'engine-forward.mjs');
export const WORKER_BUNDLE = path.join(BUNDLE_DIR, 'dataplane-worker.mjs');

/** A vite plugin that makes adoptWithOnread decline, so accepted sockets keep their 'data' events. */
function allocatingReads(state) {
  return {
    name: 'porthole-bench-allocating-reads',
    enforce: 'pre',
    transform(code, id) {
      if (!id.replaceAll('\\', '/').endsWith('/src-main/engine/adopt-accepted.ts')) return undefined;
      const out = code.replace(/(export function adoptWithOnread\([^)]*\)[^{]*\{)/, (m) => {
        state.replaced = true;
        return `${m}\n  if (accepted) return undefined;`;
      });
      return out;
    },
  };
}

export async function bundleEngineForward() {
  const { build } = await import('vite');
  const state = { replaced: false };
  for (const [entry, name] of [
    [path.join(TOOLS, 'engine-forward.ts'), 'engine-forward.mjs'],
    [path.join(ROOT, 'src-main', 'dataplane', 'worker-main.ts'), 'dataplane-worker.mjs'],
  ]) {
    await build({
      configFile: false,
      logLevel: 'warn',
      root: ROOT,
      plugins: READS === 'alloc' ? [allocatingReads(state)] : [],
      build: {
        ssr: entry,
        outDir: BUNDLE_DIR,
        emptyOutDir: name === 'engine-forward.mjs',
        target: 'node20',
        minify: false,
        copyPublicDir: false,
        reportCompressedSize: false,
        rollupOptions: { output: { format: 'es', entryFileNames: name } },
      },
    });
  }
  if (READS === 'alloc' && !state.replaced) throw new Error('BENCH_ISOLATE_READS=alloc: adoptWithOnread was not found in src-main/engine/adopt-accepted.ts');
}
