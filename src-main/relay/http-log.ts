// Passive access log for relayed HTTP/1.x connections (RFC 9112). The relay feeds it copies of the bytes
// flowing each way; it never touches or delays them, never throws, and keeps bounded memory: only message
// heads are buffered (capped at maxHeaderBytes), bodies are skipped by counting.
//
// An exchange is reported when the response head is complete: streaming responses (SSE, downloads) show
// up at once, and durationMs — first request byte to complete response head — measures the server's
// think time rather than the client's download speed. The response body size is given when the head
// declares it.

import { ChunkedDecoder } from '../inspector/chunked-decoder';

export interface HttpExchange {
  method: string;
  /** The request-target as sent: at most 200 characters, control characters replaced by '?'. */
  path: string;
  /** Final status; 0 when the connection ended before a response head arrived. */
  status: number;
  /** First byte of the request → complete response head (→ close() for status 0). */
  durationMs: number;
  /** Response body bytes when the head declares them: Content-Length, or 0 for bodiless responses. */
  bodyBytes?: number;
}

/** Why the observer stopped; 'internal-error' means a bug here, caught so the relay is not disturbed. */
export type GiveUpReason = 'not-http' | 'head-too-long' | 'bad-framing' | 'upgrade' | 'connect' | 'too-many-pending' | 'internal-error';

export interface HttpExchangeLogOptions {
  now?: () => number;
  /** Cap on one head (start line + fields) and on one chunked trailer section. Default 16 KiB. */
  maxHeaderBytes?: number;
}

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const MAX_FIELD_CHARS = 200;
// A client may pipeline without reading responses; past this the queue stops growing.
const MAX_PENDING = 1024;
const VERSION = 'HTTP/1.';
const MORE = -1; // the same values as the chunked decoder's CHUNK_MORE / CHUNK_BAD
const BAD = -2;
const TOO_LONG = -3;
const INVALID = 0;
const CONTINUE = 1;
const LINE_END = 2;
type Step = typeof INVALID | typeof CONTINUE | typeof LINE_END;
const AFTER_CR = 99;

const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TCHAR[c.charCodeAt(0)] = 1;
const isTchar = (b: number): boolean => TCHAR[b] === 1;
const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;
// C0/C1/DEL, format characters (bidi overrides) and Unicode line separators could forge or garble log lines.
const UNSAFE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/** Validates a start line byte by byte, so non-HTTP traffic is dropped at its first wrong byte. */
class StartLine {
  private state = 0;
  private n = 0;
  constructor(private readonly kind: 'request' | 'status') {}

  reset(): void {
    this.state = 0;
    this.n = 0;
  }

  /** INVALID, CONTINUE, or LINE_END when this byte was the line's LF. */
  step(b: number): Step {
    return this.kind === 'request' ? this.requestLine(b) : this.statusLine(b);
  }

  private go(state: number): Step {
    this.state = state;
    this.n = 0;
    return CONTINUE;
  }

  private version(b: number, next: number): Step {
    if (b !== VERSION.charCodeAt(this.n)) return INVALID;
    return ++this.n === VERSION.length ? this.go(next) : CONTINUE;
  }

  private lineEnd(b: number): Step {
    if (b === LF) return LINE_END;
    return b === CR && this.state !== AFTER_CR ? this.go(AFTER_CR) : INVALID;
  }

  // method SP request-target SP HTTP/1.x CRLF
  private requestLine(b: number): Step {
    switch (this.state) {
      case 0: // method
        if (isTchar(b)) {
          this.n++;
          return CONTINUE;
        }
        return b === SP && this.n > 0 ? this.go(1) : INVALID;
      case 1: // first byte of the target
        return b === SP || b === CR || b === LF ? INVALID : this.go(2);
      case 2: // rest of the target: anything but SP, CR, LF (clean() neutralises the rest)
        if (b === SP) return this.go(3);
        return b === CR || b === LF ? INVALID : CONTINUE;
      case 3:
        return this.version(b, 4);
      case 4:
        return isDigit(b) ? this.go(5) : INVALID;
      default:
        return this.lineEnd(b);
    }
  }

  // HTTP/1.x SP 3DIGIT [SP reason] CRLF — some servers omit the reason and its space.
  private statusLine(b: number): Step {
    switch (this.state) {
      case 0:
        return this.version(b, 1);
      case 1:
        return isDigit(b) ? this.go(2) : INVALID;
      case 2:
        return b === SP ? this.go(3) : INVALID;
      case 3: // status code
        if (!isDigit(b)) return INVALID;
        if (++this.n === 3) this.go(4);
        return CONTINUE;
      case 4:
        return b === SP ? this.go(5) : this.lineEnd(b);
      case 5: // reason phrase
        return b === CR || b === LF ? this.lineEnd(b) : CONTINUE;
      default:
        return this.lineEnd(b);
    }
  }
}

/** Collects one message head (copies, capped) up to the empty line that ends it. */
class HeadReader {
  started = false;
  private parts: Buffer[] = [];
  private size = 0;
  private inStartLine = true;
  private lineLen = 0;
  private lastCR = false;
  private readonly startLine: StartLine;

  constructor(kind: 'request' | 'status', private readonly max: number) {
    this.startLine = new StartLine(kind);
  }

  /** Index after the head's last byte, MORE when all of chunk was taken, BAD when not HTTP, or TOO_LONG. */
  feed(chunk: Buffer, from: number): number {
    let i = from;
    if (!this.started) {
      // RFC 9112 §2.2: empty lines before a start line are ignored.
      while (i < chunk.length && (chunk[i] === CR || chunk[i] === LF)) i++;
      if (i === chunk.length) return MORE;
      this.started = true;
    }
    const begin = i;
    for (; i < chunk.length; i++) {
      if (this.size + (i - begin) >= this.max) return TOO_LONG;
      const b = chunk[i]!;
      if (this.inStartLine) {
        const r = this.startLine.step(b);
        if (r === INVALID) return BAD;
        if (r === LINE_END) this.inStartLine = false;
      } else if (b === LF) {
        if (this.lineLen === 0 || (this.lineLen === 1 && this.lastCR)) {
          this.parts.push(Buffer.from(chunk.subarray(begin, i + 1)));
          return i + 1;
        }
        this.lineLen = 0;
      } else {
        this.lineLen++;
        this.lastCR = b === CR;
      }
    }
    this.parts.push(Buffer.from(chunk.subarray(begin)));
    this.size += chunk.length - begin;
    return MORE;
  }

  /** The complete head as latin1 text; the reader is ready for the next message. */
  take(): string {
    const text = Buffer.concat(this.parts).toString('latin1');
    this.parts = [];
    this.size = 0;
    this.started = false;
    this.inStartLine = true;
    this.lineLen = 0;
    this.startLine.reset();
    return text;
  }
}


const skipBody = (): void => undefined;

type Framing = { kind: 'length'; n: number } | { kind: 'chunked' | 'unframed' | 'undeclared' | 'bad' };

interface Head {
  startLine: string;
  framing: Framing;
}

function parseHead(text: string): Head {
  const lines = text.split('\n');
  const te: string[] = [];
  const cl: string[] = [];
  for (const line of lines.slice(1)) {
    // Only the two framing fields matter; a name with spaces or other junk matches neither.
    const colon = line.indexOf(':');
    const name = colon > 0 && colon <= 17 ? line.slice(0, colon).toLowerCase() : '';
    if (name === 'transfer-encoding') te.push(line.slice(colon + 1));
    else if (name === 'content-length') cl.push(line.slice(colon + 1));
  }
  return { startLine: (lines[0] ?? '').replace(/\r$/, ''), framing: framingOf(te, cl) };
}

// RFC 9112 §6.3: Transfer-Encoding overrides Content-Length; chunked must be the final coding.
function framingOf(te: string[], cl: string[]): Framing {
  if (te.length > 0) {
    const codings = te.join(',').split(',').map((c) => c.trim().toLowerCase()).filter(Boolean);
    return { kind: codings.at(-1) === 'chunked' ? 'chunked' : 'unframed' };
  }
  if (cl.length === 0) return { kind: 'undeclared' };
  const values = cl.join(',').split(',').map((v) => v.trim());
  // Repeated identical values are allowed (§8.6); anything else makes the framing unknowable.
  if (!values.every((v) => /^\d{1,15}$/.test(v)) || new Set(values.map(Number)).size !== 1) return { kind: 'bad' };
  return { kind: 'length', n: Number(values[0]) };
}

function clean(raw: string): string {
  const chars = Array.from(raw);
  const kept = chars.length > MAX_FIELD_CHARS ? chars.slice(0, MAX_FIELD_CHARS).join('') : raw;
  return kept.replace(UNSAFE, '?');
}

interface Pending {
  method: string;
  path: string;
  start: number;
}

type BodyState = 'head' | 'length' | 'chunked';

export class HttpExchangeLog {
  private readonly now: () => number;
  private readonly reqHead: HeadReader;
  private readonly resHead: HeadReader;
  private readonly reqChunked: ChunkedDecoder;
  private readonly resChunked: ChunkedDecoder;
  private reqState: BodyState | 'stopped' = 'head';
  private resState: BodyState | 'until-close' = 'head';
  private reqRemaining = 0;
  private resRemaining = 0;
  private reqStart = 0;
  private pending: Pending[] = [];
  private finished = false;
  private reason: GiveUpReason | undefined;
  private stopReason: GiveUpReason = 'not-http';

  constructor(
    private readonly onExchange: (e: HttpExchange) => void,
    opts: HttpExchangeLogOptions = {},
  ) {
    this.now = opts.now ?? (() => performance.now());
    const max = opts.maxHeaderBytes ?? 16 * 1024;
    this.reqHead = new HeadReader('request', max);
    this.resHead = new HeadReader('status', max);
    // The inspector's decoder with its data dropped: a chunked body is skipped, never kept.
    this.reqChunked = new ChunkedDecoder(skipBody, max);
    this.resChunked = new ChunkedDecoder(skipBody, max);
  }

  /** true once the observer gave up (not HTTP, head too long, upgrade/CONNECT, framing error). */
  get gaveUp(): boolean {
    return this.reason !== undefined;
  }

  get giveUpReason(): GiveUpReason | undefined {
    return this.reason;
  }

  /** Bytes from the client towards the server. */
  request(chunk: Buffer): void {
    if (this.finished || this.reqState === 'stopped') return;
    // The relay's data path must survive even a bug in here.
    try {
      this.feedRequest(chunk);
    } catch {
      this.giveUp('internal-error');
    }
  }

  /** Bytes from the server towards the client. */
  response(chunk: Buffer): void {
    if (this.finished || this.resState === 'until-close') return;
    try {
      this.feedResponse(chunk);
    } catch {
      this.giveUp('internal-error');
    }
  }

  /** The connection ended: requests whose response head never came are reported with status 0. */
  close(): void {
    if (this.finished) return;
    this.finished = true;
    const pending = this.pending;
    this.pending = [];
    if (pending.length === 0) return;
    const t = this.now();
    for (const p of pending) this.emit(p, 0, t, undefined);
  }

  private feedRequest(chunk: Buffer): void {
    let i = 0;
    let t: number | undefined;
    while (i < chunk.length && !this.finished) {
      switch (this.reqState) {
        case 'stopped':
          return;
        case 'head': {
          const wasStarted = this.reqHead.started;
          const r = this.reqHead.feed(chunk, i);
          if (!wasStarted && this.reqHead.started) this.reqStart = t ??= this.now();
          if (r === MORE) return;
          if (r < 0) return this.stopRequests(r === TOO_LONG ? 'head-too-long' : 'not-http');
          i = r;
          this.onRequestHead(parseHead(this.reqHead.take()));
          break;
        }
        case 'length': {
          const n = Math.min(this.reqRemaining, chunk.length - i);
          i += n;
          this.reqRemaining -= n;
          if (this.reqRemaining === 0) this.reqState = 'head';
          break;
        }
        case 'chunked': {
          const r = this.reqChunked.feed(chunk, i);
          if (r === MORE) return;
          if (r === BAD) return this.stopRequests('bad-framing');
          i = r;
          this.reqState = 'head';
          break;
        }
      }
    }
  }

  private onRequestHead({ startLine, framing }: Head): void {
    if (this.pending.length >= MAX_PENDING) return this.stopRequests('too-many-pending');
    const method = startLine.slice(0, startLine.indexOf(' '));
    const target = startLine.slice(method.length + 1, startLine.lastIndexOf(' '));
    const path = clean(Buffer.from(target, 'latin1').toString('utf8'));
    this.pending.push({ method: clean(method), path, start: this.reqStart });
    // After CONNECT the client may send tunnel bytes at once, without waiting for the 2xx.
    if (method === 'CONNECT') return this.stopRequests('connect');
    if (framing.kind === 'chunked') this.reqState = 'chunked';
    else if (framing.kind === 'length' && framing.n > 0) {
      this.reqState = 'length';
      this.reqRemaining = framing.n;
    } else if (framing.kind === 'unframed' || framing.kind === 'bad') this.stopRequests('bad-framing');
  }

  /** No more requests can be read; responses still owed to earlier ones are matched, then we give up. */
  private stopRequests(reason: GiveUpReason): void {
    this.reqState = 'stopped';
    this.stopReason = reason;
    if (this.pending.length === 0) this.giveUp(reason);
  }

  private feedResponse(chunk: Buffer): void {
    let i = 0;
    let t: number | undefined;
    while (i < chunk.length && !this.finished) {
      switch (this.resState) {
        case 'until-close':
          return;
        case 'head': {
          const r = this.resHead.feed(chunk, i);
          if (r === MORE) return;
          if (r < 0) return this.giveUp(r === TOO_LONG ? 'head-too-long' : 'not-http');
          i = r;
          t ??= this.now();
          this.onResponseHead(parseHead(this.resHead.take()), t);
          break;
        }
        case 'length': {
          const n = Math.min(this.resRemaining, chunk.length - i);
          i += n;
          this.resRemaining -= n;
          if (this.resRemaining === 0) this.resState = 'head';
          break;
        }
        case 'chunked': {
          const r = this.resChunked.feed(chunk, i);
          if (r === MORE) return;
          if (r === BAD) return this.giveUp('bad-framing');
          i = r;
          this.resState = 'head';
          break;
        }
      }
    }
  }

  private onResponseHead({ startLine, framing }: Head, t: number): void {
    const status = Number(startLine.slice(9, 12));
    if (status < 100) return this.giveUp('not-http');
    // Interim responses (100 Continue, 103 Early Hints) precede the final one for the same request.
    if (status >= 100 && status < 200 && status !== 101) return;
    const p = this.pending.shift();
    const tunnel = status === 101 ? 'upgrade' : p?.method === 'CONNECT' ? 'connect' : undefined;
    const bodiless = tunnel !== undefined || p?.method === 'HEAD' || status === 204 || status === 304;
    if (p) this.emit(p, status, t, bodiless ? 0 : framing.kind === 'length' ? framing.n : undefined);
    if (tunnel) return this.giveUp(tunnel);
    if (this.reqState === 'stopped' && this.pending.length === 0) return this.giveUp(this.stopReason);
    if (bodiless) return;
    if (framing.kind === 'chunked') this.resState = 'chunked';
    else if (framing.kind === 'length') {
      if (framing.n > 0) {
        this.resState = 'length';
        this.resRemaining = framing.n;
      }
    } else if (framing.kind === 'bad') this.giveUp('bad-framing');
    // No length and not chunked: the body runs until the server closes (§6.3 rule 8).
    else this.resState = 'until-close';
  }

  private emit(p: Pending, status: number, t: number, bodyBytes: number | undefined): void {
    const e: HttpExchange = { method: p.method, path: p.path, status, durationMs: Math.max(0, Math.round((t - p.start) * 10) / 10) };
    if (bodyBytes !== undefined) e.bodyBytes = bodyBytes;
    try {
      this.onExchange(e);
    } catch {
      // A failing logger must not break forwarding.
    }
  }

  private giveUp(reason: GiveUpReason): void {
    this.reason = reason;
    this.finished = true;
    this.pending = [];
  }
}
