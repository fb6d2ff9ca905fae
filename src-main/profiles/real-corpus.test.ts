import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readImportText } from './import-bundle';

// Real files from public repositories (issue 15), with their provenance and the result checked by hand
// once, in fixtures/real-corpus/manifest.json. The files are read from a local snapshot of each
// repository (git show COMMIT:PATH) or from $PORTHOLE_REAL_CORPUS (default: shared/corpora/real-configs
// beside the clone); where neither is there the suite
// says so loudly and skips (the constructed layouts in the *-layouts tests run everywhere).

interface Entry {
  repo: string;
  path: string;
  commit: string;
  sha256: string;
  bytes: number;
  expect: Record<string, unknown>;
}
const here = path.dirname(fileURLToPath(import.meta.url));
const manifest = JSON.parse(readFileSync(path.join(here, 'fixtures', 'real-corpus', 'manifest.json'), 'utf8')) as { files: Entry[] };
const MIRRORS = process.env.PORTHOLE_MIRRORS ?? '/work/.mirror';

function load(e: Entry): Buffer | undefined {
  const slug = e.repo.replace('/', '+');
  // Data files may live in the steering workspace's shared/ (beside the clone, as CI lays it out).
  const dir = process.env.PORTHOLE_REAL_CORPUS ?? path.resolve(here, '../../../shared/corpora/real-configs');
  if (existsSync(dir)) {
    const f = path.join(dir, slug, e.commit, e.path);
    if (existsSync(f)) return readFileSync(f);
  }
  const git = path.join(MIRRORS, slug, 'repo');
  if (!existsSync(git)) return undefined;
  try {
    return execFileSync('git', ['-C', git, 'show', `${e.commit}:${e.path}`], { maxBuffer: 4 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

const loaded = manifest.files.map((e) => ({ e, data: load(e) }));
const missing = loaded.filter((x) => x.data === undefined);
if (missing.length > 0) {
  console.warn(
    `!!! real-corpus: ${missing.length} of ${loaded.length} files are not on this machine (no snapshot of ${[...new Set(missing.map((x) => x.e.repo))].join(', ')}): those are SKIPPED. ` +
      'Put them under $PORTHOLE_REAL_CORPUS/<owner>+<repo>/<commit>/<path> to run them.',
  );
}

describe('the importer on real files from public repositories', () => {
  it('the corpus has at least 30 files in every format, each with its provenance', () => {
    expect(manifest.files.length).toBeGreaterThanOrEqual(30);
    const formats = new Set(manifest.files.map((f) => (f.expect.format as string | undefined) ?? 'refused'));
    for (const f of ['ssh-config', 'frpc-toml', 'frpc-ini', 'rathole-client', 'rathole-server', 'port-proxy-server', 'port-proxy-client']) expect(formats).toContain(f);
    for (const f of manifest.files) expect(f.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  for (const { e, data } of loaded) {
    it.skipIf(data === undefined)(`${e.repo} ${e.path} @ ${e.commit.slice(0, 7)}`, () => {
      expect(createHash('sha256').update(data!).digest('hex')).toBe(e.sha256);
      const name = path.basename(e.path);
      let got: Record<string, unknown>;
      try {
        const b = readImportText(data!.toString('utf8'), name, { home: '/nonexistent-home', user: 'me', followIncludes: false });
        got = {
          format: b.format,
          servers: b.servers.map((s) => `${s.name} ${s.user}@${s.host}:${s.port} ${JSON.stringify(s.auth)}${s.jump.length ? ' jump' : ''}`),
          relays: b.relays.map((r) => `${r.name} ${r.host}:${r.port} agent=${r.agentName} tls=${r.tls} token=${r.token !== undefined}`),
          rules: b.rules.map((r) => `${r.type} ${r.name}${'remotePort' in r ? ` remote=${r.remotePort}` : ''}${r.enabled ? '' : ' (off)'}`),
          ...(b.relayServer ? { relayServer: { ...b.relayServer, token: b.relayServer.token ? '…' : undefined, agents: b.relayServer.agents.map((a) => ({ ...a, token: a.token ? '…' : undefined })) } } : {}),
          warnings: b.warnings,
        };
      } catch (err) {
        got = { error: (err as Error).message };
      }
      expect(JSON.parse(JSON.stringify(got))).toEqual(e.expect);
    });
  }
});
