import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The router lab runs Porthole inside network namespaces, as child processes: the vitest worker cannot
// move itself into one. So the CLI and the lab helpers are bundled from the current sources (~0.3 s
// with vite) into a temp dir whose node_modules points at the repo's, instead of relying on an
// `out/` build that may be stale or rebuilt by someone else mid-test.

export interface LabBundle {
  dir: string;
  /** The `porthole` CLI (src-main/headless/cli.ts). */
  cli: string;
  /** The lab helpers: `stun`, `agent`, `driver` (test-support/router-lab/lab-main.ts). */
  lab: string;
  cleanup(): void;
}

export async function buildLabBundle(): Promise<LabBundle> {
  const root = resolve(import.meta.dirname, '../..');
  const dir = mkdtempSync(join(tmpdir(), 'porthole-router-lab-'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const { build } = await import('vite');
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    publicDir: false,
    build: {
      ssr: true,
      target: 'node20',
      outDir: dir,
      emptyOutDir: false,
      minify: false,
      rollupOptions: {
        input: {
          cli: join(root, 'src-main/headless/cli.ts'),
          lab: join(root, 'test-support/router-lab/lab-main.ts'),
          // The data plane's worker, found next to the bundle as in out/main.
          'dataplane-worker': join(root, 'src-main/dataplane/worker-main.ts'),
          // The relay's worker (the in-app relay and `porthole relay` run in it), likewise.
          'relay-worker': join(root, 'src-main/relay/relay-worker-main.ts'),
        },
        output: { format: 'es', entryFileNames: '[name].mjs' },
      },
    },
  });
  return { dir, cli: join(dir, 'cli.mjs'), lab: join(dir, 'lab.mjs'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
