import { fromBase64, utf8Text } from '../../src-shared/inspector/exchange-text';
import type { BodyView } from '../../src-shared/model/inspector';

// How the Inspector shows a body: JSON pretty-printed, a form as a table, text as text, an image as an
// image, anything else as a hex dump. Pure, so it is tested without a DOM.

export type BodyShape =
  | { kind: 'empty' }
  | { kind: 'json'; pretty: string; raw: string }
  | { kind: 'form'; fields: Array<[string, string]>; raw: string }
  | { kind: 'text'; raw: string }
  | { kind: 'image'; dataUrl: string; type: string }
  | { kind: 'binary' };

// Raster types only: an SVG would be an image too, but it is text worth reading and it can be large.
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp', 'image/x-icon', 'image/vnd.microsoft.icon', 'image/avif']);
/** Bigger images are not turned into a data: URL (shown as hex instead). */
const MAX_IMAGE = 8 * 1024 * 1024;
/** Hex dumps stop here: the rest can be saved. */
export const HEX_MAX = 64 * 1024;

/** The bytes to show: decoded when the host could undo the Content-Encoding, else as sent. */
export function displayBytes(body: BodyView): Uint8Array {
  return fromBase64(body.decodedBase64 ?? body.base64);
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function base64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function bodyShape(bytes: Uint8Array, contentType: string | undefined, truncated: boolean): BodyShape {
  if (bytes.length === 0) return { kind: 'empty' };
  const type = mediaType(contentType);
  if (IMAGE_TYPES.has(type) && !truncated && bytes.length <= MAX_IMAGE) return { kind: 'image', dataUrl: `data:${type};base64,${base64(bytes)}`, type };
  const text = utf8Text(bytes);
  if (text === undefined) return { kind: 'binary' };
  if (type === 'application/json' || type.endsWith('+json') || /^\s*[[{]/.test(text)) {
    try {
      return { kind: 'json', pretty: JSON.stringify(JSON.parse(text), null, 2), raw: text };
    } catch {
      // Not JSON after all (or cut short): shown as text.
    }
  }
  if (type === 'application/x-www-form-urlencoded') {
    const fields: Array<[string, string]> = [];
    for (const [k, v] of new URLSearchParams(text)) fields.push([k, v]);
    return { kind: 'form', fields, raw: text };
  }
  return { kind: 'text', raw: text };
}

/** `00000000  48 54 54 50 2f 31 2e 31  20 32 30 30 20 4f 4b 0d  |HTTP/1.1 200 OK.|` lines, up to HEX_MAX bytes. */
export function hexDump(bytes: Uint8Array, max = HEX_MAX): string {
  const n = Math.min(bytes.length, max);
  const lines: string[] = [];
  for (let off = 0; off < n; off += 16) {
    const row = bytes.subarray(off, Math.min(off + 16, n));
    let hex = '';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      const b = row[i];
      hex += b === undefined ? '   ' : `${b.toString(16).padStart(2, '0')} `;
      if (i === 7) hex += ' ';
      if (b !== undefined) ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`);
  }
  return lines.join('\n');
}
