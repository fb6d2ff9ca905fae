import { readFileSync, statSync } from 'node:fs';
import { Lexer, Parser } from 'yaml';
import { ProfileError } from './profile-error';

// Every profile reader starts here: a file that is too large, binary or unreadable is refused with a
// message naming it, before any parser sees it.

export const MAX_PROFILE_BYTES = 1024 * 1024;
/** Far deeper than any profile (a Porthole export nests 5 levels, port-proxy YAML 4). */
export const MAX_YAML_DEPTH = 64;

/** Reads one profile file: at most 1 MiB, text (no NUL bytes); BOM removed, line ends normalized. */
export function readProfileText(file: string, what: string): string {
  let size: number;
  let isFile: boolean;
  try {
    const st = statSync(file);
    size = st.size;
    isFile = st.isFile();
  } catch (err) {
    throw new ProfileError(`${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!isFile) throw new ProfileError(`${file}: not a regular file`);
  if (size > MAX_PROFILE_BYTES) throw new ProfileError(`${file}: the file is larger than 1 MiB — not ${what}`);
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (err) {
    throw new ProfileError(`${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return normalizeProfileText(buf, file, what);
}

/** The checks of readProfileText for text already in memory (a Buffer or a string). */
export function normalizeProfileText(data: Buffer | string, file: string, what: string): string {
  const text = typeof data === 'string' ? data : data.toString('utf8');
  if (Buffer.byteLength(text, 'utf8') > MAX_PROFILE_BYTES) throw new ProfileError(`${file}: the file is larger than 1 MiB — not ${what}`);
  if (text.includes('\0')) throw new ProfileError(`${file}: binary data (NUL bytes) — not ${what}`);
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

/**
 * Refuses YAML (or JSON, read as YAML) nested more than MAX_YAML_DEPTH levels — `[[[[…`, `{a: {a: …`
 * or ever deeper indentation — before the yaml library composes it: its time grows with the square
 * of the depth before it overflows the stack, so a 10 KB file of brackets would stall the process for
 * seconds. Depth is the yaml parser's own stack of open collections, so quotes and comments count as
 * YAML reads them; only its lexer and parser run here, and they stop at the first level too deep.
 */
export function checkYamlDepth(text: string, file: string): void {
  const parser = new Parser();
  let line = 1;
  for (const lexeme of new Lexer().lex(text)) {
    for (const _doc of parser.next(lexeme)) {
      // whole documents: the caller parses the text itself once it is known to be shallow
    }
    if (parser.stack.length > MAX_YAML_DEPTH) throw new ProfileError(`${file}:${line}: nested more than ${MAX_YAML_DEPTH} levels deep — not a tunnel profile`);
    for (let i = lexeme.indexOf('\n'); i >= 0; i = lexeme.indexOf('\n', i + 1)) line++;
  }
}
