/* eslint-disable no-restricted-imports -- scans the renderer sources: runs in Node under vitest, never in the page */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { en } from './locales/en';
import { zhCN } from './locales/zh-CN';

type Tree = { readonly [k: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

/** `x_one` / `x_other` → `x`: Chinese has only the `other` form, English both. */
const base = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, '');
const vars = (text: string) => [...text.matchAll(/\{\{\s*([\w.]+)/g)].map((m) => m[1]).sort();

const enKeys = flatten(en);
const zhKeys = flatten(zhCN as Tree);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'locales' ? [] : sourceFiles(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('translation catalogues', () => {
  it('zh-CN has exactly the keys of en (plural forms aside) and each plural its "other" form', () => {
    const enBases = new Set([...enKeys.keys()].map(base));
    const zhBases = new Set([...zhKeys.keys()].map(base));
    expect([...enBases].filter((k) => !zhBases.has(k)), 'missing in zh-CN').toEqual([]);
    expect([...zhBases].filter((k) => !enBases.has(k)), 'extra in zh-CN').toEqual([]);
    for (const key of enKeys.keys()) if (key.endsWith('_one')) expect(zhKeys.has(`${base(key)}_other`), key).toBe(true);
    for (const key of zhKeys.keys()) expect(key.endsWith('_one'), `${key}: Chinese has no "one" form`).toBe(false);
  });

  it('zh-CN uses the same {{variables}} as en, and no value is empty', () => {
    for (const [key, text] of zhKeys) {
      const enText = enKeys.get(key) ?? enKeys.get(`${base(key)}_other`);
      expect(enText, key).toBeDefined();
      expect(vars(text), key).toEqual(vars(enText ?? ''));
      expect(text.trim(), key).not.toBe('');
    }
  });

  it('every key the renderer uses exists in en', () => {
    const root = join(__dirname, '..');
    const bases = new Set([...enKeys.keys()].map(base));
    const prefixes = new Set([...enKeys.keys()].flatMap((k) => k.split('.').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('.'))));
    const missing: string[] = [];
    let used = 0;
    for (const file of sourceFiles(root)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt{1,2}\(\s*'([\w.-]+)'/g)) {
        used++;
        if (!bases.has(m[1] as string)) missing.push(`${file}: ${m[1]}`);
      }
      // t(`area.group.${x}`): the part before the variable must be a group of the catalogue.
      for (const m of text.matchAll(/\bt{1,2}\(\s*`([\w.-]+)\.\$\{/g)) {
        used++;
        if (!prefixes.has(m[1] as string)) missing.push(`${file}: ${m[1]}.*`);
      }
    }
    expect(missing).toEqual([]);
    expect(used).toBeGreaterThan(100);
  });
});
