import { createHash, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { Server, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { formatHostPort } from '../../src-shared/format/address';
import { ByteMeter } from './byte-meter';
import { EngineError, connectError, connectTimeout, errnoCode } from './engine-error';
import { listenOn } from './listen';
import {
  CMD_CONNECT,
  METHOD_NONE_ACCEPTABLE,
  METHOD_NO_AUTH,
  METHOD_USERPASS,
  Reply,
  commandName,
  encodeMethodSelection,
  encodeReply,
  encodeUserPassReply,
  parseGreeting,
  parseRequest,
  parseUserPass,
  replyForError,
} from './socks5-protocol';
import type { SocksDestination } from './socks5-protocol';

export type { SocksDestination } from './socks5-protocol';

/**
 * Opens the outbound stream for one CONNECT. Rejects with an EngineError (anything else is mapped
 * with connectError). `signal` aborts when the client goes away or the server stops; a dialer that
 * ignores it is fine: a stream it resolves with afterwards is destroyed at once.
 */
export type SocksDialer = (
  dest: SocksDestination,
  client: { address: string; port: number },
  signal?: AbortSignal,
) => Promise<Duplex>;

// Long-lived idle tunnels otherwise never notice a peer that vanished (as in tcp-forward).
const KEEPALIVE_MS = 60_000;
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** Bytes a client may send after its CONNECT before the reply, held here until the dial completes. */
const MAX_EARLY_DATA = 64 * 1024;

/** The `socks` rule's dialer: a plain TCP connect from this machine (a domain is resolved here, per request). */
export function directDialer(connectTimeoutMs: number): SocksDialer {
  return (dest, _client, signal) =>
    new Promise<Duplex>((resolve, reject) => {
      const { host, port } = dest;
      let socket: Socket;
      try {
        socket = net.connect({ host, port, allowHalfOpen: true, noDelay: true, keepAlive: true, keepAliveInitialDelay: KEEPALIVE_MS });
      } catch (err) {
        // Only argument validation throws synchronously (e.g. a host name with a NUL byte).
        reject(connectError(err, host, port));
        return;
      }
      const settle = (err?: unknown): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.removeListener('error', settle);
        socket.removeListener('connect', onConnect);
        if (err === undefined) return resolve(socket);
        socket.on('error', () => undefined);
        socket.destroy();
        reject(connectError(err, host, port));
      };
      const onConnect = (): void => settle();
      const onAbort = (): void => settle(new EngineError('INTERNAL', `Connect to ${formatHostPort(host, port)} cancelled`));
      const timer = setTimeout(() => settle(connectTimeout(host, port, connectTimeoutMs)), connectTimeoutMs);
      socket.once('error', settle);
      socket.once('connect', onConnect);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
}

export interface Socks5ServerOptions {
  /** Port 0 lets the OS pick one (start() resolves with it). */
  listen: { host: string; port: number };
  dial: SocksDialer;
  /** RFC 1929; when set, method 0x02 is required (a client offering only no-auth gets 0xFF). */
  auth?: { username: string; password: string };
  /** Source filter before the handshake; false → the client is reset. */
  allow?: (clientAddress: string) => boolean;
  /** 0 or unset: no limit. Counts connections still in their handshake too. */
  maxConnections?: number;
  /** A client must finish greeting (+ auth) + request within this long; default 10 000 ms. */
  handshakeTimeoutMs?: number;
}

export interface SocksConnectionInfo {
  id: number;
  client: string;
  /** host:port as the client asked for it; '' until its request has arrived. */
  destination: string;
  openedAt: number;
}

export type SocksConnectionState = 'handshake' | 'connecting' | 'open' | 'half-closed';
export type SocksRefusalReason = 'not-allowed' | 'max-connections' | 'auth-failed';

export interface Socks5ServerEvents {
  /** A client's CONNECT request arrived (destination known); exactly one 'connection-close' follows. */
  'connection-open': [SocksConnectionInfo];
  'connection-close': [SocksConnectionInfo & { bytesIn: number; bytesOut: number; durationMs: number }];
  /** Dial failures, auth failures, protocol violations, handshake timeouts; the listener stays up. */
  'connection-error': [{ client: string; destination?: string; error: EngineError }];
  /** Turned away before any request: by the source filter, the connection limit, or authentication. */
  'connection-refused': [{ client: string; reason: SocksRefusalReason }];
  /** The listening socket failed after start() resolved (rare). */
  'listener-error': [EngineError];
}

type Phase = 'greeting' | 'auth' | 'request' | 'connecting' | 'spliced' | 'done';

/**
 * A SOCKS5 server (RFC 1928 CONNECT, RFC 1929 username/password) for the `socks` rule (direct dialer)
 * and `ssh-dynamic` (a dialer through SSH). After the handshake each connection is spliced like
 * tcp-forward's: backpressure per direction, FIN passed on with end(), any error or premature close
 * aborts the other side with a RST.
 */
export class Socks5Server extends EventEmitter<Socks5ServerEvents> {
  /** bytesIn = client → destination, bytesOut = destination → client. */
  readonly meter = new ByteMeter();
  private readonly live = new Set<SocksSession>();
  private readonly credentials: { username: Buffer; password: Buffer } | undefined;
  private server: Server | undefined;
  private listening = false;
  private stopping: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];
  private nextId = 0;

  constructor(private readonly opts: Socks5ServerOptions) {
    super();
    if (opts.auth) {
      this.credentials = { username: digest(Buffer.from(opts.auth.username)), password: digest(Buffer.from(opts.auth.password)) };
    }
  }

  connections(): Array<SocksConnectionInfo & { bytesIn: number; bytesOut: number; state: SocksConnectionState }> {
    return [...this.live].map((s) => ({ ...s.info, bytesIn: s.bytesIn, bytesOut: s.bytesOut, state: s.state }));
  }

  /** Aborts one connection (both sides); false if it is not open. */
  closeConnection(id: number): boolean {
    for (const s of this.live) {
      if (s.info.id === id) {
        s.destroy();
        return true;
      }
    }
    return false;
  }

  /** Resolves with the bound address; rejects with listenError(...) and then holds no socket. */
  start(): Promise<{ host: string; port: number }> {
    const { host, port } = this.opts.listen;
    if (this.server) {
      return Promise.reject(new EngineError('INTERNAL', `The SOCKS server on ${formatHostPort(host, port)} is already running — stop it first`));
    }
    this.stopping = undefined;
    const server = net.createServer({ allowHalfOpen: true, noDelay: true, keepAlive: true, keepAliveInitialDelay: KEEPALIVE_MS });
    this.server = server;
    server.on('connection', (socket) => this.accept(server, socket));
    return listenOn(server, host, port, (e) => this.emit('listener-error', e)).then(
      (bound) => {
        this.listening = true;
        return bound;
      },
      (err: unknown) => {
        if (this.server === server) this.server = undefined;
        throw err;
      },
    );
  }

  /** Closes the listener and every connection (RST both sides); resolves once all are closed. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server && !this.listening) {
      // listen() still resolving its host: it cannot be cancelled, so let it settle, then close.
      await new Promise<void>((resolve) => {
        server.once('listening', () => resolve());
        server.once('error', () => resolve());
      });
    }
    this.listening = false;
    const closed = new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
    for (const s of this.live) s.destroy();
    await Promise.all([closed, this.whenIdle()]);
  }

  private accept(server: Server, socket: Socket): void {
    socket.on('error', () => {
      // A client that resets or vanishes is ordinary traffic; its 'close' does the cleanup.
    });
    const remote = plainAddress(socket.remoteAddress);
    const client = formatHostPort(remote, socket.remotePort ?? 0);
    if (this.server !== server) {
      socket.destroy();
      return;
    }
    const { allow, maxConnections } = this.opts;
    const reason: SocksRefusalReason | undefined =
      allow && !allow(remote) ? 'not-allowed' : maxConnections && this.live.size >= maxConnections ? 'max-connections' : undefined;
    if (reason) {
      socket.resetAndDestroy();
      this.emit('connection-refused', { client, reason });
      return;
    }
    const session = new SocksSession(this, socket, { id: ++this.nextId, client, destination: '', openedAt: Date.now() }, remote);
    this.live.add(session);
    this.meter.activeConnections += 1;
    this.meter.totalConnections += 1;
  }

  /** @internal Constant-time credential check (both compared, digests make the lengths equal). */
  checkCredentials(username: Uint8Array, password: Uint8Array): boolean {
    const c = this.credentials;
    if (!c) return true;
    const userOk = timingSafeEqual(digest(username), c.username);
    const passOk = timingSafeEqual(digest(password), c.password);
    return userOk && passOk;
  }

  /** @internal */
  get dial(): SocksDialer {
    return this.opts.dial;
  }

  /** @internal */
  get handshakeTimeoutMs(): number {
    return this.opts.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  }

  /** @internal */
  get requiresAuth(): boolean {
    return this.credentials !== undefined;
  }

  /** @internal Called once per session, after its last socket closed. */
  sessionClosed(session: SocksSession, opened: boolean): void {
    if (!this.live.delete(session)) return;
    this.meter.activeConnections -= 1;
    if (opened) {
      this.emit('connection-close', {
        ...session.info,
        bytesIn: session.bytesIn,
        bytesOut: session.bytesOut,
        durationMs: Date.now() - session.info.openedAt,
      });
    }
    if (this.live.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  private whenIdle(): Promise<void> {
    if (this.live.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}

/** One client: the handshake, read incrementally from whatever chunks arrive, then the splice. */
class SocksSession {
  bytesIn = 0;
  bytesOut = 0;
  private phase: Phase = 'greeting';
  private pending: Buffer = Buffer.alloc(0);
  private timer: NodeJS.Timeout | undefined;
  private upstream: Duplex | undefined;
  private readonly dialAbort = new AbortController();
  private dest: SocksDestination | undefined;
  private opened = false;
  private errored = false;
  private clientClosed = false;
  private upstreamClosed = true;
  private dialPending = false;
  /** destroy() was called (stop(), closeConnection()): what follows is teardown, not failure. */
  private destroyed = false;
  private readonly timeoutMs: number;

  constructor(
    private readonly server: Socks5Server,
    private readonly client: Socket,
    readonly info: SocksConnectionInfo,
    private readonly remote: string,
  ) {
    this.timeoutMs = server.handshakeTimeoutMs;
    this.timer = setTimeout(() => this.onTimeout(), this.timeoutMs);
    client.on('data', this.onHandshakeData);
    client.once('end', () => {
      // A FIN mid-handshake means the request can never complete (a port probe, a health check):
      // close quietly. Once spliced, pump() passes the FIN on instead.
      if (!this.opened && this.phase !== 'done') {
        this.phase = 'done';
        this.client.end();
      }
    });
    client.once('close', () => this.onClientClose());
  }

  get state(): SocksConnectionState {
    if (!this.opened) return 'handshake';
    if (this.phase !== 'spliced') return 'connecting';
    return this.client.readableEnded || this.client.writableEnded ? 'half-closed' : 'open';
  }

  destroy(): void {
    this.destroyed = true;
    this.clearTimer();
    this.dialAbort.abort();
    abort(this.client);
    if (this.upstream) abort(this.upstream);
  }

  private readonly onHandshakeData = (chunk: Buffer): void => {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    // A chunk may hold several messages (pipelining), so keep going while each one completes.
    while (this.pending.length > 0 && this.step()) {
      // step() consumed one message.
    }
  };

  /** Handles the message at the front of `pending`; true if it consumed one and there may be more. */
  private step(): boolean {
    const { client } = this;
    switch (this.phase) {
      case 'greeting': {
        const r = parseGreeting(this.pending);
        if (r.kind === 'incomplete') return false;
        if (r.kind === 'error') return this.reject(new EngineError('INTERNAL', `${r.message} (from ${this.info.client})`));
        this.consume(r.length);
        const wanted = this.server.requiresAuth ? METHOD_USERPASS : METHOD_NO_AUTH;
        if (!r.methods.includes(wanted)) {
          client.write(encodeMethodSelection(METHOD_NONE_ACCEPTABLE));
          const message = this.server.requiresAuth
            ? `SOCKS client ${this.info.client} did not offer username/password authentication, which this proxy requires — set a username and password in the client`
            : `SOCKS client ${this.info.client} insists on authentication, but this proxy has none configured — connect without credentials`;
          if (this.server.requiresAuth) this.refuseAuth(message);
          else this.reject(new EngineError('INTERNAL', message));
          return false;
        }
        client.write(encodeMethodSelection(wanted));
        this.phase = wanted === METHOD_USERPASS ? 'auth' : 'request';
        return true;
      }
      case 'auth': {
        const r = parseUserPass(this.pending);
        if (r.kind === 'incomplete') return false;
        if (r.kind === 'error') {
          client.write(encodeUserPassReply(false));
          return this.reject(new EngineError('INTERNAL', `${r.message} (from ${this.info.client})`));
        }
        this.consume(r.length);
        if (!this.server.checkCredentials(r.username, r.password)) {
          client.write(encodeUserPassReply(false));
          this.refuseAuth(`SOCKS client ${this.info.client} gave a wrong username or password`);
          return false;
        }
        client.write(encodeUserPassReply(true));
        this.phase = 'request';
        return true;
      }
      case 'request': {
        const r = parseRequest(this.pending);
        if (r.kind === 'incomplete') return false;
        if (r.kind === 'error') {
          if (r.reply !== undefined) client.write(encodeReply(r.reply));
          return this.reject(new EngineError('INTERNAL', `${r.message} (from ${this.info.client})`));
        }
        this.consume(r.length);
        const where = formatHostPort(r.destination.host, r.destination.port);
        if (r.command !== CMD_CONNECT) {
          client.write(encodeReply(Reply.COMMAND_NOT_SUPPORTED));
          const msg = `SOCKS client ${this.info.client} asked for ${commandName(r.command)} to ${where}; only CONNECT is supported`;
          return this.reject(new EngineError('INTERNAL', msg), where);
        }
        this.startDial(r.destination, where);
        return false;
      }
      case 'connecting':
        // Early data, kept for the destination; past a bound, let TCP flow control hold the rest.
        if (this.pending.length >= MAX_EARLY_DATA) client.pause();
        return false;
      default:
        // After a refusal: whatever else the client sends is read and dropped until it goes away.
        this.pending = Buffer.alloc(0);
        return false;
    }
  }

  private consume(n: number): void {
    this.pending = this.pending.subarray(n);
  }

  private startDial(dest: SocksDestination, where: string): void {
    const { client, server } = this;
    this.clearTimer();
    this.phase = 'connecting';
    this.dest = dest;
    this.info.destination = where;
    // The client stays read while the dial runs, so a reset or FIN from it is seen at once (a paused
    // socket notices neither). What it sends meanwhile joins `pending`, which goes to the destination first.
    this.opened = true;
    server.emit('connection-open', { ...this.info });
    let dialing: Promise<Duplex>;
    try {
      dialing = server.dial(dest, { address: this.remote, port: client.remotePort ?? 0 }, this.dialAbort.signal);
    } catch (err) {
      dialing = Promise.reject(err);
    }
    this.upstreamClosed = false;
    this.dialPending = true;
    dialing.then(
      (stream) => this.onDialed(stream),
      (err: unknown) => this.onDialFailed(err),
    );
  }

  private onDialFailed(err: unknown): void {
    const dest = this.dest!;
    const error = err instanceof EngineError ? err : connectError(err, dest.host, dest.port);
    this.dialPending = false;
    this.upstreamClosed = true;
    if (this.clientClosed || this.destroyed) {
      // Cancelled because the client left or the server is stopping: not a failure of the destination.
      this.finish();
      return;
    }
    this.client.end(encodeReply(replyForError(error.code, errnoCode(error.cause))));
    this.fail(error);
    // The reply is on its way with a FIN; the client's own FIN (or the linger timer) closes the socket.
    this.client.resume();
    this.linger();
  }

  private onDialed(stream: Duplex): void {
    const { client } = this;
    this.dialPending = false;
    this.upstream = stream;
    if (this.clientClosed || this.destroyed) {
      // The client left while this dialer (which ignored the abort signal) was still connecting.
      stream.on('error', () => undefined);
      abort(stream);
      return;
    }
    stream.on('error', (err) => {
      const dest = this.dest!;
      this.fail(err instanceof EngineError ? err : connectError(err, dest.host, dest.port));
      this.destroy();
    });
    stream.once('close', () => this.onUpstreamClose(stream));
    this.phase = 'spliced';
    const bound = stream instanceof net.Socket && stream.localAddress ? { address: stream.localAddress, port: stream.localPort ?? 0 } : undefined;
    client.write(encodeReply(Reply.SUCCEEDED, bound));
    client.removeListener('data', this.onHandshakeData);
    if (this.pending.length > 0) {
      this.count('in', this.pending.length);
      stream.write(this.pending);
      this.pending = Buffer.alloc(0);
    }
    // A client that already sent its FIN during the dial gets it passed on now, after its data.
    if (client.readableEnded) stream.end();
    else pump(client, stream, (n) => this.count('in', n));
    pump(stream, client, (n) => this.count('out', n));
    client.resume();
  }

  private count(direction: 'in' | 'out', n: number): void {
    const meter = this.server.meter;
    if (direction === 'in') {
      this.bytesIn += n;
      meter.bytesIn += n;
    } else {
      this.bytesOut += n;
      meter.bytesOut += n;
    }
  }

  /** Ends the handshake with an error: the client is closed after whatever reply was written. */
  private reject(error: EngineError, destination?: string): false {
    this.phase = 'done';
    this.server.emit('connection-error', { client: this.info.client, ...(destination ? { destination } : {}), error });
    this.client.end();
    this.linger();
    return false;
  }

  /** After a refusal the FIN is sent; a client that never closes its side is reset when the timer fires. */
  private linger(): void {
    this.timer ??= setTimeout(() => this.onTimeout(), this.timeoutMs);
  }

  private refuseAuth(message: string): void {
    this.reject(new EngineError('AUTH_FAILED', message));
    this.server.emit('connection-refused', { client: this.info.client, reason: 'auth-failed' });
  }

  private fail(error: EngineError): void {
    if (this.errored) return;
    this.errored = true;
    this.phase = 'done';
    this.server.emit('connection-error', { client: this.info.client, destination: this.info.destination, error });
  }

  private onTimeout(): void {
    this.timer = undefined;
    if (this.phase !== 'done') {
      this.phase = 'done';
      const msg = `SOCKS client ${this.info.client} did not finish the SOCKS5 handshake within ${this.timeoutMs} ms — dropped it`;
      this.server.emit('connection-error', { client: this.info.client, error: new EngineError('INTERNAL', msg) });
    }
    abort(this.client);
  }

  private onClientClose(): void {
    this.clientClosed = true;
    this.clearTimer();
    this.dialAbort.abort();
    // Don't wait on a dialer that ignores the abort: a stream it yields later is destroyed on arrival.
    if (this.dialPending) this.upstreamClosed = true;
    const { client, upstream } = this;
    // A client that finished both directions leaves the upstream to flush and finish on its own.
    if (upstream && !(client.readableEnded && client.writableFinished)) abort(upstream);
    this.finish();
  }

  private onUpstreamClose(stream: Duplex): void {
    this.upstreamClosed = true;
    if (!(stream.readableEnded && stream.writableFinished)) abort(this.client);
    this.finish();
  }

  private finish(): void {
    if (this.clientClosed && this.upstreamClosed) this.server.sessionClosed(this, this.opened);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}

/** Copies src → dst with backpressure and passes the FIN on (forward-connection's pump, for any Duplex). */
function pump(src: Duplex, dst: Duplex, count: (n: number) => void): void {
  src.on('data', (chunk: Buffer) => {
    count(chunk.length);
    if (!dst.write(chunk)) src.pause();
  });
  dst.on('drain', () => src.resume());
  src.once('end', () => dst.end());
}

function abort(stream: Duplex): void {
  if (stream.destroyed) return;
  // resetAndDestroy() on a socket still connecting would wait for the connect; just drop it instead.
  if (stream instanceof net.Socket && !stream.connecting) stream.resetAndDestroy();
  else stream.destroy();
}

function digest(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** Dual-stack listeners report IPv4 clients as ::ffff:a.b.c.d; people know them as a.b.c.d. */
function plainAddress(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
