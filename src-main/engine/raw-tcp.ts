import type { Server } from 'node:net';
import { getSystemErrorName } from 'node:util';

/**
 * Node's own TCP handles (the libuv wrappers net.Socket is built on), for the forwarder's fast path
 * (raw-connection.ts). A connection spliced on them skips what net.Socket adds per connection — two
 * stream objects with their readable and writable states, event emitters, a socket for the target
 * built through net.connect() — which is most of what a forwarder on node:net spends per connection
 * (bench: the smallest node:net forwarder takes ~200 µs of CPU per short connection, one on these
 * handles ~130).
 *
 * These are internals: process.binding('tcp_wrap') and ('stream_wrap') are in Node's allow-list for
 * process.binding (documented as deprecated; a runtime warning only under --pending-deprecation, which
 * the lookup silences: with --throw-deprecation too it would be thrown a tick later). They are
 * looked up once and checked for every member used; where anything is missing (a future Node, an
 * embedder that removed process.binding) rawTcp() returns undefined and the forwarder uses net.Socket.
 * PORTHOLE_RAW_TCP=0 in the environment turns this path off.
 */

export interface RawReq {
  oncomplete: ((status: number) => void) | undefined;
  handle?: RawHandle;
  /** A queued write's bytes: held here until it completes, as Node's own sockets do (libuv does not copy them). */
  buffer?: Uint8Array;
}

export interface SockAddr {
  address?: string;
  port?: number;
  family?: string;
}

/** The members of Node's TCPWrap (a libuv uv_tcp_t) that the fast path uses. */
export interface RawHandle {
  onread: (() => Uint8Array | undefined) | undefined;
  readStart(): number;
  readStop(): number;
  /** Reads land in buf from now on (each call adds a small native read listener until close). */
  useUserBuffer(buf: Uint8Array): void;
  writeBuffer(req: RawReq, buf: Uint8Array): number;
  shutdown(req: RawReq): number;
  close(cb?: () => void): void;
  /** Closes with a RST (SO_LINGER 0); refused (non-zero) while a shutdown is pending. */
  reset(cb?: () => void): number;
  setNoDelay(on: boolean): number;
  setKeepAlive(on: boolean, delaySeconds: number): number;
  getpeername(out: SockAddr): number;
  getsockname(out: SockAddr): number;
  connect(req: RawReq, address: string, port: number): number;
  connect6(req: RawReq, address: string, port: number): number;
}

export interface RawTcp {
  newSocket(): RawHandle;
  connectReq(): RawReq;
  writeReq(): RawReq;
  shutdownReq(): RawReq;
  /** Bytes read (> 0), UV_EOF or an error, for the read callback running now. */
  readResult(): number;
  /** Whether the last writeBuffer() left bytes queued in libuv (its oncomplete will come). */
  lastWriteWasAsync(): boolean;
}

/** libuv's end-of-stream read result (the same on every platform). */
export const UV_EOF = -4095;

let loaded: RawTcp | null | undefined;

/** Node's TCP handles, or undefined where this Node lacks any member used (then use net.Socket). */
export function rawTcp(): RawTcp | undefined {
  if (loaded === undefined) loaded = process.env.PORTHOLE_RAW_TCP === '0' ? null : load();
  return loaded ?? undefined;
}

type Ctor<T> = new (...args: unknown[]) => T;

function load(): RawTcp | null {
  try {
    const binding = (process as unknown as { binding?: (name: string) => Record<string, unknown> }).binding;
    if (typeof binding !== 'function') return null;
    const quiet = process.noDeprecation;
    let tcp: Record<string, unknown>;
    let stream: Record<string, unknown>;
    process.noDeprecation = true;
    try {
      tcp = binding('tcp_wrap');
      stream = binding('stream_wrap');
    } finally {
      process.noDeprecation = quiet;
    }
    const TCP = tcp.TCP as Ctor<RawHandle> | undefined;
    const ConnectWrap = tcp.TCPConnectWrap as Ctor<RawReq> | undefined;
    const SOCKET = (tcp.constants as { SOCKET?: unknown } | undefined)?.SOCKET;
    const WriteWrap = stream.WriteWrap as Ctor<RawReq> | undefined;
    const ShutdownWrap = stream.ShutdownWrap as Ctor<RawReq> | undefined;
    const state = stream.streamBaseState;
    const kRead = stream.kReadBytesOrError;
    const kAsync = stream.kLastWriteWasAsync;
    if (
      typeof TCP !== 'function' ||
      typeof ConnectWrap !== 'function' ||
      typeof WriteWrap !== 'function' ||
      typeof ShutdownWrap !== 'function' ||
      typeof SOCKET !== 'number' ||
      !(state instanceof Int32Array) ||
      typeof kRead !== 'number' ||
      typeof kAsync !== 'number'
    ) {
      return null;
    }
    const methods = ['readStart', 'readStop', 'useUserBuffer', 'writeBuffer', 'shutdown', 'close', 'reset', 'setNoDelay', 'setKeepAlive', 'getpeername', 'getsockname', 'connect', 'connect6'];
    const proto = TCP.prototype as unknown as Record<string, unknown>;
    if (!methods.every((m) => typeof proto[m] === 'function')) return null;
    return {
      newSocket: () => new TCP(SOCKET),
      connectReq: () => new ConnectWrap(),
      writeReq: () => new WriteWrap(),
      shutdownReq: () => new ShutdownWrap(),
      readResult: () => state[kRead]!,
      lastWriteWasAsync: () => state[kAsync] !== 0,
    };
  } catch {
    return null;
  }
}

interface ListenHandle {
  onconnection?: (this: unknown, status: number, client: RawHandle | undefined) => void;
}

/**
 * Takes over a listening net.Server's accepts: from now on each accepted connection's handle goes to
 * `onHandle` instead of becoming a net.Socket (and a 'connection' event). A failed accept still goes to
 * Node's own code (the server emits 'error', as before). false, changing nothing, where the server has
 * no handle with Node's accept callback.
 */
function takeAccepts(server: Server, onHandle: (client: RawHandle) => void): boolean {
  const handle = (server as unknown as { _handle?: ListenHandle | null })._handle;
  const original = handle?.onconnection;
  if (!handle || typeof original !== 'function') return false;
  handle.onconnection = function (this: unknown, status: number, client: RawHandle | undefined) {
    if (status !== 0 || client === undefined) original.call(this, status, client);
    else onHandle(client);
  };
  return true;
}

/**
 * Closes a connected handle, with a RST when `reset` and libuv takes one. libuv refuses a reset while
 * our FIN is pending (`finPending`: asked for, not yet out), and a refused one leaves a Node 20 handle
 * half-closed, which close() cannot finish: so a reset is asked for only when it cannot be refused, and
 * close() follows any refusal (for a Node that leaves the handle open).
 */
export function closeHandle(handle: RawHandle, reset: boolean, finPending = false): void {
  if (!reset || finPending || handle.reset() !== 0) handle.close();
}

/** TCP_NODELAY, and keepalive after keepAliveMs idle (0: none); true if the OS took both. */
export function setSocketOptions(handle: RawHandle | undefined, keepAliveMs: number): boolean {
  if (!handle) return false;
  const noDelay = handle.setNoDelay(true);
  const keepAlive = keepAliveMs > 0 ? handle.setKeepAlive(true, Math.floor(keepAliveMs / 1000)) : 0;
  return noDelay === 0 && keepAlive === 0;
}

/** An Error shaped like Node's own for a failed socket call (code, errno, syscall), so engine-error maps it. */
export function uvError(status: number, syscall: string, host?: string, port?: number): NodeJS.ErrnoException {
  let code: string;
  try {
    code = getSystemErrorName(status);
  } catch {
    code = `UV${status}`;
  }
  const where = host === undefined ? '' : ` ${host.includes(':') ? `[${host}]` : host}:${port}`;
  return Object.assign(new Error(`${syscall} ${code}${where}`), { code, errno: status, syscall, ...(host === undefined ? {} : { address: host, port }) });
}

/**
 * Linux copies a listening TCP socket's options (TCP_NODELAY, SO_KEEPALIVE and its timings) to every
 * socket accept() returns, and starts the keepalive timer of one that has SO_KEEPALIVE: set on the
 * listener once, they cost no syscalls per connection (four to five otherwise, ~5 µs). Elsewhere each
 * accepted socket gets them.
 */
const INHERITS_SOCKET_OPTIONS = process.platform === 'linux';

/**
 * A listening net.Server's accepts taken over as raw handles (takeAccepts), for one start of a
 * forwarder or SOCKS server. TCP_NODELAY and keepalive go on the listening socket once where accepted
 * sockets inherit them; until they do, setOptions() sets them on each accepted handle (what net.Server
 * does for the sockets it accepts).
 */
export class RawAccepts {
  /** The server's accepts were taken over (known once it listens; false: they stay net.Sockets). */
  taken = false;
  private inherited = false;

  constructor(
    server: Server,
    private readonly keepAliveMs: number,
    onHandle: (client: RawHandle) => void,
  ) {
    // Before the first accept can run: 'listening' comes in the same turn as listen() succeeds.
    server.once('listening', () => {
      this.taken = takeAccepts(server, onHandle);
      const listening = (server as unknown as { _handle?: RawHandle | null })._handle ?? undefined;
      if (this.taken && INHERITS_SOCKET_OPTIONS && setSocketOptions(listening, keepAliveMs)) {
        // Connections the kernel completed before the options were set did not inherit them: they
        // are accepted in the loop's first poll, before this immediate.
        setImmediate(() => (this.inherited = true));
      }
    });
  }

  /** TCP_NODELAY and keepalive on an accepted handle, unless it inherited them from the listener. */
  setOptions(handle: RawHandle): void {
    if (!this.inherited) setSocketOptions(handle, this.keepAliveMs);
  }
}
