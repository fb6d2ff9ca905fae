// bench/tools/engine-forward.ts as one ES module for Node 20 (with the engine and, for --load-control,
// the CLI's modules as chunks), bundled with vite like the app's main build into node_modules/.cache so
// that its package imports resolve from the project's node_modules. Used by bench/tcp-scenarios.mjs.
import path from 'node:path';
import { ROOT, TOOLS } from './config.mjs';

const BUNDLE_DIR = path.join(ROOT, 'node_modules', '.cache', 'porthole-bench-engine');
export const ENGINE_BUNDLE = path.join(BUNDLE_DIR, 'engine-forward.mjs');

export async function bundleEngineForward() {
  const { build } = await import('vite');
  await build({
    configFile: false,
    logLevel: 'warn',
    root: ROOT,
    build: {
      ssr: path.join(TOOLS, 'engine-forward.ts'),
      outDir: BUNDLE_DIR,
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      copyPublicDir: false,
      reportCompressedSize: false,
      rollupOptions: { output: { format: 'es', entryFileNames: 'engine-forward.mjs' } },
    },
  });
}
