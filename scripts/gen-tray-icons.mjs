#!/usr/bin/env node
// Generates the tray icons (assets/tray) and their SVG previews (assets/src) from the shapes below:
// one source, no external tools, no downloads, byte-for-byte the same output on every run.
//
//   node scripts/gen-tray-icons.mjs           write the files
//   node scripts/gen-tray-icons.mjs --check   exit 1 when a committed file differs from the output
//
// Per state (idle / active / degraded / error):
//   {state}.png, {state}@2x.png                 16 and 32 px colour icons (Linux; Windows fallback)
//   {state}.ico                                 16, 20, 24, 32, 40, 48, 64 px (Windows: small-icon sizes
//                                               at 100–200 % DPI and the large ones, nativeImage docs)
//   {state}Template.png, {state}Template@2x.png macOS template images: black + alpha only, the menu
//                                               bar recolours them, so the shape carries the state
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const VIEW = 32; // the shapes are drawn on a 32×32 grid
const SAMPLES = 8; // 8×8 sub-samples per pixel for anti-aliasing
const ICO_SIZES = [16, 20, 24, 32, 40, 48, 64];

// ---- shapes: each answers "is (x, y) inside?" and knows its SVG form -------------------------------

function distToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

const disk = (cx, cy, r) => ({
  inside: (x, y) => Math.hypot(x - cx, y - cy) <= r,
  svg: (paint) => `<circle cx="${cx}" cy="${cy}" r="${r}" ${paint.fill}/>`,
});

const ring = (cx, cy, r, width) => ({
  inside: (x, y) => Math.abs(Math.hypot(x - cx, y - cy) - r) <= width / 2,
  svg: (paint) => `<circle cx="${cx}" cy="${cy}" r="${r}" fill="none" ${paint.stroke} stroke-width="${width}"/>`,
});

/** Open polylines stroked with round caps and joins (a union of capsules). */
const strokes = (lines, width) => ({
  inside: (x, y) =>
    lines.some((pts) => pts.slice(1).some((p, i) => distToSegment(x, y, pts[i], p) <= width / 2)),
  svg: (paint) =>
    `<path d="${lines.map((pts) => pts.map(([px, py], i) => `${i ? 'L' : 'M'}${px} ${py}`).join(' ')).join(' ')}" ` +
    `fill="none" ${paint.stroke} stroke-width="${width}" stroke-linecap="round" stroke-linejoin="round"/>`,
});

// ---- the icons --------------------------------------------------------------------------------------

const ARROW = [
  [
    [8.5, 16],
    [20.5, 16],
  ],
  [
    [16, 10.5],
    [22, 16],
    [16, 21.5],
  ],
];
const BANG = [
  [
    [16, 8.5],
    [16, 17.5],
  ],
];

const rgb = (hex, a = 1) => [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16), a];
const WHITE = rgb('#ffffff');
const BLACK = rgb('#000000');

/** Colour badge: a filled disk with a lighter rim and a white glyph. */
function badge(fill, rim, glyph) {
  return [
    { shape: disk(16, 16, 14), color: rgb(fill) },
    { shape: ring(16, 16, 14, 2.5), color: rgb(rim) },
    ...glyph(WHITE),
  ];
}
const arrowGlyph = (color) => [{ shape: strokes(ARROW, 3.2), color }];
const bangGlyph = (color) => [
  { shape: strokes(BANG, 3.6), color },
  { shape: disk(16, 23, 2.2), color },
];

export const ICONS = {
  // Grey disk: nothing running. Green: something running. Amber "!": a mapping listens but its target
  // keeps failing (degraded). Red "!": an enabled mapping failed or retries.
  idle: badge('#6e7681', '#b1bac4', arrowGlyph),
  active: badge('#1a7f37', '#56d364', arrowGlyph),
  degraded: badge('#9a6700', '#e3b341', bangGlyph),
  error: badge('#cf222e', '#ff8182', bangGlyph),
  // Templates: outline ring = idle (arrow dimmed), filled disk with the arrow cut out = active,
  // filled disk with "!" cut out = degraded, ring with "!" = error.
  idleTemplate: [
    { shape: ring(16, 16, 13, 3), color: BLACK },
    { shape: strokes([[[9, 16], [20.5, 16]], ARROW[1]], 3), color: rgb('#000000', 0.55) },
  ],
  activeTemplate: [
    { shape: disk(16, 16, 14.5), color: BLACK },
    { shape: strokes(ARROW, 3.2), erase: true },
  ],
  degradedTemplate: [
    { shape: disk(16, 16, 14.5), color: BLACK },
    { shape: strokes(BANG, 3.6), erase: true },
    { shape: disk(16, 23, 2.2), erase: true },
  ],
  errorTemplate: [{ shape: ring(16, 16, 13, 3), color: BLACK }, ...bangGlyph(BLACK)],
};

// ---- rasterising ------------------------------------------------------------------------------------

/** Straight (non-premultiplied) RGBA, rows top to bottom. */
export function render(layers, size) {
  const out = Buffer.alloc(size * size * 4);
  const step = VIEW / size / SAMPLES;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const x = (px * SAMPLES + sx + 0.5) * step;
          const y = (py * SAMPLES + sy + 0.5) * step;
          // Premultiplied "source over" of every layer that covers this sample.
          let cr = 0;
          let cg = 0;
          let cb = 0;
          let ca = 0;
          for (const layer of layers) {
            if (!layer.shape.inside(x, y)) continue;
            if (layer.erase) {
              cr = cg = cb = ca = 0;
              continue;
            }
            const [lr, lg, lb, la] = layer.color;
            cr = lr * la + cr * (1 - la);
            cg = lg * la + cg * (1 - la);
            cb = lb * la + cb * (1 - la);
            ca = la + ca * (1 - la);
          }
          r += cr;
          g += cg;
          b += cb;
          a += ca;
        }
      }
      const n = SAMPLES * SAMPLES;
      const i = (py * size + px) * 4;
      const alpha = a / n;
      out[i + 3] = Math.round(alpha * 255);
      if (out[i + 3] > 0) {
        out[i] = Math.round(r / n / alpha);
        out[i + 1] = Math.round(g / n / alpha);
        out[i + 2] = Math.round(b / n / alpha);
      }
    }
  }
  return out;
}

// ---- encoders ---------------------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

export function encodePng(rgba, size) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A classic ICO entry: BITMAPINFOHEADER, 32-bit BGRA rows bottom-up, then the 1-bit AND mask. */
function icoBitmap(rgba, size) {
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(size, 4);
  header.writeInt32LE(size * 2, 8); // colour + mask
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  const pixels = Buffer.alloc(size * size * 4);
  const maskStride = Math.ceil(size / 32) * 4;
  const mask = Buffer.alloc(maskStride * size);
  for (let y = 0; y < size; y++) {
    const row = size - 1 - y;
    for (let x = 0; x < size; x++) {
      const s = (y * size + x) * 4;
      const d = (row * size + x) * 4;
      pixels[d] = rgba[s + 2];
      pixels[d + 1] = rgba[s + 1];
      pixels[d + 2] = rgba[s];
      pixels[d + 3] = rgba[s + 3];
      if (rgba[s + 3] === 0) mask[row * maskStride + (x >> 3)] |= 0x80 >> (x & 7);
    }
  }
  header.writeUInt32LE(pixels.length + mask.length, 20);
  return Buffer.concat([header, pixels, mask]);
}

export function encodeIco(images) {
  const dir = Buffer.alloc(6 + 16 * images.length);
  dir.writeUInt16LE(1, 2); // type: icon
  dir.writeUInt16LE(images.length, 4);
  let offset = dir.length;
  const bodies = images.map(({ rgba, size }, i) => {
    const body = icoBitmap(rgba, size);
    const e = 6 + 16 * i;
    dir[e] = size >= 256 ? 0 : size;
    dir[e + 1] = size >= 256 ? 0 : size;
    dir.writeUInt16LE(1, e + 4); // planes
    dir.writeUInt16LE(32, e + 6); // bits per pixel
    dir.writeUInt32LE(body.length, e + 8);
    dir.writeUInt32LE(offset, e + 12);
    offset += body.length;
    return body;
  });
  return Buffer.concat([dir, ...bodies]);
}

function toSvg(layers) {
  const hex = ([r, g, b]) => `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  const paint = (color) => {
    const opacity = color[3] < 1 ? ` fill-opacity="${color[3]}"` : '';
    const sOpacity = color[3] < 1 ? ` stroke-opacity="${color[3]}"` : '';
    return { fill: `fill="${hex(color)}"${opacity}`, stroke: `stroke="${hex(color)}"${sOpacity}` };
  };
  const erased = layers.filter((l) => l.erase);
  const mask = erased.length
    ? `  <defs><mask id="m"><rect width="${VIEW}" height="${VIEW}" fill="#fff"/>${erased
        .map((l) => l.shape.svg(paint(BLACK)))
        .join('')}</mask></defs>\n`
    : '';
  const body = layers
    .filter((l) => !l.erase)
    .map((l) => `  ${l.shape.svg(paint(l.color)).replace('/>', erased.length ? ' mask="url(#m)"/>' : '/>')}`)
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${VIEW}" height="${VIEW}" viewBox="0 0 ${VIEW} ${VIEW}">\n${mask}${body}\n</svg>\n`;
}

// ---- output -----------------------------------------------------------------------------------------

/** Every generated file: repo-relative path → contents. */
export function generate() {
  const files = new Map();
  for (const [name, layers] of Object.entries(ICONS)) {
    const svgName = name.endsWith('Template') ? `tray-${name.slice(0, -'Template'.length)}-template.svg` : `tray-${name}.svg`;
    files.set(`assets/src/${svgName}`, Buffer.from(toSvg(layers)));
    files.set(`assets/tray/${name}.png`, encodePng(render(layers, 16), 16));
    files.set(`assets/tray/${name}@2x.png`, encodePng(render(layers, 32), 32));
    if (!name.endsWith('Template')) {
      files.set(`assets/tray/${name}.ico`, encodeIco(ICO_SIZES.map((size) => ({ size, rgba: render(layers, size) }))));
    }
  }
  return files;
}

function main() {
  const check = process.argv.includes('--check');
  const stale = [];
  for (const [rel, data] of generate()) {
    const path = join(ROOT, rel);
    const same = existsSync(path) && readFileSync(path).equals(data);
    if (check) {
      if (!same) stale.push(rel);
      continue;
    }
    if (same) continue;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
    process.stdout.write(`wrote ${rel}\n`);
  }
  if (check && stale.length > 0) {
    process.stdout.write(`Tray icons out of date (run node scripts/gen-tray-icons.mjs): ${stale.join(', ')}\n`);
    process.exit(1);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
