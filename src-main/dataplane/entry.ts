import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataPlaneStoppedError, WHAT } from './stopped-error';

// Where the data plane's worker script is: out/main/dataplane-worker.js, an entry of the main build.

let entryOverride: string | undefined;

/** Where the worker script is when not next to the bundle (tests bundle it into a temporary dir). */
export function setDataPlaneEntry(path: string | undefined): void {
  entryOverride = path;
}

export function defaultEntry(): string {
  if (entryOverride) return entryOverride;
  // In out/main the bundle's chunks sit in chunks/, the entries one level up; bundles outside the
  // package (the router lab's) name their ES modules .mjs.
  const here = dirname(fileURLToPath(import.meta.url));
  for (const dir of [here, join(here, '..')]) {
    for (const name of ['dataplane-worker.js', 'dataplane-worker.mjs']) {
      if (existsSync(join(dir, name))) return join(dir, name);
    }
  }
  throw new DataPlaneStoppedError(`${WHAT} is missing (no dataplane-worker.js next to ${here}) — rebuild Porthole with npm run build`, false);
}
