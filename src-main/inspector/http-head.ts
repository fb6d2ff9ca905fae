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
  headers: HeaderList;
  bytes: number;
}

export interface ResponseHead {
  version: string;
  status: number;
  reason: string;
  headers: HeaderList;
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
  private parts: Buffer[] = [];
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
    for (; i < limit; i++) {
      const b = chunk[i]!;
      if (this.inStartLine) {
        const r = this.kind === 'request' ? this.requestLine(b) : this.statusLine(b);
        if (r === BAD) return { bad: 'not-http' };
        if (r === END) this.inStartLine = false;
      } else if (b === LF) {
        if (this.lineLen === 0 || (this.lineLen === 1 && this.lastCR)) {
          this.parts.push(Buffer.from(chunk.subarray(begin, i + 1)));
          this.size += i + 1 - begin;
          return { more: false, end: i + 1 };
        }
        this.lineLen = 0;
        this.lastCR = false;
      } else {
        this.lineLen++;
        this.lastCR = b === CR;
      }
    }
    if (limit < chunk.length) return { bad: 'head-too-long' };
    this.parts.push(Buffer.from(chunk.subarray(begin)));
    this.size += chunk.length - begin;
    return this.size >= this.max ? { bad: 'head-too-long' } : MORE;
  }

  /** The head's text (latin1: field values are octets) and its size; the collector is ready for the next head. */
  take(): { text: string; bytes: number } {
    const text = Buffer.concat(this.parts).toString('latin1');
    const bytes = this.size;
    this.parts = [];
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

/** Splits the header section into (name, value) pairs; undefined when a line is not a field. */
export function parseFields(lines: string[]): HeaderList | undefined {
  const out: HeaderList = [];
  for (const raw of lines) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    if (line[0] === ' ' || line[0] === '\t') {
      // obs-fold (§5.2): a continuation of the previous value.
      const last = out.at(-1);
      if (!last) return undefined;
      last[1] = `${last[1]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon);
    for (let k = 0; k < name.length; k++) if (TCHAR[name.charCodeAt(k)] !== 1) return undefined;
    out.push([name, line.slice(colon + 1).trim()]);
  }
  return out;
}

export function parseRequestHead(text: string, bytes: number): RequestHead | undefined {
  const lines = text.split('\n');
  const start = (lines[0] ?? '').replace(/\r$/, '');
  const sp1 = start.indexOf(' ');
  const sp2 = start.lastIndexOf(' ');
  const headers = parseFields(lines.slice(1));
  if (sp1 <= 0 || sp2 <= sp1 || !headers) return undefined;
  return { method: start.slice(0, sp1), target: start.slice(sp1 + 1, sp2), version: start.slice(sp2 + 1), headers, bytes };
}

export function parseResponseHead(text: string, bytes: number): ResponseHead | undefined {
  const lines = text.split('\n');
  const start = (lines[0] ?? '').replace(/\r$/, '');
  const headers = parseFields(lines.slice(1));
  if (!headers) return undefined;
  return { version: start.slice(0, 8), status: Number(start.slice(9, 12)), reason: start.slice(13), headers, bytes };
}

export type Framing = { kind: 'none' } | { kind: 'length'; n: number } | { kind: 'chunked' } | { kind: 'until-close' } | { kind: 'bad' };

function values(headers: HeaderList, name: string): string[] {
  const out: string[] = [];
  for (const [k, v] of headers) if (k.length === name.length && k.toLowerCase() === name) out.push(v);
  return out;
}

/** Whether a header's comma-separated list holds `token` (case-insensitive). */
export function hasToken(headers: HeaderList, name: string, token: string): boolean {
  return values(headers, name).some((v) => v.split(',').some((t) => t.trim().toLowerCase() === token));
}

export function firstValue(headers: HeaderList, name: string): string | undefined {
  return values(headers, name)[0];
}

/**
 * How the body is delimited (RFC 9112 §6.3): Transfer-Encoding overrides Content-Length, chunked must
 * be the final coding; repeated Content-Length values must agree. A request without either has none;
 * a response without either runs until the connection closes.
 */
export function bodyFraming(headers: HeaderList, kind: HeadKind): Framing {
  const te = values(headers, 'transfer-encoding');
  if (te.length > 0) {
    const codings = te.join(',').split(',').map((c) => c.trim().toLowerCase()).filter(Boolean);
    if (codings.at(-1) === 'chunked') return { kind: 'chunked' };
    return kind === 'request' ? { kind: 'bad' } : { kind: 'until-close' };
  }
  const cl = values(headers, 'content-length');
  if (cl.length === 0) return kind === 'request' ? { kind: 'none' } : { kind: 'until-close' };
  const all = cl.join(',').split(',').map((v) => v.trim());
  if (!all.every((v) => /^\d{1,15}$/.test(v)) || new Set(all.map(Number)).size !== 1) return { kind: 'bad' };
  const n = Number(all[0]);
  return n === 0 ? { kind: 'none' } : { kind: 'length', n };
}
