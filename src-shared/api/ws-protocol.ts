import type { EventName, MethodName } from './channels';
import type { Envelope } from './contract';

// Browser mode: the renderer talks to the host over one WebSocket at `/api` (no query string: a token
// in a URL ends up in proxy and server logs). The upgrade needs a Host the server was started for and an
// `Origin` of one of those hosts. The socket's first message must then be `{ t: 'auth', token }` with the
// per-start token (the page gets it from its URL fragment, `#token=…`), within a few seconds; the host
// answers `{ t: 'ready' }`, or closes with WS_CLOSE_BAD_TOKEN / WS_CLOSE_AUTH_TIMEOUT. Nothing else is
// read, and no event is sent, before that answer.

export const WS_PATH = '/api';
export const WS_MAX_MESSAGE_BYTES = 1024 * 1024;
export const WS_CLOSE_BAD_TOKEN = 4401;
export const WS_CLOSE_AUTH_TIMEOUT = 4408;

/** Client → host, first message only. */
export interface WsAuth {
  t: 'auth';
  token: string;
}

/** Host → client: the token was right; calls may follow. */
export interface WsReady {
  t: 'ready';
}

/** Client → host. `id` is the caller's correlation number. */
export interface WsCall {
  t: 'call';
  id: number;
  m: MethodName;
  a?: unknown;
}

/** Host → client: the answer to one call. */
export interface WsResult {
  t: 'result';
  id: number;
  r: Envelope<unknown>;
}

/** Host → client: a pushed event. */
export interface WsEvent {
  t: 'event';
  e: EventName;
  p: unknown;
}

export type WsServerMessage = WsResult | WsEvent | WsReady;
