import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect } from 'vitest';
import { ProfileError } from '../src-main/profiles/profile-error';
import { ImportedExposeSchema, ImportedRelaySchema, ImportedRelayServerConfigSchema, type ImportResult } from '../src-main/profiles/relay-import';
import { prng } from './prng';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src-main', 'profiles', 'fixtures');
export const fixture = (...p: string[]) => path.join(FIXTURES, ...p);

export function tmpWriter(prefix: string): (text: string | Buffer, name: string) => string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return (text, name) => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };
}

export function profileError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProfileError);
    return (err as Error).message;
  }
  throw new Error('expected a ProfileError');
}

/** Every draft passes the schemas and every expose's relay exists. */
export function expectValid(r: ImportResult): void {
  const refs = new Set(r.relays.map((x) => x.ref));
  for (const x of r.relays) expect(ImportedRelaySchema.safeParse(x).success).toBe(true);
  for (const e of r.exposes) {
    expect(ImportedExposeSchema.safeParse(e).success).toBe(true);
    expect(refs.has(e.relayRef)).toBe(true);
  }
  if (r.relayServer) expect(ImportedRelayServerConfigSchema.safeParse(r.relayServer).success).toBe(true);
  for (const w of r.warnings) expect(typeof w).toBe('string');
}

const JUNK = ['', '\n', ' ', '\t', ':', '=', '"', "'", '[', ']', '[[', '{', '}', '-', '- ', '#', ';', '&a', '*a', '!!', '|', '>', '{{ .Envs.X }}', '\0', '\r', '\uFEFF', '0', '-1', '65536', '99999999999999999999', '::1', '[::1]:22', 'true', 'null', '1e9', 'é', '\u202e'];

/** Seeded byte/line mutations of `text`: delete, duplicate, insert junk, swap lines, truncate. */
export function mutations(text: string, seed: number, count: number): string[] {
  const rnd = prng(seed);
  const pick = <T,>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = text;
    const n = 1 + Math.floor(rnd() * 4);
    for (let j = 0; j < n; j++) {
      const at = Math.floor(rnd() * (s.length + 1));
      switch (Math.floor(rnd() * 6)) {
        case 0:
          s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rnd() * 8));
          break;
        case 1:
          s = s.slice(0, at) + pick(JUNK) + s.slice(at);
          break;
        case 2: {
          const lines = s.split('\n');
          const a = Math.floor(rnd() * lines.length);
          const b = Math.floor(rnd() * lines.length);
          [lines[a], lines[b]] = [lines[b]!, lines[a]!];
          s = lines.join('\n');
          break;
        }
        case 3: {
          const lines = s.split('\n');
          const a = Math.floor(rnd() * lines.length);
          lines.splice(a, 0, lines[Math.floor(rnd() * lines.length)]!);
          s = lines.join('\n');
          break;
        }
        case 4:
          s = s.slice(0, at);
          break;
        default:
          s = s.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 128)) + s.slice(at + 1);
      }
    }
    out.push(s);
  }
  return out;
}

/** A reader only ever returns a valid result or throws ProfileError. */
export function expectReturnsOrProfileError(read: () => ImportResult, input: string): void {
  let r: ImportResult;
  try {
    r = read();
  } catch (err) {
    if (!(err instanceof ProfileError)) throw new Error(`not a ProfileError for input ${JSON.stringify(input)}: ${String(err)}`, { cause: err });
    return;
  }
  expectValid(r);
}
