import { posix, win32 } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEEP_LINK_SCHEME } from './deep-link';

// What a launch asks for: porthole:// links and profile files, from our own argv, a second launch's
// argv (Windows and Linux deliver links and "Open with" files that way), macOS open-file events and
// files dropped on the tray icon. All of it is untrusted: a web page can start a porthole:// launch,
// and on Windows a crafted link has been used to smuggle extra arguments (CVE-2018-1000006). So
// flags are never acted on here, only links and plain paths are taken, and each is checked.
// No electron import: unit-tested in plain Node.

/** The import preview takes at most 20 sources (ImportPreviewInputSchema). */
export const MAX_LAUNCH_ITEMS = 20;
/** Longer than any real path (Windows long paths stop at 32767 UTF-16 units; links have their own cap). */
export const MAX_ARG_LENGTH = 300_000;
const MAX_PATH_LENGTH = 32_767;

export type LaunchItem =
  | { kind: 'link'; link: string }
  | { kind: 'file'; path: string }
  | { kind: 'refused'; shown: string; reason: string };

export interface LaunchArgsOptions {
  /** Leading argv entries that are not the user's (the executable: 1). */
  skip: number;
  /**
   * Unpackaged runs (`electron . …`): the first positional argument is the app Electron loads, not a
   * file to import. Flags may come before it (Playwright puts --inspect=0 there).
   */
  appArg?: boolean;
  /** The launch's working directory, for relative paths; without it they are refused. */
  cwd?: string;
  platform?: NodeJS.Platform;
}

/** Our own flags that take the next argument as their value (that value is not a file). */
const FLAGS_WITH_VALUE = new Set(['--data-dir']);

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
const WINDOWS_DRIVE = /^[a-z]:[\\/]/i;

/** A short, printable form of untrusted text for messages: control characters shown as "?", cut at 120. */
export function shownArg(raw: string): string {
  const clean = raw.replace(CONTROL, '?');
  return clean.length > 120 ? `${clean.slice(0, 117)}…` : clean;
}

function refused(raw: string, reason: string): LaunchItem {
  return { kind: 'refused', shown: shownArg(raw), reason };
}

/** One path from argv, open-file or a tray drop: absolute (resolved against cwd) or refused. */
export function classifyPath(raw: string, opts: Omit<LaunchArgsOptions, 'skip'> = {}): LaunchItem {
  const platform = opts.platform ?? process.platform;
  const path = platform === 'win32' ? win32 : posix;
  if (raw === '') return refused(raw, 'an empty path');
  if (raw.length > MAX_PATH_LENGTH) return refused(raw, 'the path is too long');
  if (new RegExp(CONTROL.source).test(raw)) return refused(raw, 'the path contains control characters');
  // \\server\share\… (and \\?\UNC\…): opening it would make Windows authenticate to that server.
  if (platform === 'win32' && /^[\\/]{2}/.test(raw)) return refused(raw, 'network (UNC) paths are not opened');
  if (!path.isAbsolute(raw)) {
    if (!opts.cwd || !path.isAbsolute(opts.cwd)) return refused(raw, 'a relative path, and the launch gave no working directory');
    return { kind: 'file', path: path.resolve(opts.cwd, raw) };
  }
  return { kind: 'file', path: path.normalize(raw) };
}

/** One positional argument: a porthole:// link, a file:// URL of a local file, or a path. */
export function classifyArg(raw: string, opts: Omit<LaunchArgsOptions, 'skip'> = {}): LaunchItem {
  const platform = opts.platform ?? process.platform;
  if (raw.length > MAX_ARG_LENGTH) return refused(raw, 'the argument is too long');
  const scheme = SCHEME.exec(raw)?.[1]?.toLowerCase();
  if (scheme === DEEP_LINK_SCHEME) return { kind: 'link', link: raw };
  if (scheme !== undefined && !(platform === 'win32' && WINDOWS_DRIVE.test(raw))) {
    if (scheme !== 'file') return refused(raw, `a ${scheme}: address is neither a file nor a porthole:// link`);
    // Linux file managers pass "Open with" files as file:// URIs (the .desktop Exec has %U).
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return refused(raw, 'not a valid file:// URL');
    }
    if (url.hostname !== '' && url.hostname !== 'localhost') return refused(raw, 'a file:// URL on another host');
    if (platform !== process.platform) return refused(raw, 'a file:// URL for another platform');
    let path: string;
    try {
      path = fileURLToPath(url);
    } catch {
      return refused(raw, 'not a valid file:// URL');
    }
    return classifyPath(path, { ...opts, platform });
  }
  return classifyPath(raw, { ...opts, platform });
}

/**
 * Links and files in an argv, flags skipped (Chromium adds its own, e.g. --allow-file-access-from-files
 * on Windows). Duplicates are dropped; past MAX_LAUNCH_ITEMS the rest is refused as a whole.
 */
export function classifyLaunchArgs(argv: readonly unknown[], opts: LaunchArgsOptions): LaunchItem[] {
  const items: LaunchItem[] = [];
  const seen = new Set<string>();
  let positionalOnly = false;
  let appArgPending = opts.appArg === true;
  let extra = 0;
  for (let i = Math.max(0, opts.skip); i < argv.length; i++) {
    const arg = argv[i];
    if (typeof arg !== 'string') continue;
    if (!positionalOnly && arg === '--') {
      positionalOnly = true;
      continue;
    }
    if (!positionalOnly && arg.startsWith('-')) {
      if (FLAGS_WITH_VALUE.has(arg)) i++;
      continue;
    }
    if (appArgPending) {
      appArgPending = false;
      continue;
    }
    const item = classifyArg(arg, opts);
    const key = item.kind === 'link' ? `l:${item.link}` : item.kind === 'file' ? `f:${item.path}` : `r:${arg}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (items.length >= MAX_LAUNCH_ITEMS) {
      extra++;
      continue;
    }
    items.push(item);
  }
  if (extra > 0) items.push(tooMany(extra));
  return items;
}

function tooMany(extra: number): LaunchItem {
  return { kind: 'refused', shown: `${extra} more`, reason: `at most ${MAX_LAUNCH_ITEMS} files and links at once` };
}

/** Paths from the OS (macOS open-file, files dropped on the tray icon), checked like argv paths. */
export function classifyPaths(paths: readonly unknown[], opts: Omit<LaunchArgsOptions, 'skip'> = {}): LaunchItem[] {
  const strings = paths.filter((p): p is string => typeof p === 'string');
  const items = [...new Set(strings)].slice(0, MAX_LAUNCH_ITEMS).map((p) => classifyPath(p, opts));
  const extra = new Set(strings).size - items.length;
  return extra > 0 ? [...items, tooMany(extra)] : items;
}
