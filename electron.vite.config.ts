import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

// One config for the three targets. The main build has two entries: the Electron main process and the
// plain-Node CLI (headless mode). Both must run on Node 20 (tests, servers) as well as in Electron's Node.
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
