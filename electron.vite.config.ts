import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

// One config for the three targets. The main build has three entries: the Electron main process, the
// plain-Node CLI (headless mode) and the data plane's worker thread, which both start. All must run on
// Node 20 (tests, servers) as well as in Electron's Node.
export default defineConfig({
  main: {
    build: {
      target: 'node20',
      outDir: 'out/main',
      externalizeDeps: true,
      rollupOptions: {
        input: {
          'electron-main': resolve('src-main/electron/main.ts'),
          cli: resolve('src-main/headless/cli.ts'),
          // The data plane's worker thread: an entry of its own so that it loads the engine and no
          // package (src-main/dataplane/worker-imports.test.ts checks the same bundle shape).
          'dataplane-worker': resolve('src-main/dataplane/worker-main.ts'),
        },
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // Sandboxed preloads get a limited require(): bundle everything, emit CommonJS.
      externalizeDeps: false,
      rollupOptions: {
        input: { preload: resolve('src-main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src-renderer'),
    plugins: [react()],
    build: {
      outDir: resolve('out/renderer'),
      minify: true,
      emptyOutDir: true,
      rollupOptions: { input: resolve('src-renderer/index.html') },
    },
  },
});
