import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { METHOD_NAMES, type MethodName } from '../../src-shared/api/channels';
import { WS_MAX_MESSAGE_BYTES, WS_PATH, type WsCall, type WsServerMessage } from '../../src-shared/api/ws-protocol';
import type { ApiCaller, ApiHost } from '../api/api-host';

// A slow browser tab must not make the host buffer without bound: past this, stats and log batches
// to that tab are dropped (the next tick brings fresh totals); state changes and answers still go.
const MAX_BUFFERED = 4 * 1024 * 1024;

export interface BridgeOptions {
  api: ApiHost;
  token: string;
  /** Origins the page may be served from, e.g. `http://127.0.0.1:4321`, for this request. */
  allowedOrigins: (req: IncomingMessage) => string[];
}

function tokenMatches(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Why an upgrade is refused, or undefined when it may proceed. */
export function rejectReason(req: IncomingMessage, opts: Pick<BridgeOptions, 'token' | 'allowedOrigins'>): string | undefined {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://x');
  } catch {
    return 'bad request';
  }
  if (url.pathname !== WS_PATH) return 'not found';
  const origin = req.headers.origin;
  if (!origin || !opts.allowedOrigins(req).includes(origin)) return 'origin not allowed';
  if (!tokenMatches(url.searchParams.get('token'), opts.token)) return 'bad token';
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
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_MESSAGE_BYTES, perMessageDeflate: false });

  const send = (ws: WebSocket, msg: WsServerMessage, droppable: boolean) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (droppable && ws.bufferedAmount > MAX_BUFFERED) return;
    ws.send(JSON.stringify(msg));
  };

  // Tabs that asked for the `connections` event (it can be large; the others never get it).
  const watchers = new WeakSet<WebSocket>();
  const unsubscribe = opts.api.subscribeAll((event, payload) => {
    const droppable = event === 'stats' || event === 'log' || event === 'connections';
    for (const ws of wss.clients) {
      if (event === 'connections' && !watchers.has(ws)) continue;
      send(ws, { t: 'event', e: event, p: payload }, droppable);
    }
  });

  wss.on('connection', (ws) => {
    // Per-socket state (e.g. watching connections) is dropped when this tab goes away.
    const gone: (() => void)[] = [];
    const caller: ApiCaller = { onGone: (cleanup) => void gone.push(cleanup) };
    ws.on('close', () => gone.splice(0).forEach((cleanup) => cleanup()));
    ws.on('error', () => ws.terminate());
    ws.on('message', (raw, isBinary) => {
      const call = isBinary ? undefined : parseCall(raw.toString());
      if (!call) {
        // Protocol violation: close this socket only.
        ws.close(1008, 'malformed message');
        return;
      }
      void opts.api.handle(call.m, call.a, caller).then((r) => {
        if (call.m === 'connections.watch' && r.ok) {
          if ((r.value as { watching: boolean }).watching) watchers.add(ws);
          else watchers.delete(ws);
        }
        send(ws, { t: 'result', id: call.id, r }, false);
      });
    });
  });

  return {
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      const reason = rejectReason(req, opts);
      if (reason) {
        const status = reason === 'not found' ? '404 Not Found' : reason === 'bad request' ? '400 Bad Request' : '403 Forbidden';
        socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    async close(): Promise<void> {
      unsubscribe();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}
