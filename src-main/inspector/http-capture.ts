// The HTTP inspector's capture (issue 17): fed copies of one TCP connection's bytes each way, it
// records each HTTP/1.x exchange — keep-alive, pipelining, chunked bodies, 100-continue, upgrades —
// with heads, bodies up to a limit (the rest counted), status and timings.
//
// Forwarding never waits for it: the taps are synchronous calls that copy what they keep (bounded by
// the per-body limit, into a fixed-size arena shared by every connection) and never throw. Traffic that is not HTTP/1.x (TLS, HTTP/2,
// a database protocol) is recognised at its first wrong byte, reported once, and then ignored, as is
// everything after a 101 Switching Protocols or a CONNECT. It imports nothing but pure code, so the
// same module can run inside the data-plane worker and post its records.

import type { ExchangeEnd } from '../../src-shared/model/inspector';
import type { StreamTap } from '../engine/stream-tap';
import { BodyArena, BodyCollector, type KeptBody } from './body-collector';
import { CHUNK_BAD, CHUNK_MORE, ChunkedDecoder } from './chunked-decoder';
import { type Framing, HeadCollector, type HeadFacts, type RequestHead, type ResponseHead, parseRequestHead, parseResponseHead } from './http-head';


export interface CapturedResponse {
  version: string;
  status: number;
  reason: string;
  /** The header section as sent (latin1 text; parseFields lists it). */
  head: string;
  headBytes: number;
  contentType?: string;
  body: KeptBody;
  bytes: number;
  truncated: boolean;
}

export interface CapturedExchange {
  connId: number;
  client: string;
  /** Epoch ms of the first request byte. */
  startedAt: number;
  method: string;
  target: string;
  httpVersion: string;
  /** The request's header section as sent (latin1 text; parseFields lists it). */
  requestHead: string;
  requestHeadBytes: number;
  host?: string;
  requestBody: KeptBody;
  requestBytes: number;
  requestTruncated: boolean;
  response?: CapturedResponse;
  interim: number[];
  end: ExchangeEnd;
  upgrade?: string;
  durationMs: number;
  ttfbMs?: number;
  requestMs?: number;
  waitMs?: number;
  receiveMs?: number;
}

export type CaptureNotice = 'not-http' | 'tls' | 'gave-up';

export interface HttpCaptureOptions {
  connId: number;
  client: string;
  /** Per-body limit of kept bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Cap on one head (start line and fields). Default 64 KiB. */
  maxHeadBytes?: number;
  /** Where kept body bytes go (shared by the captures of an inspector); default: one of this capture's own. */
  arena?: BodyArena;
  /** Monotonic ms (performance.now). */
  now?: () => number;
  /** Epoch ms. */
  clock?: () => number;
  onExchange(x: CapturedExchange): void;
  /** Why this connection stopped being inspected; called at most once. */
  onNotice?(kind: CaptureNotice, detail: string): void;
}

// A client may pipeline without reading responses; past this the capture stops following requests.
const MAX_PENDING = 64;
// Bytes a client sends after an Upgrade/CONNECT request and before its answer, held until we know
// whether they are a tunnel's or the next request's.
const MAX_HOLDBACK = 64 * 1024;

// Every field is set at construction, so that all Pending objects share one shape (V8 keeps the
// property accesses on the forwarding path monomorphic).
interface Pending {
  t0: number;
  startedAt: number;
  head: RequestHead & HeadFacts;
  /** Made when the first body byte comes (most requests have none). */
  body: BodyCollector | undefined;
  requestDone: number | undefined;
  firstResponse: number | undefined;
  resBody: BodyCollector | undefined;
  response: (ResponseHead & HeadFacts) | undefined;
  responseDone: number | undefined;
  interim: number[];
  /** Upgrade or CONNECT: the bytes after it may be a tunnel's. */
  mayTunnel: boolean;
}

function roundMs(a: number | undefined, b: number | undefined): number | undefined {
  return a !== undefined && b !== undefined ? Math.max(0, Math.round((b - a) * 100) / 100) : undefined;
}

type ReqState = 'head' | 'length' | 'chunked' | 'hold' | 'off';
type ResState = 'head' | 'length' | 'chunked' | 'until-close' | 'off';

export class HttpCapture implements StreamTap {
  private readonly now: () => number;
  private readonly clock: () => number;
  private readonly maxBody: number;
  private readonly arena: BodyArena;
  private readonly reqHead: HeadCollector;
  private readonly resHead: HeadCollector;
  private reqState: ReqState = 'head';
  private resState: ResState = 'head';
  private reqRemaining = 0;
  private resRemaining = 0;
  private reqChunks: ChunkedDecoder | undefined;
  private resChunks: ChunkedDecoder | undefined;
  private reading: Pending | undefined;
  private readonly noBody: BodyCollector;
  private headStart: { t0: number; startedAt: number } | undefined;
  /** Requests in order; [0] is the one the next response answers. */
  private pending: Pending[] = [];
  private holdback: Buffer[] = [];
  private held = 0;
  private everHttp = false;
  private ended = false;

  constructor(private readonly opts: HttpCaptureOptions) {
    this.now = opts.now ?? (() => performance.now());
    this.clock = opts.clock ?? Date.now;
    this.maxBody = opts.maxBodyBytes ?? 1024 * 1024;
    this.arena = opts.arena ?? new BodyArena(Math.max(2 * this.maxBody, 64 * 1024));
    this.noBody = new BodyCollector(0, this.arena);
    const maxHead = opts.maxHeadBytes ?? 64 * 1024;
    this.reqHead = new HeadCollector('request', maxHead);
    this.resHead = new HeadCollector('response', maxHead);
  }

  /** Whether this connection is no longer being followed (not HTTP, upgraded, ended, gave up). */
  get stopped(): boolean {
    return this.ended || (this.reqState === 'off' && this.resState === 'off');
  }

  onClientChunk(chunk: Buffer): void {
    if (this.ended || this.reqState === 'off') return;
    // The forwarding path must survive even a bug in here.
    try {
      this.feedRequest(chunk, 0);
    } catch (err) {
      this.giveUp('gave-up', `internal error: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  onTargetChunk(chunk: Buffer): void {
    if (this.ended || this.resState === 'off') return;
    try {
      this.feedResponse(chunk, 0);
    } catch (err) {
      this.giveUp('gave-up', `internal error: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  /** The connection closed: whatever is still open is recorded as it stands. */
  onEnd(): void {
    if (this.ended) return;
    this.ended = true;
    const t = this.now();
    // A response delimited by the close is complete now.
    const first = this.pending[0];
    if (this.resState === 'until-close' && first?.response) {
      first.responseDone = t;
      this.pending.shift();
      this.emit(first, 'complete', t);
    }
    this.flushPending('closed', t);
    this.releaseHoldback();
  }

  private feedRequest(chunk: Buffer, from: number): void {
    let i = from;
    while (i < chunk.length && !this.ended) {
      switch (this.reqState) {
        case 'off':
          return;
        case 'hold':
          return this.hold(chunk, i);
        case 'head': {
          const wasStarted = this.reqHead.started;
          const r = this.reqHead.feed(chunk, i);
          if (!wasStarted && this.reqHead.started) this.headStart = { t0: this.now(), startedAt: this.clock() };
          if ('bad' in r) return this.badRequest(chunk, i, r.bad);
          if (r.more) return;
          i = r.end;
          this.onRequestHead();
          break;
        }
        case 'length': {
          const n = Math.min(this.reqRemaining, chunk.length - i);
          this.requestBody(this.reading!).add(chunk, i, i + n);
          i += n;
          this.reqRemaining -= n;
          if (this.reqRemaining === 0) this.requestDone();
          break;
        }
        case 'chunked': {
          const r = this.reqChunks!.feed(chunk, i);
          if (r === CHUNK_MORE) return;
          if (r === CHUNK_BAD) return this.giveUp('gave-up', 'a chunked request body was malformed');
          i = r;
          this.requestDone();
          break;
        }
      }
    }
  }

  private badRequest(chunk: Buffer, at: number, why: 'not-http' | 'head-too-long'): void {
    if (why === 'head-too-long') return this.giveUp('gave-up', 'a request head was longer than the inspector reads');
    if (this.everHttp) return this.giveUp('gave-up', 'the client sent something that is not an HTTP/1.x request');
    // The first byte decides how to describe it: 0x16 opens a TLS handshake record.
    const first = chunk[at] ?? 0;
    if (first === 0x16) return this.giveUp('tls', 'the client speaks TLS (HTTPS): only plain HTTP/1.x can be inspected');
    if (chunk.subarray(at, at + 4).toString('latin1') === 'PRI ') return this.giveUp('not-http', 'the client speaks HTTP/2: only HTTP/1.x can be inspected');
    this.giveUp('not-http', 'the traffic is not HTTP/1.x: it passes untouched and is not recorded');
  }

  private onRequestHead(): void {
    const { text, bytes } = this.reqHead.take();
    const head = parseRequestHead(text, bytes);
    if (!head) return this.giveUp(this.everHttp ? 'gave-up' : 'not-http', 'a request head could not be read');
    if (this.pending.length >= MAX_PENDING) return this.giveUp('gave-up', `more than ${MAX_PENDING} requests were waiting for answers`);
    this.everHttp = true;
    const start = this.headStart ?? { t0: this.now(), startedAt: this.clock() };
    this.headStart = undefined;
    const p: Pending = {
      t0: start.t0,
      startedAt: start.startedAt,
      head,
      body: undefined,
      requestDone: undefined,
      firstResponse: undefined,
      resBody: undefined,
      response: undefined,
      responseDone: undefined,
      interim: [],
      mayTunnel: head.upgrade !== undefined || head.method === 'CONNECT',
    };
    this.pending.push(p);
    this.reading = p;
    const framing: Framing = head.method === 'CONNECT' ? { kind: 'none' } : head.framing;
    switch (framing.kind) {
      case 'length':
        this.reqState = 'length';
        this.reqRemaining = framing.n;
        return;
      case 'chunked':
        this.reqState = 'chunked';
        this.reqChunks = new ChunkedDecoder((c, s, e) => this.requestBody(p).add(c, s, e));
        return;
      case 'none':
        return this.requestDone();
      default:
        return this.giveUp('gave-up', 'a request had a Content-Length or Transfer-Encoding the inspector cannot follow');
    }
  }

  private requestBody(p: Pending): BodyCollector {
    return (p.body ??= new BodyCollector(this.maxBody, this.arena));
  }

  private requestDone(): void {
    const p = this.reading!;
    this.reading = undefined;
    p.requestDone = this.now();
    this.reqState = p.mayTunnel ? 'hold' : 'head';
    // The response may have finished first (a server refusing an upload early).
    if (p.responseDone !== undefined && this.pending[0] === p) this.completeFirst();
  }

  private hold(chunk: Buffer, from: number): void {
    const n = chunk.length - from;
    if (this.held + n > MAX_HOLDBACK) {
      this.releaseHoldback();
      this.reqState = 'off';
      return;
    }
    this.holdback.push(Buffer.from(chunk.subarray(from)));
    this.held += n;
  }

  private releaseHoldback(): void {
    this.holdback = [];
    this.held = 0;
  }

  private feedResponse(chunk: Buffer, from: number): void {
    let i = from;
    while (i < chunk.length && !this.ended) {
      switch (this.resState) {
        case 'off':
          return;
        case 'head': {
          const first = this.pending[0];
          if (!first) {
            // Bytes from the server with no request to answer: a server-first protocol (SSH, SMTP, MySQL).
            return this.giveUp(this.everHttp ? 'gave-up' : 'not-http', this.everHttp ? 'the server sent data with no request to answer' : 'the server spoke first: the traffic is not HTTP/1.x; it passes untouched and is not recorded');
          }
          if (first.responseDone !== undefined) {
            // Answered already, its request still uploading: nothing may follow until the next request.
            return this.giveUp('gave-up', 'the server sent data with no request to answer');
          }
          first.firstResponse ??= this.now();
          const r = this.resHead.feed(chunk, i);
          if ('bad' in r) return this.giveUp('gave-up', r.bad === 'head-too-long' ? 'a response head was longer than the inspector reads' : 'the server answered with something that is not an HTTP/1.x response');
          if (r.more) return;
          i = r.end;
          this.onResponseHead(first);
          break;
        }
        case 'length': {
          const first = this.pending[0]!;
          const n = Math.min(this.resRemaining, chunk.length - i);
          first.resBody!.add(chunk, i, i + n);
          i += n;
          this.resRemaining -= n;
          if (this.resRemaining === 0) this.responseDone(first);
          break;
        }
        case 'chunked': {
          const r = this.resChunks!.feed(chunk, i);
          if (r === CHUNK_MORE) return;
          if (r === CHUNK_BAD) return this.giveUp('gave-up', 'a chunked response body was malformed');
          i = r;
          this.responseDone(this.pending[0]!);
          break;
        }
        case 'until-close':
          this.pending[0]!.resBody!.add(chunk, i, chunk.length);
          return;
      }
    }
  }

  private onResponseHead(p: Pending): void {
    const { text, bytes } = this.resHead.take();
    const head = parseResponseHead(text, bytes);
    if (!head || head.status < 100) return this.giveUp('gave-up', 'a response head could not be read');
    const { status } = head;
    if (status >= 100 && status < 200 && status !== 101) {
      // Interim (100 Continue, 103 Early Hints): the final response for the same request follows.
      p.interim.push(status);
      // Time to first byte counts to the final response.
      p.firstResponse = undefined;
      return;
    }
    p.response = head;
    p.resBody = new BodyCollector(this.maxBody, this.arena);
    const tunnel = status === 101 || (p.head.method === 'CONNECT' && status >= 200 && status < 300);
    if (tunnel) {
      p.responseDone = this.now();
      this.pending.shift();
      this.emit(p, status === 101 ? 'upgraded' : 'tunnel', p.responseDone, status === 101 ? head.upgrade : undefined);
      // Everything after this is the new protocol's: let it flow by.
      this.reqState = 'off';
      this.resState = 'off';
      this.flushPending('closed', p.responseDone);
      this.releaseHoldback();
      return;
    }
    const bodiless = p.head.method === 'HEAD' || status === 204 || status === 304;
    const framing: Framing = bodiless ? { kind: 'none' } : head.framing;
    switch (framing.kind) {
      case 'none':
        return this.responseDone(p);
      case 'length':
        this.resState = 'length';
        this.resRemaining = framing.n;
        return;
      case 'chunked':
        this.resState = 'chunked';
        this.resChunks = new ChunkedDecoder((c, s, e) => p.resBody!.add(c, s, e));
        return;
      case 'until-close':
        this.resState = 'until-close';
        return;
      case 'bad':
        return this.giveUp('gave-up', 'a response had conflicting Content-Length values');
    }
  }

  private responseDone(p: Pending): void {
    p.responseDone = this.now();
    this.resState = 'head';
    if (p.requestDone !== undefined) this.completeFirst();
  }

  /** pending[0] has both its request and its response: record it, and go on with what was held back. */
  private completeFirst(): void {
    const p = this.pending.shift()!;
    this.emit(p, 'complete', p.responseDone!);
    if (p.mayTunnel && this.reqState === 'hold') {
      // Not switched after all (say, 426 or 401): the held bytes are the next request.
      this.reqState = 'head';
      const held = this.holdback;
      this.releaseHoldback();
      for (const b of held) {
        if ((this.reqState as ReqState) === 'off' || this.ended) break;
        this.feedRequest(b, 0);
      }
    }
  }

  private flushPending(end: ExchangeEnd, t: number): void {
    const rest = this.pending;
    this.pending = [];
    this.reading = undefined;
    for (const p of rest) this.emit(p, end, t);
  }

  private giveUp(kind: CaptureNotice, detail: string): void {
    if (this.reqState === 'off' && this.resState === 'off') return;
    this.reqState = 'off';
    this.resState = 'off';
    this.flushPending('gave-up', this.now());
    this.releaseHoldback();
    try {
      this.opts.onNotice?.(kind, detail);
    } catch {
      // A failing listener must not reach the forwarding path.
    }
  }

  private emit(p: Pending, end: ExchangeEnd, t: number, upgrade?: string): void {
    const res = p.response;
    const resBody = p.resBody;
    const ms = roundMs;
    const x: CapturedExchange = {
      connId: this.opts.connId,
      client: this.opts.client,
      startedAt: p.startedAt,
      method: p.head.method,
      target: p.head.target,
      httpVersion: p.head.version,
      requestHead: p.head.fields,
      requestHeadBytes: p.head.bytes,
      requestBytes: p.body?.size ?? 0,
      requestTruncated: (p.body?.truncated ?? false) || (p.requestDone === undefined && end !== 'complete'),
      requestBody: (p.body ?? this.noBody).kept,
      interim: p.interim,
      end,
      durationMs: ms(p.t0, t) ?? 0,
    };
    if (res && resBody) {
      x.response = {
        version: res.version,
        status: res.status,
        reason: res.reason,
        head: res.fields,
        headBytes: res.bytes,
        bytes: resBody.size,
        truncated: resBody.truncated,
        body: resBody.kept,
      };
    }
    if (upgrade) x.upgrade = upgrade;
    if (p.head.host !== undefined) x.host = p.head.host;
    if (res?.contentType !== undefined) x.response!.contentType = res.contentType;
    const ttfb = ms(p.t0, p.firstResponse);
    if (ttfb !== undefined) x.ttfbMs = ttfb;
    const requestMs = ms(p.t0, p.requestDone);
    if (requestMs !== undefined) x.requestMs = requestMs;
    const waitMs = ms(p.requestDone, p.firstResponse);
    if (waitMs !== undefined) x.waitMs = waitMs;
    const receiveMs = ms(p.firstResponse, p.responseDone);
    if (receiveMs !== undefined) x.receiveMs = receiveMs;
    try {
      this.opts.onExchange(x);
    } catch {
      // A failing store must not reach the forwarding path.
    }
  }
}
