import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Where the relay's worker script is: out/main/relay-worker.js, an entry of the main build.

let entryOverride: string | undefined;

/** Where the worker script is when not next to the bundle (tests bundle it into a temporary dir). */
export function setRelayWorkerEntry(path: string | undefined): void {
  entryOverride = path;
}

/** The script's path, or undefined when this build has none (the caller says what to do). */
export function relayWorkerEntry(): string | undefined {
  if (entryOverride) return entryOverride;
  // In out/main the bundle's chunks sit in chunks/, the entries one level up; bundles outside the
  // package (bench tools, the router lab) name their ES modules .mjs.
  const here = dirname(fileURLToPath(import.meta.url));
  for (const dir of [here, join(here, '..')]) {
    for (const name of ['relay-worker.js', 'relay-worker.mjs']) {
      if (existsSync(join(dir, name))) return join(dir, name);
    }
  }
  return undefined;
}
