import { EventEmitter } from 'node:events';
import net, { isIP } from 'node:net';
import type { Server, Socket } from 'node:net';
import { formatHostPort } from '../../src-shared/format/address';
import { ByteMeter } from './byte-meter';
import { EngineError } from './engine-error';
import { listenOn } from './listen';
import { ForwardConnection, closedConnection } from './forward-connection';
import type { ClosedConnection, ConnectionInfo, ConnectionState, ForwardTarget, LookupAll, Spliced, SplicedHooks } from './forward-connection';
import { proxyHeaderV1, proxyHeaderV2 } from './proxy-protocol';
import { RawConnection } from './raw-connection';
import { handlePeer, plainAddress } from './client-address';
import { closeHandle, RawAccepts, rawTcp } from './raw-tcp';
import type { RawHandle, RawTcp } from './raw-tcp';
import type { TapFactory } from './stream-tap';

export type { ConnectionInfo } from './forward-connection';

export interface TcpForwardOptions {
  /** Port 0 lets the OS pick one (start() resolves with it). */
  listen: { host: string; port: number };
  target: { host: string; port: number };
  /** Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** Source filter, checked before the target is dialled; false → the client is reset. */
  allow?: (clientAddress: string) => boolean;
  /** 0 or unset: no limit. Beyond it new clients are reset. */
  maxConnections?: number;
  /** Close connections idle (no bytes either way) this long; 0 or unset: never. */
  idleTimeoutMs?: number;
  /** TCP keepalive on both sockets (default on). */
  keepAlive?: boolean;
  /** Send a PROXY protocol header to the target. */
  proxyProtocol?: 'v1' | 'v2';
  /** Observes each connection's bytes (the HTTP inspector); absent: nothing extra on the data path. */
  tap?: TapFactory;
  /** Resolves the target's name (for tests); default dns.lookup. */
  lookup?: LookupAll;
  /**
   * Splice connections on Node's raw TCP handles where this Node has them (raw-tcp.ts; default true):
   * with no tap. false: always net.Socket.
   */
  rawHandles?: boolean;
}

export interface LiveConnection extends ConnectionInfo {
  bytesIn: number;
  bytesOut: number;
  state: ConnectionState;
}

export type RefusalReason = 'not-allowed' | 'max-connections';

export interface TcpForwarderEvents {
  'connection-open': [ConnectionInfo];
  'connection-close': [ClosedConnection];
  /** One connection failed (e.g. the target refused it); the listener stays up. Precedes its 'connection-close'. */
  'connection-error': [ConnectionInfo & { error: EngineError }];
  /** The listening socket failed after start() resolved (rare). */
  'listener-error': [EngineError];
  /** A client was turned away before the target was dialled. */
  'connection-refused': [{ client: string; reason: RefusalReason }];
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
// Long-lived idle tunnels (SSH sessions, databases) otherwise never notice a peer that vanished.
const KEEPALIVE_MS = 60_000;

type State = 'idle' | 'starting' | 'listening' | 'stopping';

/**
 * A TCP port mapping: accepts on listen host:port and splices each client to a fresh connection to
 * target host:port. Every 'connection-open' is followed by exactly one 'connection-close'.
 */
export class TcpForwarder extends EventEmitter<TcpForwarderEvents> {
  readonly meter = new ByteMeter();
  private readonly target: ForwardTarget;
  private readonly live = new Set<Spliced>();
  private readonly hooks: SplicedHooks;
  /** Node's TCP handles, when this forwarder splices on them (see TcpForwardOptions.rawHandles). */
  private readonly raw: RawTcp | undefined;
  private server: Server | undefined;
  private state: State = 'idle';
  private starting: Promise<unknown> | undefined;
  private stopping: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];
  private nextId = 0;

  constructor(private readonly opts: TcpForwardOptions) {
    super();
    this.target = {
      host: opts.target.host,
      port: opts.target.port,
      family: isIP(opts.target.host),
      ...(opts.lookup ? { lookup: opts.lookup } : {}),
      connectTimeoutMs: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      keepAliveMs: opts.keepAlive === false ? 0 : KEEPALIVE_MS,
      idleTimeoutMs: opts.idleTimeoutMs ?? 0,
    };
    if (opts.proxyProtocol) {
      const build = opts.proxyProtocol === 'v2' ? proxyHeaderV2 : proxyHeaderV1;
      this.target.header = (client) =>
        build({
          srcAddress: client.remoteAddress ?? '',
          srcPort: client.remotePort ?? 0,
          dstAddress: client.localAddress ?? '',
          dstPort: client.localPort ?? 0,
        });
    }
    this.hooks = {
      onError: (conn, error) => this.emit('connection-error', { id: conn.info.id, client: conn.info.client, openedAt: conn.info.openedAt, error }),
      onClose: (conn) => this.onConnectionClose(conn),
    };
    const plain = opts.rawHandles !== false && !opts.tap;
    this.raw = plain ? rawTcp() : undefined;
  }

  /** Whether connections are spliced on raw TCP handles (else net.Socket); known once started. */
  get usesRawHandles(): boolean {
    return this.rawAccepts?.taken ?? false;
  }

  /** This start's listener, when its accepts are raw handles. */
  private rawAccepts: RawAccepts | undefined;

  get connectionCount(): number {
    return this.live.size;
  }

  /** The open connections with their live counters (for a connections table). */
  connections(): LiveConnection[] {
    return [...this.live].map((c) => ({ ...c.info, bytesIn: c.bytesIn, bytesOut: c.bytesOut, state: c.state }));
  }

  /** Aborts one connection (both sides); false if it is not open. */
  closeConnection(id: number): boolean {
    for (const c of this.live) {
      if (c.info.id === id) {
        c.destroy();
        return true;
      }
    }
    return false;
  }

  /** Resolves with the bound address once listening; rejects with an EngineError and then holds no socket. */
  start(): Promise<{ host: string; port: number }> {
    const { host, port } = this.opts.listen;
    if (this.state !== 'idle') {
      const where = formatHostPort(host, port);
      return Promise.reject(new EngineError('INTERNAL', `The forwarder on ${where} is already ${this.state} — stop it first`));
    }
    this.state = 'starting';
    this.stopping = undefined;
    this.rawAccepts = undefined;
    const server = net.createServer({
      allowHalfOpen: true,
      pauseOnConnect: true,
      noDelay: true,
      keepAlive: this.opts.keepAlive !== false,
      keepAliveInitialDelay: KEEPALIVE_MS,
    });
    this.server = server;
    server.on('connection', (socket) => this.accept(server, socket));
    const raw = this.raw;
    if (raw) this.rawAccepts = new RawAccepts(server, this.target.keepAliveMs, (handle) => this.acceptHandle(server, raw, handle));
    const started = listenOn(server, host, port, (e) => this.emit('listener-error', e)).then(
      (bound) => {
        this.state = 'listening';
        return bound;
      },
      (err: unknown) => {
        // Node has already closed the handle of a server whose listen() failed; drop our reference too.
        this.server = undefined;
        this.state = 'idle';
        throw err;
      },
    );
    this.starting = started;
    return started;
  }

  /** Closes the listener and destroys every open connection (both sides); resolves when all are closed. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    // A listen() still resolving its host cannot be cancelled in Node (the lookup callback would bind
    // anyway), so let it settle and then close whatever it produced.
    if (this.state === 'starting') await this.starting?.catch(() => undefined);
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) this.state = 'stopping';
    const serverClosed = new Promise<void>((resolve) => {
      if (server === undefined) resolve();
      else server.close(() => resolve());
    });
    for (const conn of this.live) conn.destroy();
    this.stopIdleSweep();
    await Promise.all([serverClosed, this.whenIdle()]);
    this.state = 'idle';
  }

  private accept(server: Server, socket: Socket): void {
    if (this.server !== server) {
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    const remote = plainAddress(socket.remoteAddress);
    const client = formatHostPort(remote, socket.remotePort ?? 0);
    if (this.refuses(remote, client)) {
      socket.on('error', () => undefined);
      socket.resetAndDestroy();
      return;
    }
    const info: ConnectionInfo = { id: ++this.nextId, client, openedAt: Date.now() };
    this.opened(new ForwardConnection(info, socket, this.target, this.meter, this.hooks, this.opts.tap?.(info)));
  }

  /** accept() on the raw path: the accepted connection's handle, no net.Socket made for it. */
  private acceptHandle(server: Server, raw: RawTcp, handle: RawHandle): void {
    if (this.server !== server) {
      handle.close();
      return;
    }
    const { peer, remote, client } = handlePeer(handle);
    if (this.refuses(remote, client)) {
      closeHandle(handle, true);
      return;
    }
    // What net.Server sets on the sockets it accepts (createServer's noDelay and keepAlive).
    this.rawAccepts?.setOptions(handle);
    const info: ConnectionInfo = { id: ++this.nextId, client, openedAt: Date.now() };
    this.opened(new RawConnection(info, raw, handle, this.target, this.meter, this.hooks, peer));
    const idleMs = this.target.idleTimeoutMs;
    if (idleMs > 0) this.idleSweep ??= setInterval(() => this.sweepIdle(idleMs), Math.max(50, Math.min(idleMs / 10, 1000)));
  }

  /**
   * The idle timeout on the raw path (net.Socket's inactivity timer on the other): every tenth of it
   * (50 ms to 1 s), connections whose counters have not moved for idleTimeoutMs are closed — never
   * sooner, at most ~two sweeps later, on the monotonic clock (a wall-clock step closes nothing). Runs
   * while the forwarder has connections (onConnectionClose stops it with the last).
   */
  private idleSweep: NodeJS.Timeout | undefined;

  private sweepIdle(idleMs: number): void {
    const now = performance.now();
    for (const conn of this.live) {
      if (conn instanceof RawConnection && conn.idleFor(now) >= idleMs) conn.destroy();
    }
  }

  private stopIdleSweep(): void {
    if (this.idleSweep !== undefined) {
      clearInterval(this.idleSweep);
      this.idleSweep = undefined;
    }
  }

  /** The source filter and the connection cap: true (and 'connection-refused' emitted) turns the client away. */
  private refuses(remote: string, client: string): boolean {
    const { allow, maxConnections } = this.opts;
    const reason: RefusalReason | undefined =
      allow && !allow(remote) ? 'not-allowed' : maxConnections && this.live.size >= maxConnections ? 'max-connections' : undefined;
    if (reason) this.emit('connection-refused', { client, reason });
    return reason !== undefined;
  }

  private opened(conn: Spliced): void {
    this.live.add(conn);
    this.meter.activeConnections += 1;
    this.meter.totalConnections += 1;
    this.emit('connection-open', conn.info);
    conn.connect();
  }

  private onConnectionClose(conn: Spliced): void {
    if (!this.live.delete(conn)) return;
    this.meter.activeConnections -= 1;
    this.emit('connection-close', closedConnection(conn));
    if (this.live.size === 0) this.stopIdleSweep();
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
