import { createHash, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { Server, Socket } from 'node:net';
import { formatHostPort } from '../../src-shared/format/address';
import { ByteMeter } from './byte-meter';
import { EngineError } from './engine-error';
import { listenOn } from './listen';
import { handlePeer, plainAddress } from './client-address';
import { closeHandle, RawAccepts, rawTcp } from './raw-tcp';
import type { RawHandle, RawTcp } from './raw-tcp';
import { KEEPALIVE_MS, directConnectTimeout, type SocksDialer } from './socks5-dialer';
import { RawSocksSession } from './socks5-raw-session';
import { SocksSession } from './socks5-session';

export type { SocksDestination } from './socks5-protocol';
export { type SocksDialer, directDialer } from './socks5-dialer';

const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

export interface Socks5ServerOptions {
  /** Port 0 lets the OS pick one (start() resolves with it). */
  listen: { host: string; port: number };
  dial: SocksDialer;
  /**
   * RFC 1929; when set, method 0x02 is required (a client offering only no-auth gets 0xFF). A username
   * without a password makes the constructor throw SOCKS_PASSWORD_MISSING: such a server must not exist,
   * since the only way to run it would be without authentication.
   */
  auth?: { username: string; password?: string | undefined };
  /** Source filter before the handshake; false → the client is reset. */
  allow?: (clientAddress: string) => boolean;
  /** 0 or unset: no limit. Counts connections still in their handshake too. */
  maxConnections?: number;
  /** A client must finish greeting (+ auth) + request within this long; default 10 000 ms. */
  handshakeTimeoutMs?: number;
  /**
   * With a directDialer, serve clients on Node's raw TCP handles where this Node has them (raw-tcp.ts,
   * as TcpForwarder does; default true). Any other dialer (ssh-dynamic's) gets net.Socket streams.
   */
  rawHandles?: boolean;
}

/** One client, on either path (socks5-session.ts on net.Socket, socks5-raw-session.ts on a raw handle). */
export interface SocksClientSession {
  readonly info: SocksConnectionInfo;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly state: SocksConnectionState;
  destroy(): void;
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

/**
 * A SOCKS5 server (RFC 1928 CONNECT, RFC 1929 username/password) for the `socks` rule (direct dialer)
 * and `ssh-dynamic` (a dialer through SSH). After the handshake each connection is spliced like
 * tcp-forward's: backpressure per direction, FIN passed on with end(), any error or premature close
 * aborts the other side with a RST.
 */
export class Socks5Server extends EventEmitter<Socks5ServerEvents> {
  /** bytesIn = client → destination, bytesOut = destination → client. */
  readonly meter = new ByteMeter();
  private readonly live = new Set<SocksClientSession>();
  private readonly credentials: { username: Buffer; password: Buffer } | undefined;
  private server: Server | undefined;
  private listening = false;
  private stopping: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];
  private nextId = 0;
  /** Node's TCP handles and the connect timeout, when this server dials for itself on them. */
  private readonly raw: { tcp: RawTcp; connectTimeoutMs: number } | undefined;
  /** This start's listener, when its accepts are raw handles. */
  private rawAccepts: RawAccepts | undefined;

  constructor(private readonly opts: Socks5ServerOptions) {
    super();
    if (opts.auth) this.credentials = credentialsOf(opts.auth, formatHostPort(opts.listen.host, opts.listen.port));
    const connectTimeoutMs = opts.rawHandles === false ? undefined : directConnectTimeout(opts.dial);
    const tcp = connectTimeoutMs === undefined ? undefined : rawTcp();
    this.raw = tcp && connectTimeoutMs !== undefined ? { tcp, connectTimeoutMs } : undefined;
  }

  /** Whether clients are served on raw TCP handles (else net.Socket); known once started. */
  get usesRawHandles(): boolean {
    return this.rawAccepts?.taken ?? false;
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
    const raw = this.raw;
    this.rawAccepts = raw ? new RawAccepts(server, KEEPALIVE_MS, (handle) => this.acceptHandle(server, raw, handle)) : undefined;
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
    const reason = this.refusal(remote);
    if (reason) {
      socket.resetAndDestroy();
      this.emit('connection-refused', { client, reason });
      return;
    }
    this.opened(new SocksSession(this, socket, { id: ++this.nextId, client, destination: '', openedAt: Date.now() }, remote));
  }

  /** accept() on the raw path: the client's handle, no net.Socket made for it. */
  private acceptHandle(server: Server, raw: { tcp: RawTcp; connectTimeoutMs: number }, handle: RawHandle): void {
    if (this.server !== server) {
      handle.close();
      return;
    }
    const { peer, remote, client } = handlePeer(handle);
    const reason = this.refusal(remote);
    if (reason) {
      closeHandle(handle, true);
      this.emit('connection-refused', { client, reason });
      return;
    }
    // What net.Server sets on the sockets it accepts.
    this.rawAccepts?.setOptions(handle);
    const session = new RawSocksSession(this, raw.tcp, handle, { id: ++this.nextId, client, destination: '', openedAt: Date.now() }, peer, raw.connectTimeoutMs);
    this.opened(session);
    session.start();
  }

  /** The source filter and the connection limit: why a client is turned away, if it is. */
  private refusal(remote: string): SocksRefusalReason | undefined {
    const { allow, maxConnections } = this.opts;
    return allow && !allow(remote) ? 'not-allowed' : maxConnections && this.live.size >= maxConnections ? 'max-connections' : undefined;
  }

  private opened(session: SocksClientSession): void {
    this.live.add(session);
    this.meter.activeConnections += 1;
    this.meter.totalConnections += 1;
  }

  /** @internal Constant-time credential check (both compared, digests make the lengths equal). */
  checkCredentials(username: Uint8Array, password: Uint8Array): boolean {
    const c = this.credentials;
    // Unreachable while the session asks for 0x02 only when credentials exist; fail closed regardless.
    if (!c) return false;
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
  sessionClosed(session: SocksClientSession, opened: boolean): void {
    if (!this.live.delete(session)) return;
    this.meter.activeConnections -= 1;
    if (opened) {
      // Field by field, not `{ ...info }`: see closedConnection.
      const { id, client, destination, openedAt } = session.info;
      this.emit('connection-close', { id, client, destination, openedAt, bytesIn: session.bytesIn, bytesOut: session.bytesOut, durationMs: Date.now() - openedAt });
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

/** RFC 1929 fields are 1–255 bytes: an empty or missing one cannot be checked, so it is refused here. */
function credentialsOf(auth: { username: string; password?: string | undefined }, where: string): { username: Buffer; password: Buffer } {
  const user = Buffer.from(typeof auth.username === 'string' ? auth.username : '');
  const pass = Buffer.from(typeof auth.password === 'string' ? auth.password : '');
  if (user.length === 0 || pass.length === 0) {
    throw new EngineError(
      'SOCKS_PASSWORD_MISSING',
      `The SOCKS server on ${where} was given ${user.length === 0 ? 'an empty username' : `user ${auth.username} without a password`} — ` +
        'give both a username and a password, or neither to run without authentication',
    );
  }
  return { username: digest(user), password: digest(pass) };
}

function digest(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}
