import { FrameError } from './data-wire';

// Hand-written checks for the relay protocol's JSON frames and control lines, with no zod at run time:
// the relay's worker thread loads no package, so its heap stays small enough that moving bytes does not
// drive V8 into frequent full collections (issue 13; zod alone was ~3 MB of that heap). The checks
// mirror zod 4's strict objects — unknown keys refused, integers safe, strings counted in UTF-16 code
// units — and its messages (`path: Too big: …`), so logs read as before; protocol-checks.test.ts runs
// them against the zod schemas they replace over the same generated frames.

export type Obj = Record<string, unknown>;

/** Throws the check's failure; `path` is the dotted key path (empty: the whole frame). */
export function bad(path: string, detail: string): never {
  throw new FrameError(`${path || 'message'}: ${detail}`, detail);
}

function at(path: string, key: string | number): string {
  return path ? `${path}.${key}` : String(key);
}

function received(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : Number.isFinite(v) ? 'number' : 'Infinity';
  return typeof v;
}

function expected(path: string, want: string, v: unknown): never {
  return bad(path, `Invalid input: expected ${want}, received ${received(v)}`);
}

/** A strict object: `check` reads the fields (and throws on the first bad one), then a key not in `known` is refused. */
export function strictObject(v: unknown, path: string, check: (o: Obj) => void, known: readonly string[]): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) expected(path, 'object', v);
  const o = v as Obj;
  check(o);
  const extra = Object.keys(o).filter((k) => !known.includes(k));
  if (extra.length > 0) bad(path, `Unrecognized key${extra.length > 1 ? 's' : ''}: ${extra.map((k) => JSON.stringify(k)).join(', ')}`);
  return o;
}

export interface StrOpts {
  min?: number;
  max?: number;
  tooShort?: string;
  tooLong?: string;
  pattern?: RegExp;
  patternMessage?: string;
  refine?: (s: string) => boolean;
  refineMessage?: string;
}

export function str(o: Obj, key: string, path: string, opts: StrOpts = {}): string {
  const v = o[key];
  const p = at(path, key);
  if (typeof v !== 'string') return expected(p, 'string', v);
  if (opts.min !== undefined && v.length < opts.min) bad(p, opts.tooShort ?? `Too small: expected string to have >=${opts.min} characters`);
  if (opts.max !== undefined && v.length > opts.max) bad(p, opts.tooLong ?? `Too big: expected string to have <=${opts.max} characters`);
  if (opts.pattern && !opts.pattern.test(v)) bad(p, opts.patternMessage ?? `Invalid string: must match pattern ${String(opts.pattern)}`);
  if (opts.refine && !opts.refine(v)) bad(p, opts.refineMessage ?? 'Invalid input');
  return v;
}

/** An optional string key: absent (or undefined) gives undefined, as zod's `.optional()`. */
export function optStr(o: Obj, key: string, path: string, opts: StrOpts = {}): string | undefined {
  return o[key] === undefined ? undefined : str(o, key, path, opts);
}

/** A safe integer in [min, max]; `exclusiveMin` for zod's `.positive()` (> 0). */
export function int(v: unknown, p: string, min: number, max: number = Number.MAX_SAFE_INTEGER, exclusiveMin = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) return expected(p, 'number', v);
  if (!Number.isInteger(v)) return expected(p, 'int', v);
  if (!Number.isSafeInteger(v)) bad(p, v > 0 ? `Too big: expected int to be <=${Number.MAX_SAFE_INTEGER}` : `Too small: expected int to be >=${Number.MIN_SAFE_INTEGER}`);
  if (exclusiveMin ? v <= min : v < min) bad(p, `Too small: expected number to be >${exclusiveMin ? '' : '='}${min}`);
  if (v > max) bad(p, `Too big: expected number to be <=${max}`);
  return v;
}

export function bool(o: Obj, key: string, path: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') return expected(at(path, key), 'boolean', v);
  return v;
}

export function isTrue(o: Obj, key: string, path: string): true {
  if (o[key] !== true) bad(at(path, key), 'Invalid input: expected true');
  return true;
}

export function oneOf<T extends string>(o: Obj, key: string, path: string, options: readonly T[]): T {
  const v = o[key];
  if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) bad(at(path, key), `Invalid option: expected one of ${options.map((x) => JSON.stringify(x)).join('|')}`);
  return v as T;
}

export function array<T>(o: Obj, key: string, path: string, min: number, max: number, item: (v: unknown, p: string) => T): T[] {
  const v = o[key];
  const p = at(path, key);
  if (!Array.isArray(v)) return expected(p, 'array', v);
  const out = v.map((x, i) => item(x, at(p, i)));
  if (v.length < min) bad(p, `Too small: expected array to have >=${min} items`);
  if (v.length > max) bad(p, `Too big: expected array to have <=${max} items`);
  return out;
}

export function child(o: Obj, key: string, path: string): { v: unknown; p: string } {
  return { v: o[key], p: at(path, key) };
}

/**
 * One of several frames, told apart by their keys: the first that passes. When none does, the error of
 * the one whose keys the frame has (`error` vs the other shape) says what is wrong, else zod's "Invalid input".
 */
export function union<T>(v: unknown, options: Array<{ key: string; check: (v: unknown) => T }>): T {
  let named: FrameError | undefined;
  for (const { key, check } of options) {
    try {
      return check(v);
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      if (!named && typeof v === 'object' && v !== null && !Array.isArray(v) && Object.hasOwn(v, key)) named = err;
    }
  }
  throw named ?? new FrameError('message: Invalid input', 'Invalid input');
}

/** zod's discriminatedUnion: the `t` value picks the shape. */
export function tagged<T>(v: unknown, checks: Record<string, (o: Obj) => T>): T {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return expected('', 'object', v);
  const t = (v as Obj).t;
  const check = typeof t === 'string' && Object.hasOwn(checks, t) ? checks[t] : undefined;
  if (!check) bad('t', `Invalid discriminator value. Expected ${Object.keys(checks).map((k) => `'${k}'`).join(' | ')}`);
  return check(v as Obj);
}
