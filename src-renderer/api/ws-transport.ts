import type { EventName, MethodName } from '../../src-shared/api/channels';
import type { ApiTransport } from '../../src-shared/api/client';
import type { Envelope, Unsubscribe } from '../../src-shared/api/contract';
import { WS_CLOSE_BAD_TOKEN, type WsAuth, type WsCall, type WsServerMessage } from '../../src-shared/api/ws-protocol';
import { createSignal, type ReadonlySignal } from '../lib/signal';

/** The part of the DOM WebSocket this transport uses (a fake implements it in tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  /** The close event; `code` is the WebSocket close code where the platform gives one. */
  onclose: ((ev: { code?: number } | undefined) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

/**
 * `connecting`: first attempt; `open`; `reconnecting`: lost (or never reached) and retrying; `expired`:
 * the host refused this page's token (it restarted: every start has a new one), so retrying cannot
 * help — only the new link it printed does; `closed`: disposed.
 */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'expired' | 'closed';

export interface WsTransportOptions {
  url: string;
  /** Sent as each socket's first message; calls wait for the host's `ready` before they go out. */
  token?: string;
  createSocket: (url: string) => SocketLike;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  minDelayMs?: number;
  maxDelayMs?: number;
}

export interface WsTransport extends ApiTransport {
  readonly connection: ReadonlySignal<ConnectionState>;
  /** Closes the socket for good and rejects whatever is still waiting. */
  dispose(): void;
}

const OPEN = 1;

interface Pending {
  method: MethodName;
  resolve: (env: Envelope<unknown>) => void;
  reject: (err: Error) => void;
}

export function reconnectDelay(attempt: number, minMs = 500, maxMs = 10_000): number {
  return Math.min(maxMs, minMs * 2 ** Math.max(0, attempt));
}

function isServerMessage(v: unknown): v is WsServerMessage {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  if (m.t === 'result') return typeof m.id === 'number' && typeof m.r === 'object' && m.r !== null;
  if (m.t === 'event') return typeof m.e === 'string';
  return m.t === 'ready';
}

/**
 * Browser-mode transport. Calls made while the socket is down wait for the next open; calls in flight
 * when it drops are rejected (the host may or may not have run them, so they are not replayed).
 * The host pushes every event to every socket, so "re-subscribing" after a reconnect only means the
 * listeners registered here survive the socket they were registered on.
 */
export function createWsTransport(opts: WsTransportOptions): WsTransport {
  const setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const connection = createSignal<ConnectionState>('connecting');
  const pending = new Map<number, Pending>();
  const queued: WsCall[] = [];
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  let nextId = 1;
  let socket: SocketLike | null = null;
  // The current socket is open and, when a token is used, the host has accepted it.
  let ready = false;
  let attempt = 0;
  let timer: unknown = null;
  let disposed = false;

  function rejectAll(reason: string, retrying = !disposed): void {
    for (const [id, p] of pending) {
      pending.delete(id);
      p.reject(new Error(`${reason} before it answered ${p.method}. ${retrying ? 'Reconnecting — try again in a moment.' : ''}`.trim()));
    }
    queued.length = 0;
  }

  function handleMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let msg: unknown;
    try {
      msg = JSON.parse(data);
    } catch {
      console.warn('porthole: ignoring a message from the host that is not JSON');
      return;
    }
    if (!isServerMessage(msg)) return;
    if (msg.t === 'ready') {
      if (socket && !ready) markReady(socket);
      return;
    }
    if (msg.t === 'result') {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      p.resolve(msg.r);
      return;
    }
    for (const l of [...(listeners.get(msg.e) ?? [])]) {
      try {
        l(msg.p);
      } catch (err) {
        console.error(`porthole: a listener for "${msg.e}" threw`, err);
      }
    }
  }

  function markReady(s: SocketLike): void {
    ready = true;
    attempt = 0;
    connection.set('open');
    for (const call of queued.splice(0)) s.send(JSON.stringify(call));
  }

  function connect(): void {
    timer = null;
    if (disposed) return;
    const s = opts.createSocket(opts.url);
    socket = s;
    ready = false;
    s.onopen = () => {
      if (socket !== s) return;
      if (opts.token === undefined) {
        markReady(s);
        return;
      }
      // Until the host answers `ready`, this counts as still connecting (a wrong token is refused
      // and closed, and must not look like a working connection).
      const auth: WsAuth = { t: 'auth', token: opts.token };
      s.send(JSON.stringify(auth));
    };
    s.onmessage = (ev) => {
      if (socket === s) handleMessage(ev.data);
    };
    s.onerror = () => {
      // A close event always follows; reconnecting happens there.
    };
    s.onclose = (ev) => {
      if (socket !== s) return;
      socket = null;
      ready = false;
      if (ev?.code === WS_CLOSE_BAD_TOKEN && opts.token !== undefined) {
        // Not a lost connection: this token will never be accepted again. Stop, and say so.
        rejectAll('The Porthole host refused this link (it has restarted since it was printed)', false);
        connection.set('expired');
        return;
      }
      for (const [id, p] of pending) {
        if (queued.some((c) => c.id === id)) continue;
        pending.delete(id);
        p.reject(new Error(`Lost the connection to the Porthole host before it answered ${p.method}. Reconnecting — try again in a moment.`));
      }
      if (disposed) return;
      connection.set('reconnecting');
      const delay = reconnectDelay(attempt, opts.minDelayMs, opts.maxDelayMs);
      attempt++;
      timer = setTimer(connect, delay);
    };
  }

  connect();

  return {
    connection,
    invoke(method, input) {
      return new Promise<Envelope<unknown>>((resolve, reject) => {
        if (disposed) {
          reject(new Error(`The connection to the Porthole host is closed; cannot call ${method}.`));
          return;
        }
        const call: WsCall = { t: 'call', id: nextId++, m: method };
        if (input !== undefined) call.a = input;
        pending.set(call.id, { method, resolve, reject });
        if (socket && ready && socket.readyState === OPEN) socket.send(JSON.stringify(call));
        else queued.push(call);
      });
    },
    subscribe(event, listener): Unsubscribe {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => {
        listeners.get(event)?.delete(listener);
      };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      if (timer !== null) clearTimer(timer);
      timer = null;
      const s = socket;
      socket = null;
      rejectAll('The connection to the Porthole host was closed');
      connection.set('closed');
      s?.close(1000, 'closed by the page');
    },
  };
}
