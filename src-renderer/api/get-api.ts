import { bridgeTransport, createApiClient } from '../../src-shared/api/client';
import type { PortholeApi } from '../../src-shared/api/contract';
import type { ReadonlySignal } from '../lib/signal';
import { apiSocketUrl, takeToken } from './token';
import { createWsTransport, type ConnectionState, type SocketLike } from './ws-transport';

export type ApiSetup =
  | { kind: 'desktop'; api: PortholeApi }
  | { kind: 'browser'; api: PortholeApi; connection: ReadonlySignal<ConnectionState>; dispose(): void }
  | { kind: 'no-token' };

/** Adapts the DOM WebSocket to the transport's small SocketLike interface. */
function browserSocket(url: string): SocketLike {
  const ws = new WebSocket(url);
  const s: SocketLike = {
    get readyState() {
      return ws.readyState;
    },
    send: (data) => ws.send(data),
    close: (code, reason) => ws.close(code, reason),
    onopen: null,
    onclose: null,
    onerror: null,
    onmessage: null,
  };
  ws.onopen = (ev) => s.onopen?.(ev);
  ws.onclose = (ev) => s.onclose?.(ev);
  ws.onerror = (ev) => s.onerror?.(ev);
  ws.onmessage = (ev: MessageEvent<unknown>) => s.onmessage?.({ data: ev.data });
  return s;
}

function sessionStore(win: Window): Storage | undefined {
  try {
    return win.sessionStorage;
  } catch {
    // Storage disabled for this site.
    return undefined;
  }
}

/**
 * The preload's `window.porthole` in the desktop app; otherwise a WebSocket to the host that served
 * this page, signed in with the token from the URL fragment (moved out of the URL into this tab's
 * sessionStorage, so a reload keeps working).
 */
export function getApi(win: Window = window): ApiSetup {
  if (win.porthole) return { kind: 'desktop', api: createApiClient(bridgeTransport(win.porthole)) };
  const token = takeToken({ location: win.location, history: win.history, storage: sessionStore(win) });
  if (!token) return { kind: 'no-token' };
  const transport = createWsTransport({
    url: apiSocketUrl(win.location),
    token,
    createSocket: browserSocket,
  });
  return {
    kind: 'browser',
    api: createApiClient(transport),
    connection: transport.connection,
    dispose: () => transport.dispose(),
  };
}
