import { readFileSync, statSync } from 'node:fs';
import { UsageError } from '../headless/args';

// Every profile reader starts here: a file that is too large, binary or unreadable is refused with a
// message naming it, before any parser sees it.

export const MAX_PROFILE_BYTES = 1024 * 1024;

/** Reads one profile file: at most 1 MiB, text (no NUL bytes); BOM removed, line ends normalized. */
export function readProfileText(file: string, what: string): string {
  let size: number;
  let isFile: boolean;
  try {
    const st = statSync(file);
    size = st.size;
    isFile = st.isFile();
  } catch (err) {
    throw new UsageError(`${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!isFile) throw new UsageError(`${file}: not a regular file`);
  if (size > MAX_PROFILE_BYTES) throw new UsageError(`${file}: the file is larger than 1 MiB — not ${what}`);
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (err) {
    throw new UsageError(`${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return normalizeProfileText(buf, file, what);
}

/** The checks of readProfileText for text already in memory (a Buffer or a string). */
export function normalizeProfileText(data: Buffer | string, file: string, what: string): string {
  const text = typeof data === 'string' ? data : data.toString('utf8');
  if (Buffer.byteLength(text, 'utf8') > MAX_PROFILE_BYTES) throw new UsageError(`${file}: the file is larger than 1 MiB — not ${what}`);
  if (text.includes('\0')) throw new UsageError(`${file}: binary data (NUL bytes) — not ${what}`);
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

