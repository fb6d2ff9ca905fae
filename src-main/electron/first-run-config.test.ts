import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// Issue 18, points 6 and 8, as checks on the repository's own files: which installed packages ask for
// a newer Node than Porthole says it needs (exactly the ones the README explains), and which Linux
// packages electron-builder makes (none that needs made-up metadata).

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; author?: unknown; homepage?: string };

/** The Node the README names, as a version: `>=20.19` → [20, 19, 0]. */
function floor(range: string): number[] {
  const m = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  if (!m) throw new Error(`package.json engines.node is not a plain >= range: ${range}`);
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

function before(a: number[], b: number[]): boolean {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

/**
 * Whether `version` meets an engines range as packages write them: alternatives joined by `||`, each a
 * list of `>=x.y.z` / `^x` / `x.x` bounds (only the lower bounds matter for "too old").
 */
function accepts(range: string, version: number[]): boolean {
  return range.split('||').some((alt) =>
    [...alt.matchAll(/(>=|\^|~|>)?\s*(\d+)(?:\.(\d+|x))?(?:\.(\d+|x))?/g)].every((m) => {
      const low = [Number(m[2]), Number(m[3] === 'x' ? 0 : (m[3] ?? 0)), Number(m[4] === 'x' ? 0 : (m[4] ?? 0))];
      return !before(version, low);
    }),
  );
}

function installed(): { name: string; node: string }[] {
  const out: { name: string; node: string }[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.name.startsWith('@')) {
        visit(path);
        continue;
      }
      try {
        const p = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as { name?: string; version?: string; engines?: { node?: string } };
        if (p.engines?.node) out.push({ name: `${p.name}@${p.version}`, node: p.engines.node });
      } catch {
        /* not a package */
      }
      try {
        visit(join(path, 'node_modules'));
      } catch {
        /* no nested node_modules */
      }
    }
  };
  visit(join(ROOT, 'node_modules'));
  return out;
}

describe('a clean first run', () => {
  it('every installed package accepts the Node the README names, but for the desktop toolchain the README explains', () => {
    const node = floor(pkg.engines.node);
    const refusing = installed()
      .filter((p) => !accepts(p.node, node))
      .map((p) => p.name.replace(/@[^@]+$/, ''))
      .sort();
    expect(refusing).toEqual(['@electron-internal/extract-zip', '@electron/get', '@electron/rebuild', 'electron', 'node-abi']);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const name of refusing) expect(readme, name).toContain(`\`${name}\``);
  });

  it('builds Linux packages that need no invented metadata: AppImage and tar.gz, no .deb without a real maintainer', () => {
    const config = parse(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as { linux: { target: string[]; maintainer?: string } };
    expect(config.linux.target).toEqual(['AppImage', 'tar.gz']);
    // A .deb needs `Maintainer: name <email>`: none is configured, so none may be built.
    expect(config.linux.maintainer).toBeUndefined();
    expect(JSON.stringify(pkg.author ?? '')).not.toMatch(/@/);
    expect(readFileSync(join(ROOT, 'docs', 'packaging.md'), 'utf8')).toMatch(/The \*\*`\.deb` is not built, on purpose\.\*\*/);
  });
});
