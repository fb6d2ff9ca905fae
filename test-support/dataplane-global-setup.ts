// vitest globalSetup: bundles the data plane's worker entry (src-main/dataplane/worker-main.ts) and the
// relay's (src-main/relay/relay-worker-main.ts) the way the app's build does, into a temporary
// directory, once per run. Node cannot load TypeScript into a
// worker thread, and the service tests must run over the real data plane. Test files get the path
// through inject('dataPlaneEntry') / inject('relayWorkerEntry') (test-support/dataplane-setup.ts hands
// them to DataPlane and RelayHost).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    dataPlaneEntry: string;
    relayWorkerEntry: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const { build } = await import('vite');
  const outDir = mkdtempSync(join(tmpdir(), 'porthole-dataplane-'));
  await build({
    configFile: false,
    logLevel: 'warn',
    root: resolve('.'),
    build: {
      // SSR build like electron-vite's main build: node built-ins and npm packages stay imports (the
      // workers must import no package at all; dataplane/worker-imports.test.ts checks these bundles, and
      // with no node_modules next to them a package import would fail to load).
      ssr: true,
      outDir,
      emptyOutDir: false,
      target: 'node20',
      minify: false,
      copyPublicDir: false,
      reportCompressedSize: false,
      rollupOptions: {
        input: { 'dataplane-worker': resolve('src-main/dataplane/worker-main.ts'), 'relay-worker': resolve('src-main/relay/relay-worker-main.ts') },
        output: { format: 'es', entryFileNames: '[name].mjs' },
      },
    },
  });
  project.provide('dataPlaneEntry', join(outDir, 'dataplane-worker.mjs'));
  project.provide('relayWorkerEntry', join(outDir, 'relay-worker.mjs'));
  return () => rmSync(outDir, { recursive: true, force: true });
}
