import { describe, expect, it } from 'vitest';
import { decodeImportBytes, type FileLike, MAX_IMPORT_BYTES, MAX_IMPORT_FILES, pastedSource, readImportFiles } from './read-import-files';

const file = (name: string, bytes: Uint8Array | string, size?: number): FileLike => {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  return { name, size: size ?? data.byteLength, arrayBuffer: async () => data.slice().buffer };
};

describe('readImportFiles', () => {
  it('reads small UTF-8 files as text, the BOM dropped', async () => {
    const out = await readImportFiles([file('config', '\uFEFFHost a\n  LocalForward 1 b:2\n')]);
    expect(out.refused).toEqual([]);
    expect(out.sources).toEqual([{ name: 'config', text: 'Host a\n  LocalForward 1 b:2\n' }]);
  });

  it('refuses a file over 1 MiB without reading it, naming its size', async () => {
    let read = false;
    const big: FileLike = { name: 'huge.yaml', size: MAX_IMPORT_BYTES + 1, arrayBuffer: async () => ((read = true), new ArrayBuffer(0)) };
    const out = await readImportFiles([big, file('ok.toml', 'serverAddr = "x"')]);
    expect(read).toBe(false);
    expect(out.sources.map((s) => s.name)).toEqual(['ok.toml']);
    expect(out.refused).toEqual([{ name: 'huge.yaml', reason: expect.stringContaining('1.0 MiB, over the 1 MiB limit') }]);
  });

  it('refuses binary files: NUL bytes, or bytes that are not UTF-8', async () => {
    const out = await readImportFiles([file('a.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 1])), file('b.bin', new Uint8Array([0x41, 0xff, 0xfe, 0x41]))]);
    expect(out.sources).toEqual([]);
    expect(out.refused[0]).toEqual({ name: 'a.png', reason: expect.stringContaining('binary file') });
    expect(out.refused[1]).toEqual({ name: 'b.bin', reason: expect.stringContaining('not UTF-8 text') });
  });

  it('reads UTF-16 with a BOM (what Windows PowerShell 5 writes)', () => {
    const text = 'name: pi\nserver: relay:9015\n';
    const le = new Uint8Array(2 + text.length * 2);
    le.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) le[2 + i * 2] = text.charCodeAt(i);
    expect(decodeImportBytes(le)).toEqual({ text });
  });

  it('says why a file could not be read (a folder, say)', async () => {
    const dir: FileLike = { name: 'conf.d', size: 0, arrayBuffer: () => Promise.reject(new Error('NotReadableError')) };
    const out = await readImportFiles([dir]);
    expect(out.refused[0]?.reason).toMatch(/could not be read \(NotReadableError\) — drop files, not folders/);
  });

  it(`takes at most ${MAX_IMPORT_FILES} files and names the others`, async () => {
    const files = Array.from({ length: MAX_IMPORT_FILES + 2 }, (_, i) => file(`f${i}.ini`, '[common]'));
    const out = await readImportFiles(files);
    expect(out.sources).toHaveLength(MAX_IMPORT_FILES);
    expect(out.refused.map((r) => r.name)).toEqual([`f${MAX_IMPORT_FILES}.ini`, `f${MAX_IMPORT_FILES + 1}.ini`]);
  });
});

describe('pastedSource', () => {
  it('names pasted text "clipboard"', () => {
    expect(pastedSource('Host a\n')).toEqual({ source: { name: 'clipboard', text: 'Host a\n' } });
  });
  it('refuses empty, oversized or binary text', () => {
    expect(pastedSource('  \n')).toEqual({ reason: 'Paste a config first' });
    expect(pastedSource('x'.repeat(MAX_IMPORT_BYTES + 1))).toEqual({ reason: expect.stringContaining('over the 1 MiB limit') });
    expect(pastedSource('a\0b')).toEqual({ reason: expect.stringContaining('NUL') });
  });
});
