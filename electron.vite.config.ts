import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

// One config for the three targets. The main build has four entries: the Electron main process, the
// plain-Node CLI (headless mode), the data plane's worker thread and the relay's, which both start. All must run on
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
          // The relay's worker thread (`porthole relay`, the in-app relay): the relay code and no
          // package, not even zod (checked by the same test).
          'relay-worker': resolve('src-main/relay/relay-worker-main.ts'),
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
      rollupOptions: {
        input: resolve('src-renderer/index.html'),
        // The libraries in chunks of their own (measured minified: React 219 kB, zod 90 kB, i18next
        // 66 kB, uPlot 51 kB, the rest 35 kB), so no chunk passes Vite's 500 kB warning: one 805 kB
        // bundle did. All load at start either way (modulepreload, from the local disk or loopback);
        // the app's own code and catalogues stay in the entry chunk (~330 kB).
        output: {
          codeSplitting: {
            groups: [
              { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
              { name: 'zod', test: /node_modules[\\/]zod[\\/]/ },
              { name: 'i18n', test: /node_modules[\\/](i18next|react-i18next)[\\/]/ },
              { name: 'uplot', test: /node_modules[\\/]uplot[\\/]/ },
              { name: 'vendor', test: /node_modules[\\/]/ },
            ],
          },
        },
      },
    },
  },
});
