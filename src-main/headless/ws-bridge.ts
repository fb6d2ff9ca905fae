import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { METHOD_NAMES, type MethodName } from '../../src-shared/api/channels';
import {
  WS_CLOSE_AUTH_TIMEOUT,
  WS_CLOSE_BAD_TOKEN,
  WS_MAX_MESSAGE_BYTES,
  WS_PATH,
  type WsCall,
  type WsServerMessage,
} from '../../src-shared/api/ws-protocol';
import type { ApiCaller, ApiHost } from '../api/api-host';

// A slow browser tab must not make the host buffer without bound: past this, stats and log batches
// to that tab are dropped (the next tick brings fresh totals); state changes and answers still go.
const MAX_BUFFERED = 4 * 1024 * 1024;

export const AUTH_TIMEOUT_MS = 5_000;
/** Sockets that have not sent their token yet; more are refused (503) until some sign in or time out. */
export const MAX_UNAUTHENTICATED = 64;
/** The same, per source address: one machine on the network cannot fill the whole queue and lock the user out. */
export const MAX_UNAUTHENTICATED_PER_ADDRESS = 4;

export interface BridgeOptions {
  api: ApiHost;
  token: string;
  /** Whether the page's Origin is one of the hosts this server was started for. */
  originAllowed: (origin: string | undefined) => boolean;
  authTimeoutMs?: number;
  maxUnauthenticated?: number;
  maxUnauthenticatedPerAddress?: number;
}

/** The queue's per-address key: an IPv4-mapped address counts as IPv4, IPv6 by its /64 (one host holds a whole /64). */
export function sourceKey(req: IncomingMessage): string {
  const a = (req.socket.remoteAddress ?? '?').replace(/^::ffff:(?=\d+\.)/, '');
  if (!a.includes(':')) return a;
  const groups = a.split('::');
  const head = groups[0] ? groups[0].split(':') : [];
  const tail = groups.length > 1 && groups[1] ? groups[1].split(':') : [];
  const full = [...head, ...Array<string>(Math.max(0, 8 - head.length - tail.length)).fill('0'), ...tail];
  return `${full.slice(0, 4).join(':')}::/64`;
}

function tokenMatches(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface Refusal {
  status: number;
  message: string;
}

/** Why an upgrade is refused, or undefined when it may proceed to the token check. */
export function rejectReason(req: IncomingMessage, opts: Pick<BridgeOptions, 'originAllowed'>): Refusal | undefined {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://x');
  } catch {
    return { status: 400, message: 'Bad request' };
  }
  if (url.pathname !== WS_PATH) return { status: 404, message: 'Not found' };
  // Refused rather than ignored: a client still putting the token in the URL leaks it into logs on
  // every connection, so it should fail loudly and be updated.
  if (url.search) {
    return { status: 400, message: `${WS_PATH} takes no query string: send the token as the first WebSocket message ({"t":"auth","token":"…"}), never in the URL` };
  }
  if (!opts.originAllowed(req.headers.origin)) {
    return { status: 403, message: `Origin ${JSON.stringify(req.headers.origin ?? null)} is not one this Porthole UI was started for` };
  }
  return undefined;
}

export function refusalResponse(r: Refusal): string {
  const reason = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 421: 'Misdirected Request', 503: 'Service Unavailable' }[r.status] ?? 'Error';
  const body = `${r.message}\n`;
  return (
    `HTTP/1.1 ${r.status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
    `X-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/** The token of a first message `{ t: 'auth', token }`, or undefined for anything else. */
function parseAuth(data: string): unknown {
  try {
    const msg = JSON.parse(data) as unknown;
    if (typeof msg === 'object' && msg !== null && (msg as Record<string, unknown>).t === 'auth') return (msg as Record<string, unknown>).token;
  } catch {
    // Not JSON: not a token.
  }
  return undefined;
}

function parseCall(data: string): WsCall | undefined {
  let msg: unknown;
  try {
    msg = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof msg !== 'object' || msg === null) return undefined;
  const m = msg as Record<string, unknown>;
  if (m.t !== 'call' || typeof m.id !== 'number' || !Number.isSafeInteger(m.id) || typeof m.m !== 'string') return undefined;
  if (!(METHOD_NAMES as readonly string[]).includes(m.m)) return undefined;
  return { t: 'call', id: m.id, m: m.m as MethodName, a: m.a };
}

/** The browser-mode bridge: the same API handler table behind an authenticated WebSocket. */
export function createWsBridge(opts: BridgeOptions) {
  const authTimeoutMs = opts.authTimeoutMs ?? AUTH_TIMEOUT_MS;
  const maxUnauthenticated = opts.maxUnauthenticated ?? MAX_UNAUTHENTICATED;
  const maxPerAddress = opts.maxUnauthenticatedPerAddress ?? MAX_UNAUTHENTICATED_PER_ADDRESS;
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_MESSAGE_BYTES, perMessageDeflate: false });
  // Only these sockets get events and have their calls run.
  const authed = new Set<WebSocket>();
  let unauthenticated = 0;
  const unauthenticatedFrom = new Map<string, number>();

  const send = (ws: WebSocket, msg: WsServerMessage, droppable: boolean) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (droppable && ws.bufferedAmount > MAX_BUFFERED) return;
    ws.send(JSON.stringify(msg));
  };

  // Tabs that asked for the `connections` event (it can be large; the others never get it).
  const watchers = new WeakSet<WebSocket>();
  const unsubscribe = opts.api.subscribeAll((event, payload) => {
    const droppable = event === 'stats' || event === 'log' || event === 'connections';
    for (const ws of authed) {
      if (event === 'connections' && !watchers.has(ws)) continue;
      send(ws, { t: 'event', e: event, p: payload }, droppable);
    }
  });

  const onCall = (ws: WebSocket, caller: ApiCaller, call: WsCall) => {
    void opts.api.handle(call.m, call.a, caller).then((r) => {
      if (call.m === 'connections.watch' && r.ok) {
        if ((r.value as { watching: boolean }).watching) watchers.add(ws);
        else watchers.delete(ws);
      }
      send(ws, { t: 'result', id: call.id, r }, false);
    });
  };

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const from = sourceKey(req);
    unauthenticated++;
    unauthenticatedFrom.set(from, (unauthenticatedFrom.get(from) ?? 0) + 1);
    let pending = true;
    const leavePending = () => {
      if (!pending) return;
      pending = false;
      unauthenticated--;
      const left = (unauthenticatedFrom.get(from) ?? 1) - 1;
      if (left > 0) unauthenticatedFrom.set(from, left);
      else unauthenticatedFrom.delete(from);
      clearTimeout(deadline);
    };
    // A refused socket gets a close frame saying why, and is cut if it does not answer it promptly.
    const refuse = (code: number, reason: string) => {
      leavePending();
      ws.close(code, reason);
      const cut = setTimeout(() => ws.terminate(), 1_000);
      ws.once('close', () => clearTimeout(cut));
    };
    const deadline = setTimeout(() => refuse(WS_CLOSE_AUTH_TIMEOUT, `no token within ${authTimeoutMs} ms`), authTimeoutMs);
    // Per-socket state (e.g. watching connections) is dropped when this tab goes away.
    const gone: (() => void)[] = [];
    const caller: ApiCaller = { onGone: (cleanup) => void gone.push(cleanup) };
    ws.on('close', () => {
      leavePending();
      authed.delete(ws);
      gone.splice(0).forEach((cleanup) => cleanup());
    });
    ws.on('error', () => ws.terminate());
    ws.on('message', (raw, isBinary) => {
      if (!authed.has(ws)) {
        if (!pending) return;
        // Nothing but the token is read before the socket is signed in.
        if (!isBinary && tokenMatches(parseAuth(raw.toString()), opts.token)) {
          leavePending();
          authed.add(ws);
          send(ws, { t: 'ready' }, false);
        } else {
          refuse(WS_CLOSE_BAD_TOKEN, 'bad token');
        }
        return;
      }
      const call = isBinary ? undefined : parseCall(raw.toString());
      if (!call) {
        // Protocol violation: close this socket only.
        ws.close(1008, 'malformed message');
        return;
      }
      onCall(ws, caller, call);
    });
  });

  return {
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      const refusal =
        rejectReason(req, opts) ??
        (unauthenticated >= maxUnauthenticated || (unauthenticatedFrom.get(sourceKey(req)) ?? 0) >= maxPerAddress
          ? { status: 503, message: 'Too many connections are waiting to send their token — try again in a few seconds' }
          : undefined);
      if (refusal) {
        socket.end(refusalResponse(refusal));
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    /** Sockets that have not sent their token yet (tests, diagnostics). */
    get unauthenticated() {
      return unauthenticated;
    },
    async close(): Promise<void> {
      unsubscribe();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}
