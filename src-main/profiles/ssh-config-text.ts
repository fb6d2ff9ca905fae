import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ProfileError } from './profile-error';
import { MAX_PROFILE_BYTES, readProfileText } from './profile-file';

// The text layer of the ssh_config importer: reading files safely, splitting lines into a keyword and
// arguments the way OpenSSH does (readconf.c strdelim + argv_split), and expanding Include directives
// into one flat list of lines that remember their file and line number.

const MAX_SSH_CONFIG_BYTES = MAX_PROFILE_BYTES;
const MAX_INCLUDE_DEPTH = 16;
/** Bounds on the expanded text, so a glob Include that includes itself cannot blow up. */
const MAX_INCLUDED_FILES = 256;
const MAX_EXPANDED_BYTES = 8 * MAX_SSH_CONFIG_BYTES;

export interface ConfigLine {
  file: string;
  line: number;
  /** The keyword as written (for messages). */
  keyword: string;
  /** The keyword, lower case. */
  key: string;
  args: string[];
  /** A section header repeated after an Include, to restore the including file's context. */
  synthetic?: boolean;
  /**
   * The line comes from an included file. An Include may name any file on this machine (a private key,
   * a password store), so no message ever quotes such a line: it names the file and line number.
   */
  included?: boolean;
}

export type Tokenized = { kind: 'empty' } | { kind: 'directive'; keyword: string; args: string[] } | { kind: 'error'; error: string };

/**
 * Splits one line into its keyword and arguments as OpenSSH does: `Key Value`, `Key=Value` and
 * `Key = Value`; double or single quotes group words; `\"`, `\'`, `\\` and `\ ` are escapes; an
 * unquoted `#` at the start of a word ends the line.
 */
export function tokenizeLine(raw: string): Tokenized {
  const text = raw.replace(/[ \t\r\n\f\v]+$/, '');
  const m = /^[ \t\f\v]*([^ \t\f\v=]*)/.exec(text);
  const keyword = m?.[1] ?? '';
  if (keyword === '' || keyword.startsWith('#')) return { kind: 'empty' };
  let rest = text.slice(m![0].length);
  rest = rest.replace(/^[ \t\f\v]*(=[ \t\f\v]*)?/, '');
  const args: string[] = [];
  let i = 0;
  while (i < rest.length) {
    const c = rest[i]!;
    if (c === ' ' || c === '\t' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '#') break;
    let arg = '';
    let quote = '';
    for (; i < rest.length; i++) {
      const ch = rest[i]!;
      if (ch === '\\') {
        const nx = rest[i + 1];
        if (nx === '"' || nx === "'" || nx === '\\' || (quote === '' && nx === ' ')) {
          arg += nx;
          i++;
        } else {
          arg += ch;
        }
      } else if (quote === '' && (ch === ' ' || ch === '\t')) {
        break;
      } else if (quote === '' && (ch === '"' || ch === "'")) {
        quote = ch;
      } else if (quote !== '' && ch === quote) {
        quote = '';
      } else {
        arg += ch;
      }
    }
    if (quote !== '') return { kind: 'error', error: 'a quote is not closed' };
    args.push(arg);
  }
  return { kind: 'directive', keyword, args };
}

/** Reads one config file: at most 1 MiB, text (no NUL bytes); BOM removed, line ends normalized. */
export function readConfigText(file: string): string {
  return readProfileText(file, 'an ssh_config file');
}

/** `*` and `?` wildcards of one path component (a leading dot is only matched by a literal dot). */
export function wildcardMatch(pattern: string, name: string): boolean {
  if (name.startsWith('.') && !pattern.startsWith('.')) return false;
  let re = '^';
  for (const ch of pattern) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(re + '$', 's').test(name);
}

export function expandTilde(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  return p;
}

interface ExpandState {
  home: string;
  follow: boolean;
  warnings: string[];
  files: number;
  bytes: number;
}

/** `~/…` for a path under the home directory (shorter, and how the user wrote it). */
export function shownPath(p: string, home: string): string {
  const rel = path.relative(home, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? `~/${rel.split(path.sep).join('/')}` : p;
}

/** Why an Include of text the user did not name by its path is not followed, and what to do instead. */
export const INCLUDE_NOT_FOLLOWED =
  'included files are read only when Porthole opens the file itself — run `porthole import ~/.ssh/config`, or choose the file with Import → Choose files… in the desktop app';

export interface ExpandedConfig {
  lines: ConfigLine[];
  warnings: string[];
}

/**
 * Reads `file` and every file it Includes, inserting included lines where the Include stands (as
 * OpenSSH does). Relative Include paths are taken from `~/.ssh/`; `*` and `?` are expanded in the
 * file name. After an included file that opened Host or Match sections, the including file's own
 * section header is repeated, because OpenSSH restores the including file's context there.
 *
 * `follow` false (text pasted, dropped into a page, sent over the API or in a porthole:// link):
 * Include lines are skipped with a warning and no other file is read — such text could otherwise
 * read any local file into the import preview.
 */
export function expandIncludes(file: string, text: string, home: string, follow: boolean): ExpandedConfig {
  const state: ExpandState = { home, follow, warnings: [], files: 1, bytes: text.length };
  const lines: ConfigLine[] = [];
  expandInto(file, text, 0, undefined, state, lines);
  return { lines, warnings: state.warnings };
}

function expandInto(file: string, text: string, depth: number, inherited: ConfigLine | undefined, state: ExpandState, out: ConfigLine[]): boolean {
  const included = depth > 0;
  let header = inherited;
  let openedSections = false;
  const rows = text.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const lineNo = i + 1;
    const t = tokenizeLine(rows[i]!);
    if (t.kind === 'empty') continue;
    if (t.kind === 'error') throw new ProfileError(`${file}:${lineNo}: ${t.error}`);
    const entry: ConfigLine = { file, line: lineNo, keyword: t.keyword, key: t.keyword.toLowerCase(), args: t.args, ...(included ? { included } : {}) };
    if (entry.key === 'host' || entry.key === 'match') {
      header = entry;
      openedSections = true;
      out.push(entry);
      continue;
    }
    if (entry.key !== 'include') {
      out.push(entry);
      continue;
    }
    if (entry.args.length === 0) throw new ProfileError(`${file}:${lineNo}: Include: missing file name`);
    if (!state.follow) {
      // Only the top file is read here (depth 0): its own text may be quoted.
      state.warnings.push(`${file}:${lineNo}: Include ${entry.args.join(' ')} was not followed: ${INCLUDE_NOT_FOLLOWED}`);
      continue;
    }
    for (const pattern of entry.args) {
      // An Include line of an included file is itself never quoted (see ConfigLine.included).
      const shown = included ? 'Include' : `Include "${pattern}"`;
      for (const target of resolveInclude(file, lineNo, pattern, shown, state)) {
        if (depth + 1 > MAX_INCLUDE_DEPTH) {
          throw new ProfileError(`${file}:${lineNo}: ${shown}: includes nested more than ${MAX_INCLUDE_DEPTH} deep (does a file include itself?)`);
        }
        state.files++;
        if (state.files > MAX_INCLUDED_FILES) throw new ProfileError(`${file}:${lineNo}: ${shown}: more than ${MAX_INCLUDED_FILES} included files`);
        const targetName = shownPath(target, state.home);
        const includedText = readConfigText(target);
        state.bytes += includedText.length;
        if (state.bytes > MAX_EXPANDED_BYTES) throw new ProfileError(`${file}:${lineNo}: ${shown}: the included files add up to more than 8 MiB`);
        const opened = expandInto(targetName, includedText, depth + 1, header, state, out);
        if (opened) {
          openedSections = true;
          if (header) {
            state.warnings.push(
              `${file}:${lineNo}: Include inside a ${header.keyword} block: the Host/Match sections of ${targetName} are applied unconditionally (OpenSSH applies them only when the enclosing block matches)`,
            );
            out.push({ ...header, synthetic: true });
          } else {
            // Back at the top level of the including file: options there apply to every host.
            out.push({ file, line: lineNo, keyword: 'Host', key: 'host', args: ['*'], synthetic: true });
          }
        }
      }
    }
  }
  return openedSections;
}

/** The files an Include pattern names; `shown` is how messages name the Include (never quoting an included file's line). */
function resolveInclude(file: string, lineNo: number, pattern: string, shown: string, state: ExpandState): string[] {
  const quoted = shown !== 'Include';
  let p = expandTilde(pattern, state.home);
  if (p.startsWith('~')) {
    state.warnings.push(`${file}:${lineNo}: ${shown}: ~user paths are not supported; skipped`);
    return [];
  }
  if (!path.isAbsolute(p)) p = path.join(state.home, '.ssh', p);
  const dir = path.dirname(p);
  const base = path.basename(p);
  if (/[*?]/.test(dir)) {
    // glob(3) as OpenSSH uses it: wildcards in any path component (`Include ~/.ssh/*/config`).
    const found = globPath(p);
    if (found.length === 0) state.warnings.push(`${file}:${lineNo}: ${shown}: ${quoted ? `no file matches ${p}` : 'no file matches'}`);
    return found;
  }
  if (!/[*?]/.test(base)) {
    try {
      if (statSync(p).isFile()) return [p];
    } catch {
      // reported below
    }
    state.warnings.push(`${file}:${lineNo}: ${shown}: ${quoted ? `${p} does not exist` : 'the file does not exist'}; skipped`);
    return [];
  }
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    names = [];
  }
  const matches = names
    .filter((n) => wildcardMatch(base, n))
    .sort()
    .map((n) => path.join(dir, n))
    .filter((f) => {
      try {
        return statSync(f).isFile();
      } catch {
        return false;
      }
    });
  if (matches.length === 0) state.warnings.push(`${file}:${lineNo}: ${shown}: ${quoted ? `no file matches ${p}` : 'no file matches'}`);
  return matches;
}

/** Files matching an absolute path whose components may hold `*` and `?`, sorted per directory as glob(3) does. */
function globPath(pattern: string): string[] {
  const parts = pattern.split(path.sep).filter((x) => x !== '');
  let current = [path.parse(pattern).root];
  for (const [i, part] of parts.entries()) {
    const last = i === parts.length - 1;
    const next: string[] = [];
    for (const dir of current) {
      if (!/[*?]/.test(part)) {
        next.push(path.join(dir, part));
        continue;
      }
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const n of names.filter((x) => wildcardMatch(part, x)).sort()) next.push(path.join(dir, n));
    }
    // Bounded like the includes themselves: a pattern cannot make this walk the whole disk.
    current = next.slice(0, MAX_INCLUDED_FILES);
    if (last) break;
  }
  return current.filter((f) => {
    try {
      return statSync(f).isFile();
    } catch {
      return false;
    }
  });
}
