import dgram from 'node:dgram';
import type { RemoteInfo, Socket as UdpSocket } from 'node:dgram';
import dns from 'node:dns';
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import { formatHostPort } from '../../src-shared/format/address';
import { plainAddress } from './client-address';
import { EngineError, listenError } from './engine-error';
import { UdpMeter, UdpSession, setBufferSizes } from './udp-session';
import type { UdpSessionHooks, UdpSessionInfo } from './udp-session';

export { UdpMeter } from './udp-session';
export type { UdpMeterSnapshot, UdpSessionInfo } from './udp-session';

export interface UdpForwardOptions {
  /** Port 0 lets the OS pick one (start() resolves with it). '::' listens dual-stack. */
  listen: { host: string; port: number };
  /** An IP literal or a DNS name, resolved once per new session. */
  target: { host: string; port: number };
  /** A session with no datagram either way for this long is closed. Default 60 000 ms. */
  idleTimeoutMs?: number;
  /** Beyond this many live sessions, new clients' datagrams are dropped. Default 1 000. */
  maxSessions?: number;
  /** Source filter, checked before any upstream socket exists; false → the datagram is dropped. */
  allow?: (clientAddress: string) => boolean;
}

export type UdpCloseReason = 'idle' | 'stopped' | 'error' | 'closed';

export interface UdpSessionCounters {
  bytesIn: number;
  bytesOut: number;
  packetsIn: number;
  packetsOut: number;
}

export type LiveUdpSession = UdpSessionInfo & UdpSessionCounters & { lastActivity: number };

export interface UdpForwarderEvents {
  'session-open': [UdpSessionInfo];
  'session-close': [UdpSessionInfo & UdpSessionCounters & { durationMs: number; reason: UdpCloseReason }];
  /** One session failed (target unreachable, DNS); it is closed with reason 'error' right after. */
  'session-error': [UdpSessionInfo & { error: EngineError }];
  /** Emitted per dropped datagram; throttle before logging. */
  'session-refused': [{ client: string; reason: 'max-sessions' | 'not-allowed' }];
  /** The listening socket failed after start() resolved (rare). */
  'listener-error': [EngineError];
}

const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_SESSIONS = 1_000;
const MAX_SWEEP_INTERVAL_MS = 5_000;

type State = 'idle' | 'starting' | 'listening' | 'stopping';

/**
 * A UDP port mapping: datagrams to listen host:port are relayed to target host:port through one
 * upstream socket per client address:port, and replies go back to that client from the listen port.
 * Idle sessions are expired by one periodic sweep. Every 'session-open' is followed by exactly one
 * 'session-close'.
 */
export class UdpForwarder extends EventEmitter<UdpForwarderEvents> {
  readonly meter = new UdpMeter();
  private readonly idleTimeoutMs: number;
  private readonly maxSessions: number;
  /** client address → client port → session: no per-datagram key string to build. */
  private readonly byClient = new Map<string, Map<number, UdpSession>>();
  private readonly byId = new Map<number, UdpSession>();
  private readonly closing = new Set<Promise<void>>();
  private readonly onFailure: UdpSessionHooks['onFailure'];
  private hooks: UdpSessionHooks | undefined;
  private listener: UdpSocket | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private state: State = 'idle';
  private starting: Promise<unknown> | undefined;
  private stopping: Promise<void> | undefined;
  private nextId = 0;

  constructor(private readonly opts: UdpForwardOptions) {
    super();
    this.idleTimeoutMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.maxSessions = opts.maxSessions ?? DEFAULT_MAX_SESSIONS;
    if (!(this.idleTimeoutMs > 0)) throw new RangeError(`idleTimeoutMs must be positive, got ${this.idleTimeoutMs}`);
    if (!(this.maxSessions >= 1)) throw new RangeError(`maxSessions must be at least 1, got ${this.maxSessions}`);
    this.onFailure = (session, error) => {
      if (!this.byId.has(session.info.id)) return;
      this.emit('session-error', { ...session.info, error });
      this.end(session, 'error');
    };
  }

  get sessionCount(): number {
    return this.byId.size;
  }

  /** Resolves with the bound address once listening; rejects with an EngineError and then holds no socket. */
  start(): Promise<{ host: string; port: number }> {
    if (this.state !== 'idle') {
      const where = formatHostPort(this.opts.listen.host, this.opts.listen.port);
      return Promise.reject(new EngineError('INTERNAL', `The UDP forwarder on ${where} is already ${this.state} — stop it first`));
    }
    this.state = 'starting';
    this.stopping = undefined;
    const started = this.listen().catch((err: unknown) => {
      this.state = 'idle';
      throw err;
    });
    this.starting = started;
    return started;
  }

  /** Closes the listening socket and every upstream socket; resolves when all have closed. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  /** The live sessions with their counters (for a connections table). */
  sessions(): LiveUdpSession[] {
    return [...this.byId.values()].map((s) => ({
      ...s.info,
      bytesIn: s.bytesIn,
      bytesOut: s.bytesOut,
      packetsIn: s.packetsIn,
      packetsOut: s.packetsOut,
      lastActivity: s.lastActivity,
    }));
  }

  /** Ends one session (reason 'closed'); false if no such session is live. */
  closeSession(id: number): boolean {
    const session = this.byId.get(id);
    if (session === undefined) return false;
    this.end(session, 'closed');
    return true;
  }

  private async listen(): Promise<{ host: string; port: number }> {
    const { host, port } = this.opts.listen;
    let address = host;
    let family = isIP(host);
    if (family === 0) {
      try {
        ({ address, family } = await dns.promises.lookup(host));
      } catch (err) {
        throw listenError(err, host, port);
      }
    }
    // The listener only ever sends to addresses it received from, all IP literals: answering its
    // lookups synchronously spares dgram a dns.lookup() and a nextTick per reply.
    const socket = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', lookup: literalLookup });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        socket.removeListener('listening', onListening);
        // dgram leaves the handle of a failed bind open; close it so a failed start holds nothing.
        socket.close(() => reject(listenError(err, host, port)));
      };
      const onListening = (): void => {
        socket.removeListener('error', onError);
        resolve();
      };
      socket.once('error', onError);
      socket.once('listening', onListening);
      socket.bind({ address, port, exclusive: true });
    });
    socket.on('error', (err) => this.emit('listener-error', listenError(err, host, port)));
    setBufferSizes(socket);
    this.listener = socket;
    this.hooks = { meter: this.meter, listener: socket, onFailure: this.onFailure };
    socket.on('message', (msg, rinfo) => this.onDatagram(socket, msg, rinfo));
    const interval = Math.max(10, Math.min(this.idleTimeoutMs / 4, MAX_SWEEP_INTERVAL_MS));
    this.sweepTimer = setInterval(() => this.sweep(), interval).unref();
    this.state = 'listening';
    const bound = socket.address();
    return { host: bound.address, port: bound.port };
  }

  private async doStop(): Promise<void> {
    // A bind still resolving its host cannot be cancelled; let it settle, then close what it made.
    if (this.state === 'starting') await this.starting?.catch(() => undefined);
    const listener = this.listener;
    this.listener = undefined;
    this.hooks = undefined;
    if (listener !== undefined) this.state = 'stopping';
    if (this.sweepTimer !== undefined) {
      clearInterval(this.sweepTimer);
      this.sweepTimer = undefined;
    }
    for (const session of this.byId.values()) this.end(session, 'stopped');
    const waits = [...this.closing];
    if (listener !== undefined) waits.push(new Promise<void>((resolve) => listener.close(() => resolve())));
    await Promise.all(waits);
    this.state = 'idle';
  }

  private onDatagram(listener: UdpSocket, msg: Buffer, rinfo: RemoteInfo): void {
    if (this.listener !== listener) return;
    const now = Date.now();
    const session = this.byClient.get(rinfo.address)?.get(rinfo.port) ?? this.admit(rinfo, now);
    session?.fromClient(msg, now);
  }

  /** A datagram from a client with no session: check the filter and the limit, then open one. */
  private admit(rinfo: RemoteInfo, now: number): UdpSession | undefined {
    const hooks = this.hooks;
    if (hooks === undefined) return undefined;
    const address = plainAddress(rinfo.address);
    const { allow } = this.opts;
    if (allow !== undefined && !isAllowed(allow, address)) {
      this.refuse(address, rinfo.port, 'not-allowed');
      return undefined;
    }
    if (this.byId.size >= this.maxSessions) {
      this.refuse(address, rinfo.port, 'max-sessions');
      return undefined;
    }
    const info: UdpSessionInfo = { id: ++this.nextId, client: formatHostPort(address, rinfo.port), openedAt: now };
    const session = new UdpSession(info, rinfo.address, rinfo.port, this.opts.target, hooks);
    let ports = this.byClient.get(rinfo.address);
    if (ports === undefined) {
      ports = new Map();
      this.byClient.set(rinfo.address, ports);
    }
    ports.set(rinfo.port, session);
    this.byId.set(info.id, session);
    this.meter.activeConnections += 1;
    this.meter.totalConnections += 1;
    this.emit('session-open', info);
    // A listener of 'session-open' may have stopped the forwarder or closed this session already.
    if (this.byId.get(info.id) !== session) return undefined;
    session.open();
    return session;
  }

  private refuse(address: string, port: number, reason: 'max-sessions' | 'not-allowed'): void {
    this.meter.refused += 1;
    this.emit('session-refused', { client: formatHostPort(address, port), reason });
  }

  /** Forgets a session, closes its socket and emits 'session-close' (once per session). */
  private end(session: UdpSession, reason: UdpCloseReason): void {
    const { info } = session;
    if (!this.byId.delete(info.id)) return;
    const ports = this.byClient.get(session.clientAddress);
    if (ports?.get(session.clientPort) === session) {
      ports.delete(session.clientPort);
      if (ports.size === 0) this.byClient.delete(session.clientAddress);
    }
    this.meter.activeConnections -= 1;
    const closing = session.close();
    this.closing.add(closing);
    void closing.then(() => this.closing.delete(closing));
    this.emit('session-close', {
      ...info,
      bytesIn: session.bytesIn,
      bytesOut: session.bytesOut,
      packetsIn: session.packetsIn,
      packetsOut: session.packetsOut,
      durationMs: Date.now() - info.openedAt,
      reason,
    });
  }

  private sweep(): void {
    const now = Date.now();
    for (const session of this.byId.values()) {
      if (now - session.lastActivity >= this.idleTimeoutMs) this.end(session, 'idle');
    }
  }
}

function isAllowed(allow: (clientAddress: string) => boolean, address: string): boolean {
  try {
    return allow(address);
  } catch {
    // A filter that throws must not let traffic through (or take the listener down).
    return false;
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/** dgram's lookup hook: IP literals answer at once (dgram supports a synchronous answer); names go to DNS. */
function literalLookup(hostname: string, options: dns.LookupOneOptions, callback: LookupCallback): void {
  const family = isIP(hostname);
  if (family !== 0) callback(null, hostname, family);
  else dns.lookup(hostname, options, callback);
}
