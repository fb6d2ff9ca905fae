import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';

// The worker threads' point is a small heap: each must load its own code and nothing else. This walks
// a worker bundle (built by test-support/dataplane-global-setup.ts the way electron-vite builds
// out/main/dataplane-worker.js and relay-worker.js: npm packages stay imports) and lists every module
// it would load.

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|^import\s*["']([^"']+)["']/gm;

function importsOf(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const out: string[] = [];
  for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec) continue;
    if (spec.startsWith('.')) out.push(...importsOf(resolve(dirname(file), spec), seen));
    else out.push(spec);
  }
  return out;
}

describe('the data plane worker bundle', () => {
  it('imports only Node built-ins (no zod, ssh2, yaml, conf, ws or any other package)', () => {
    const imports = [...new Set(importsOf(inject('dataPlaneEntry')))].sort();
    const builtins = new Set(builtinModules);
    const packages = imports.filter((s) => !(s.startsWith('node:') || builtins.has(s)));
    expect(packages).toEqual([]);
    // It does load the engine's networking.
    expect(imports).toEqual(expect.arrayContaining(['node:net', 'node:dgram', 'node:worker_threads']));
  });
});

describe("the relay's worker bundle", () => {
  // The relay's frames are checked by hand (relay/protocol-checks.ts): zod alone was ~3 MB of this
  // worker's heap, enough to push it past the size where V8 collects in full again and again under load.
  it('imports only Node built-ins (no zod, yaml, ssh2, conf, electron or any other package)', () => {
    const imports = [...new Set(importsOf(inject('relayWorkerEntry')))].sort();
    const builtins = new Set(builtinModules);
    const packages = imports.filter((s) => !(s.startsWith('node:') || builtins.has(s)));
    expect(packages).toEqual([]);
    // It carries the whole relay: agent port (TLS), HTTP/2 sessions, public TCP and UDP ports.
    expect(imports).toEqual(expect.arrayContaining(['node:tls', 'node:http2', 'node:net', 'node:dgram', 'node:worker_threads']));
  });
});
