import type { EventName, MethodName } from './channels';
import type { Envelope } from './contract';

// Browser mode: the renderer talks to the host over one WebSocket at `/api`. The upgrade request must
// carry the per-start token as `?token=…` (the page gets it from its URL fragment, `#token=…`) and an
// `Origin` equal to the page's own origin; anything else is refused before the upgrade, so a wrong token
// never receives a byte of data.

export const WS_PATH = '/api';
export const WS_MAX_MESSAGE_BYTES = 1024 * 1024;

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

export type WsServerMessage = WsResult | WsEvent;
