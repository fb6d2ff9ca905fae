// Reading HTTP/1.x message heads (RFC 9112 §2–§6) out of a byte stream that is only observed, never
// held: the collector copies the head's bytes (bounded) and checks the start line byte by byte, so
// traffic that is not HTTP is recognised at its first wrong byte rather than after a buffer fills.
// Pure: Buffer is the only Node API used, so this runs in a worker thread as well.

import type { HeaderList } from '../../src-shared/model/inspector';

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const VERSION = 'HTTP/1.';
const MAX_METHOD = 32;

const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TCHAR[c.charCodeAt(0)] = 1;
const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;

export type HeadKind = 'request' | 'response';

export interface RequestHead {
  method: string;
  target: string;
  version: string;
  bytes: number;
}

export interface ResponseHead {
  version: string;
  status: number;
  reason: string;
  bytes: number;
}

/** What feed() found: MORE (all of the chunk taken), an index just past the head, or a reason to stop. */
export type HeadStep = { more: true } | { more: false; end: number } | { bad: 'not-http' | 'head-too-long' };
const MORE: HeadStep = { more: true };

/**
 * Collects one head up to its empty line. Start-line states, request: method, target, version,
 * line end; response: version, status digits, reason, line end.
 */
export class HeadCollector {
  /** Whether the first byte of this head (after leading empty lines) has been seen. */
  started = false;
  // latin1 text (one char per byte): cheaper than copying Buffers, and what the parse wants anyway.
  private text = '';
  private size = 0;
  private state = 0;
  private n = 0;
  private inStartLine = true;
  private lineLen = 0;
  private lastCR = false;

  constructor(
    private readonly kind: HeadKind,
    private readonly max: number,
  ) {}

  feed(chunk: Buffer, from: number): HeadStep {
    let i = from;
    if (!this.started) {
      // RFC 9112 §2.2: a server ignores empty lines before a request line.
      while (i < chunk.length && (chunk[i] === CR || chunk[i] === LF)) i++;
      if (i === chunk.length) return MORE;
      this.started = true;
    }
    const begin = i;
    const limit = Math.min(chunk.length, begin + (this.max - this.size));
    // The start line byte by byte (so that other protocols are recognised at once)…
    for (; this.inStartLine && i < limit; i++) {
      const r = this.kind === 'request' ? this.requestLine(chunk[i]!) : this.statusLine(chunk[i]!);
      if (r === BAD) return { bad: 'not-http' };
      if (r === END) this.inStartLine = false;
    }
    // …then the field lines from LF to LF with the native search, up to the empty line.
    while (i < limit) {
      const lf = chunk.indexOf(LF, i);
      if (lf < 0 || lf >= limit) {
        this.lineLen += limit - i;
        this.lastCR = chunk[limit - 1] === CR;
        break;
      }
      const len = this.lineLen + (lf - i);
      const lastCR = lf > i ? chunk[lf - 1] === CR : this.lastCR;
      if (len === 0 || (len === 1 && lastCR)) {
        this.text += chunk.toString('latin1', begin, lf + 1);
        this.size += lf + 1 - begin;
        return { more: false, end: lf + 1 };
      }
      this.lineLen = 0;
      this.lastCR = false;
      i = lf + 1;
    }
    if (limit < chunk.length) return { bad: 'head-too-long' };
    this.text += chunk.toString('latin1', begin);
    this.size += chunk.length - begin;
    return this.size >= this.max ? { bad: 'head-too-long' } : MORE;
  }

  /** The head's text (latin1: field values are octets) and its size; the collector is ready for the next head. */
  take(): { text: string; bytes: number } {
    const text = this.text;
    const bytes = this.size;
    this.text = '';
    this.size = 0;
    this.started = false;
    this.state = 0;
    this.n = 0;
    this.inStartLine = true;
    this.lineLen = 0;
    this.lastCR = false;
    return { text, bytes };
  }

  private go(state: number): number {
    this.state = state;
    this.n = 0;
    return OK;
  }

  private version(b: number, next: number): number {
    if (this.n < VERSION.length) {
      if (b !== VERSION.charCodeAt(this.n)) return BAD;
      this.n++;
      return OK;
    }
    return isDigit(b) ? this.go(next) : BAD;
  }

  private lineEnd(b: number): number {
    if (b === LF) return END;
    return b === CR && this.state !== 99 ? this.go(99) : BAD;
  }

  private requestLine(b: number): number {
    switch (this.state) {
      case 0: // method: a token
        if (TCHAR[b] === 1 && this.n < MAX_METHOD) {
          this.n++;
          return OK;
        }
        return b === SP && this.n > 0 ? this.go(1) : BAD;
      case 1: // request-target: no whitespace, no controls
        if (b === SP) return this.n > 0 ? this.go(2) : BAD;
        if (b < 0x21 || b === 0x7f) return BAD;
        this.n++;
        return OK;
      case 2:
        return this.version(b, 3);
      default:
        return this.lineEnd(b);
    }
  }

  private statusLine(b: number): number {
    switch (this.state) {
      case 0:
        return this.version(b, 1);
      case 1:
        return b === SP ? this.go(2) : BAD;
      case 2: // three digits
        if (!isDigit(b)) return BAD;
        if (++this.n === 3) this.go(3);
        return OK;
      case 3: // reason is optional, and so (in practice) is its space
        return b === SP ? this.go(4) : this.lineEnd(b);
      case 4:
        return b === CR || b === LF ? this.lineEnd(b) : b < 0x20 && b !== HTAB ? BAD : OK;
      default:
        return this.lineEnd(b);
    }
  }
}

const OK = 0;
const BAD = 1;
const END = 2;

/**
 * The header section as (name, value) pairs, in order. Lenient: a line that is not a field is left out
 * (the forwarding path never waits for this; the UI shows what could be read).
 */
export function parseFields(fields: string): HeaderList {
  const out: HeaderList = [];
  for (const raw of fields.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    if (line[0] === ' ' || line[0] === '\t') {
      // obs-fold (§5.2): a continuation of the previous value.
      const last = out.at(-1);
      if (last) last[1] = `${last[1]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    out.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  return out;
}

/**
 * The values of one field, found in the lower-cased header section without splitting it into fields
 * (this runs for every message on the forwarding path; the full list is made only when someone looks).
 * `lower` and `orig` start with the LF that ends the start line; `key` is `\n<name>:`.
 */
export function fieldValues(lower: string, orig: string, key: string): string[] {
  const out: string[] = [];
  for (let at = lower.indexOf(key); at >= 0; at = lower.indexOf(key, at + key.length)) out.push(valueAt(orig, at + key.length));
  return out;
}

function valueAt(orig: string, from: number): string {
  const end = orig.indexOf('\n', from);
  return orig.slice(from, end < 0 ? undefined : end).trim();
}

/** The first value of a field, or undefined; whether there are more is `lower.indexOf(key, …)`. */
function firstValueAt(lower: string, orig: string, key: string): string | undefined {
  const at = lower.indexOf(key);
  return at < 0 ? undefined : valueAt(orig, at + key.length);
}

const K_TE = '\ntransfer-encoding:';
const K_CL = '\ncontent-length:';
const K_CONNECTION = '\nconnection:';
const K_UPGRADE = '\nupgrade:';
const K_HOST = '\nhost:';
const K_TYPE = '\ncontent-type:';

export interface HeadFacts {
  /** The header section, from the LF that ends the start line (parseFields reads it). */
  fields: string;
  framing: Framing;
  /** Connection: upgrade with an Upgrade field (requests), or the Upgrade value (responses). */
  upgrade: string | undefined;
  host: string | undefined;
  contentType: string | undefined;
}

export type Framing = { kind: 'none' } | { kind: 'length'; n: number } | { kind: 'chunked' } | { kind: 'until-close' } | { kind: 'bad' };

const NONE: Framing = { kind: 'none' };
const UNTIL_CLOSE: Framing = { kind: 'until-close' };
const CHUNKED: Framing = { kind: 'chunked' };
const BAD_FRAMING: Framing = { kind: 'bad' };

function framingOf(lower: string, orig: string, kind: HeadKind): Framing {
  if (lower.includes(K_TE)) return bodyFraming(fieldValues(lower, orig, K_TE), [], kind);
  const at = lower.indexOf(K_CL);
  if (at < 0) return kind === 'request' ? NONE : UNTIL_CLOSE;
  // One Content-Length with one value: the common case, without the list handling.
  if (lower.indexOf(K_CL, at + K_CL.length) < 0) {
    const v = valueAt(orig, at + K_CL.length);
    if (/^\d{1,15}$/.test(v)) {
      const n = Number(v);
      return n === 0 ? NONE : { kind: 'length', n };
    }
  }
  return bodyFraming([], fieldValues(lower, orig, K_CL), kind);
}

function facts(text: string, startEnd: number, kind: HeadKind): HeadFacts {
  const fields = text.slice(startEnd);
  const lower = fields.toLowerCase();
  let upgrade = firstValueAt(lower, fields, K_UPGRADE);
  if (upgrade !== undefined) {
    const connection = fieldValues(lower, fields, K_CONNECTION).join(',').toLowerCase();
    if (kind === 'response' || connection.split(',').some((t) => t.trim() === 'upgrade')) upgrade = upgrade.toLowerCase();
    else upgrade = undefined;
  }
  return {
    fields,
    framing: framingOf(lower, fields, kind),
    upgrade,
    host: kind === 'request' ? firstValueAt(lower, fields, K_HOST) : undefined,
    contentType: kind === 'response' ? firstValueAt(lower, fields, K_TYPE) : undefined,
  };
}

export function parseRequestHead(text: string, bytes: number): (RequestHead & HeadFacts) | undefined {
  const lf = text.indexOf('\n');
  const start = text.slice(0, lf).replace(/\r$/, '');
  const sp1 = start.indexOf(' ');
  const sp2 = start.lastIndexOf(' ');
  if (lf < 0 || sp1 <= 0 || sp2 <= sp1) return undefined;
  return { method: start.slice(0, sp1), target: start.slice(sp1 + 1, sp2), version: start.slice(sp2 + 1), bytes, ...facts(text, lf, 'request') };
}

export function parseResponseHead(text: string, bytes: number): (ResponseHead & HeadFacts) | undefined {
  const lf = text.indexOf('\n');
  if (lf < 0) return undefined;
  const start = text.slice(0, lf).replace(/\r$/, '');
  return { version: start.slice(0, 8), status: Number(start.slice(9, 12)), reason: start.slice(13), bytes, ...facts(text, lf, 'response') };
}

/**
 * How the body is delimited (RFC 9112 §6.3): Transfer-Encoding overrides Content-Length, chunked must
 * be the final coding; repeated Content-Length values must agree. A request without either has none;
 * a response without either runs until the connection closes.
 */
export function bodyFraming(te: string[], cl: string[], kind: HeadKind): Framing {
  if (te.length > 0) {
    const codings = te.join(',').split(',').map((c) => c.trim().toLowerCase()).filter(Boolean);
    if (codings.at(-1) === 'chunked') return CHUNKED;
    return kind === 'request' ? BAD_FRAMING : UNTIL_CLOSE;
  }
  if (cl.length === 0) return kind === 'request' ? NONE : UNTIL_CLOSE;
  const all = cl.join(',').split(',').map((v) => v.trim());
  if (!all.every((v) => /^\d{1,15}$/.test(v)) || new Set(all.map(Number)).size !== 1) return BAD_FRAMING;
  const n = Number(all[0]);
  return n === 0 ? NONE : { kind: 'length', n };
}
