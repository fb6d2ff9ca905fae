import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { trayIconFile } from './tray-model';
import type { TrayIconState } from './tray-model';

// The committed tray icons are what scripts/gen-tray-icons.mjs makes, in the shapes each platform
// wants: template PNGs (black + alpha) for macOS, a multi-size .ico for Windows, PNGs for Linux.

const ROOT = resolve(__dirname, '..', '..');
const TRAY = join(ROOT, 'assets', 'tray');
const STATES: TrayIconState[] = ['idle', 'active', 'degraded', 'error'];

/** Our generator writes 8-bit RGBA with filter 0 on every row; anything else is a surprise. */
function readPng(file: string): { size: number; rgba: Buffer } {
  const buf = readFileSync(file);
  expect(buf.subarray(1, 4).toString('latin1')).toBe('PNG');
  let p = 8;
  let size = 0;
  const idat: Buffer[] = [];
  while (p < buf.length) {
    const len = buf.readUInt32BE(p);
    const type = buf.toString('latin1', p + 4, p + 8);
    const data = buf.subarray(p + 8, p + 8 + len);
    if (type === 'IHDR') {
      size = data.readUInt32BE(0);
      expect(data.readUInt32BE(4)).toBe(size);
      expect([data[8], data[9]]).toEqual([8, 6]);
    }
    if (type === 'IDAT') idat.push(data);
    p += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgba = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    expect(raw[y * (size * 4 + 1)]).toBe(0);
    raw.copy(rgba, y * size * 4, y * (size * 4 + 1) + 1, (y + 1) * (size * 4 + 1));
  }
  return { size, rgba };
}

describe('tray icons', () => {
  it('are up to date with scripts/gen-tray-icons.mjs', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'gen-tray-icons.mjs'), '--check'], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('exist for every state and platform, with the @2x twin nativeImage looks for', () => {
    for (const state of STATES) {
      for (const platform of ['darwin', 'win32', 'linux'] as const) expect(existsSync(trayIconFile(TRAY, state, platform))).toBe(true);
      expect(readPng(join(TRAY, `${state}.png`)).size).toBe(16);
      expect(readPng(join(TRAY, `${state}@2x.png`)).size).toBe(32);
      expect(readPng(join(TRAY, `${state}Template@2x.png`)).size).toBe(32);
    }
    expect(trayIconFile('/r/tray', 'error', 'darwin')).toBe('/r/tray/errorTemplate.png');
    expect(trayIconFile('/r/tray', 'error', 'win32')).toBe(join('/r/tray', 'error.ico'));
    expect(trayIconFile('/r/tray', 'error', 'linux')).toBe('/r/tray/error.png');
  });

  it('macOS templates are black and alpha only, and differ in shape per state', () => {
    const shapes = STATES.map((state) => {
      const { rgba } = readPng(join(TRAY, `${state}Template@2x.png`));
      for (let i = 0; i < rgba.length; i += 4) if (rgba[i + 3]! > 0) expect([rgba[i], rgba[i + 1], rgba[i + 2]]).toEqual([0, 0, 0]);
      return rgba.toString('base64');
    });
    expect(new Set(shapes).size).toBe(STATES.length);
  });

  it('Windows .ico files hold the small and large sizes as 32-bit bitmaps', () => {
    for (const state of STATES) {
      const ico = readFileSync(join(TRAY, `${state}.ico`));
      expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
      const count = ico.readUInt16LE(4);
      const sizes: number[] = [];
      for (let i = 0; i < count; i++) {
        const e = 6 + 16 * i;
        const size = ico[e]!;
        const bytes = ico.readUInt32LE(e + 8);
        const offset = ico.readUInt32LE(e + 12);
        expect(offset + bytes).toBeLessThanOrEqual(ico.length);
        // BITMAPINFOHEADER: 40 bytes, height doubled for the AND mask, 32 bits per pixel.
        expect(ico.readUInt32LE(offset)).toBe(40);
        expect(ico.readInt32LE(offset + 4)).toBe(size);
        expect(ico.readInt32LE(offset + 8)).toBe(size * 2);
        expect(ico.readUInt16LE(offset + 14)).toBe(32);
        sizes.push(size);
      }
      expect(sizes).toEqual([16, 20, 24, 32, 40, 48, 64]);
    }
  });
});
