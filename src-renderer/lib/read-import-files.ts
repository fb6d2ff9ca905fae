import type { ImportSource } from '../../src-shared/model/import';
import { t } from '../i18n/i18n';

// Checks files before they cross to the host: a tunnel config is a small text file, so anything over
// 1 MiB or binary is refused here, with the file named, instead of being shipped and parsed.

export const MAX_IMPORT_BYTES = 1024 * 1024;
/** ImportPreviewInputSchema's limit. */
export const MAX_IMPORT_FILES = 20;
const MAX_NAME = 260;

/** What readImportFiles needs of a DOM File (a plain object in unit tests). */
export interface FileLike {
  readonly name: string;
  readonly size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface RefusedFile {
  name: string;
  /** Why, said so that `${name}: ${reason}` reads as a sentence. */
  reason: string;
}

export interface ReadFiles {
  sources: ImportSource[];
  refused: RefusedFile[];
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return t('importExport.read.bytes', { n: bytes });
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function tooBig(size: number): string {
  return t('importExport.read.tooBig', { size: formatSize(size) });
}

function sourceName(name: string): string {
  const n = name.trim() || t('importExport.read.unnamed');
  return n.length > MAX_NAME ? n.slice(0, MAX_NAME) : n;
}

/**
 * Decodes a file as text, or says why it is not text. UTF-8 (with or without BOM) is the norm; UTF-16
 * with a BOM is accepted too, since Windows PowerShell 5 writes `>` redirections that way.
 */
export function decodeImportBytes(bytes: Uint8Array): { text: string } | { reason: string } {
  let encoding = 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) encoding = 'utf-16le';
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) encoding = 'utf-16be';
  if (encoding === 'utf-8' && bytes.includes(0)) return { reason: t('importExport.read.nulBytes') };
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return { reason: t('importExport.read.notText', { encoding: encoding === 'utf-8' ? 'UTF-8' : 'UTF-16' }) };
  }
  if (text.includes('\0')) return { reason: t('importExport.read.nulChars') };
  return { text };
}

/** Reads dropped or picked files: the text of those that may be configs, and why the others were refused. */
export async function readImportFiles(files: readonly FileLike[]): Promise<ReadFiles> {
  const sources: ImportSource[] = [];
  const refused: RefusedFile[] = [];
  for (const file of files) {
    const name = sourceName(file.name);
    if (sources.length >= MAX_IMPORT_FILES) {
      refused.push({ name, reason: t('importExport.read.tooMany', { max: MAX_IMPORT_FILES }) });
      continue;
    }
    if (file.size > MAX_IMPORT_BYTES) {
      refused.push({ name, reason: tooBig(file.size) });
      continue;
    }
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch (err) {
      refused.push({ name, reason: t('importExport.read.unreadable', { error: err instanceof Error ? err.message : String(err) }) });
      continue;
    }
    // The size a File reports can be stale (the file grew since it was picked).
    if (bytes.byteLength > MAX_IMPORT_BYTES) {
      refused.push({ name, reason: tooBig(bytes.byteLength) });
      continue;
    }
    const decoded = decodeImportBytes(bytes);
    if ('reason' in decoded) refused.push({ name, reason: decoded.reason });
    else sources.push({ name, text: decoded.text });
  }
  return { sources, refused };
}

/** Pasted text as one source named "clipboard" (in the UI language), or why it cannot be imported. */
export function pastedSource(text: string): { source: ImportSource } | { reason: string } {
  if (text.trim() === '') return { reason: t('importExport.read.pasteFirst') };
  // The host's limit counts UTF-16 units, as .length does.
  if (text.length > MAX_IMPORT_BYTES) return { reason: t('importExport.read.pasteTooBig', { size: formatSize(text.length) }) };
  if (text.includes('\0')) return { reason: t('importExport.read.pasteNul') };
  return { source: { name: t('importExport.read.clipboard'), text } };
}
