import { EventEmitter } from 'node:events';
import { constants as h2c, type IncomingHttpHeaders, performServerHandshake, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import { connect as netConnect, type Socket } from 'node:net';
import { createSecureContext, type SecureContext, connect as tlsConnect, TLSSocket } from 'node:tls';
import { formatHostPort } from '../../src-shared/format/address';
import { type LineLog, said } from '../../src-shared/model/log-text';
import type { RuleErrorCode } from '../../src-shared/model/errors';
import { MIN_TOKEN_LENGTH, TOKEN_HOW_TO, tokenTooShort } from '../../src-shared/model/relay-token';
import { type BackoffOptions, RetrySchedule } from '../engine/backoff';
import type { TapFactory } from '../engine/stream-tap';
import { connectError, connectTimeout, EngineError, errnoCode } from '../engine/engine-error';
import type { DataPlane } from '../dataplane/data-plane';
import type { AgentSessionSpec, AgentStats } from '../dataplane/protocol';
import type { DataPlaneStoppedError } from '../dataplane/stopped-error';
import { AgentDataRoute } from './agent-data-route';
import { dataConnsFor, openServed } from './agent-data-serve';
import { MAX_FRAME, SESSION_WINDOW, STREAM_WINDOW } from './h2-windows';
import { Exposure, type ExposureSpec } from './exposure';
import { DATA_CAPABILITY, H_DATA } from './data-protocol';
import { HandshakeError, agentHandshake } from './handshake';
import {
  type AgentMessage,
  encodeLine,
  H_EXPOSURE,
  H_PEER,
  LineSplitter,
  PATH_CONTROL,
  PATH_TCP,
  PATH_UDP,
  parseLine,
  type RelayMessage,
  checkRelayMessage,
} from './protocol';
import { splice } from './splice';
import { TLS_CIPHERSUITES } from './tls-suites';
import { UdpPeers } from './udp-peers';
import { normalizeFingerprint } from '../../src-shared/format/fingerprint';

export type RelayAgentState = 'connecting' | 'ready' | 'retrying' | 'failed' | 'closed';

export interface RelayAgentOptions {
  relay: { host: string; port: number };
  agent: string;
  token: string;
  /**
   * Why the saved token cannot be used (say, it was encrypted by the desktop app's keyring): every
   * attempt then fails at once with AUTH_FAILED naming it, and the relay is never dialled.
   */
  tokenProblem?: string;
  /** TLS (default). false = plain TCP, an explicit insecure choice. */
  tls?: boolean;
  /** The relay certificate's SHA-256 fingerprint, when given; else the pin store decides (trust on first use). */
  fingerprint?: string;
  pins?: PinStore;
  /** Accept ports the relay's own config assigns to this agent's name (port-proxy's model). */
  acceptAssigned?: boolean;
  connectTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  heartbeatTimeoutMs?: number;
  backoff?: BackoffOptions;
  software?: string;
  /** The English line (what `porthole agent` prints) and its code and fields. */
  log?: LineLog;
  /** What to do about a changed pinned certificate, for the message (default: the known_relays file). */
  pinAdvice?: string;
  /** Called when a fingerprint is pinned for the first time. */
  onPinned?: (fingerprint: string) => void;
  /** A tap for a port the relay's config assigns (the HTTP inspector, for `type: http` there). */
  assignedTap?: (spec: ExposureSpec) => TapFactory | undefined;
  /** Accept the relay's offer of data connections (a connection of their own per public TCP connection). Default true. */
  dataConnections?: boolean;
  /**
   * Dial and serve the data connections in this data plane (a worker thread with a small heap) instead
   * of this thread; absent: here. The control connection, UDP and HTTP/2 streams stay here either way.
   */
  dataPlane?: DataPlane;
}

export { Exposure, PLANE_ID_BASE, type ExposureConnection, type ExposureEvents, type ExposureSpec } from './exposure';

/** Where pinned relay certificate fingerprints live (a known_relays file, or the saved relay itself). */
export interface PinStore {
  get(host: string, port: number): string | undefined;
  set(host: string, port: number, fingerprint: string): void;
}

export interface RelayAgentEvents {
  state: [RelayAgentState];
  /** A connection attempt failed or the session was lost (state says whether a retry follows). */
  down: [EngineError];
  ready: [];
}

// Retrying these repeats the refusal; the person has to act (fix the token, check the certificate).
const FATAL: ReadonlySet<RuleErrorCode> = new Set(['AUTH_FAILED', 'RELAY_CERT_CHANGED', 'RELAY_CERT_UNKNOWN', 'RELAY_REJECTED']);

interface Live {
  gen: number;
  socket: Socket;
  session: string;
  dataKey: Buffer;
  /** The certificate fingerprint of this session's own control connection, which passed the pin check (TLS only). */
  verified?: string;
  h2: ServerHttp2Session;
  /** Set once the relay offered data connections and this agent accepted. */
  data?: AgentDataRoute;
  control?: ServerHttp2Stream;
  /** Relay exposure id → exposure, for this session. */
  byId: Map<string, Exposure>;
  /** Data streams that arrived before the control message naming their exposure id. */
  early: Map<string, Array<{ stream: ServerHttp2Stream; headers: IncomingHttpHeaders }>>;
  heartbeat?: NodeJS.Timeout;
}

/** Data streams held at most while their exposure's 'welcome'/'exposed' is on its way. */
const MAX_EARLY_STREAMS = 256;

/**
 * The agent: one connection to a relay (TLS, pinned certificate, HMAC handshake, then HTTP/2 with the
 * relay as the client). It serves the relay's streams by dialling the local targets, re-asks for every
 * exposure after each reconnect, and reconnects with backoff and jitter until close().
 */
export class RelayAgent extends EventEmitter<RelayAgentEvents> {
  state: RelayAgentState = 'connecting';
  lastError: EngineError | undefined;
  nextRetryAt: number | undefined;
  attempts = 0;
  session: string | undefined;
  /** The certificate fingerprint seen on the last TLS connection. */
  fingerprint: string | undefined;
  /** TLS version and cipher of the last connection (diagnostics), e.g. `TLSv1.3 TLS_AES_128_GCM_SHA256`. */
  tls: string | undefined;
  private live: Live | undefined;
  private started = false;
  private generation = 0;
  private readonly retry: RetrySchedule;
  private readonly own = new Map<string, Exposure>();
  private readonly assignedByPort = new Map<string, Exposure>();
  /** One TLS context for every connection to the relay: made per tls.connect() it costs ~0.5 ms each data connection. */
  private secureContext: SecureContext | undefined;
  /** The data plane stopped for good (crash loop): data connections are dialled here from now on. */
  private planeBroken = false;

  constructor(private readonly opts: RelayAgentOptions) {
    super();
    this.retry = new RetrySchedule(opts.backoff);
  }

  get label(): string {
    return `relay ${this.address}`;
  }

  private get address(): string {
    return formatHostPort(this.opts.relay.host, this.opts.relay.port);
  }

  start(): void {
    if (this.started || this.state === 'closed') return;
    this.started = true;
    this.attempt();
  }

  /** Asks for a public port for a local target; re-asked after every reconnect until unexpose(). */
  expose(spec: ExposureSpec): Exposure {
    if (this.own.has(spec.ref)) throw new Error(`exposure ${spec.ref} already exists`);
    const e = new Exposure(spec);
    this.own.set(spec.ref, e);
    this.send({ t: 'expose', ref: spec.ref, protocol: spec.protocol, kind: spec.kind, remotePort: spec.remotePort, ...(spec.name ? { name: spec.name.slice(0, 80) } : {}) });
    return e;
  }

  unexpose(ref: string): void {
    const e = this.own.get(ref);
    if (!e) return;
    this.own.delete(ref);
    if (e.info && this.live) {
      this.live.byId.delete(e.info.id);
      this.live.data?.unnamed(e.info.id);
    }
    for (const c of e.conns.values()) c.kill();
    this.send({ t: 'unexpose', ref });
  }

  exposures(): Exposure[] {
    return [...this.own.values()];
  }

  /** Ports the relay's config assigned to this agent, in the current session. */
  assigned(): Exposure[] {
    return [...this.assignedByPort.values()];
  }

  /** This session's data connections (idle ones, and counts since it began); undefined when the session has none. */
  dataConnections(): { idle: number; dialled: number; failed: number; opened: number } | undefined {
    return this.live?.data?.localStats();
  }

  /** This session's data connections in the data plane (undefined when the data plane carries none). */
  async dataPlaneConnections(): Promise<AgentStats | undefined> {
    return this.live?.data?.planeStats();
  }

  /** Drops a waiting retry (or a failure the person has since fixed) and connects now (network back, resume from sleep, new settings). */
  reconnect(): boolean {
    if (this.state !== 'retrying' && this.state !== 'failed') return false;
    this.retry.cancel();
    this.retry.reset();
    this.attempt();
    return true;
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.retry.cancel();
    this.generation++;
    this.setState('closed');
    await this.teardown();
  }

  private send(msg: AgentMessage): void {
    const c = this.live?.control;
    if (c && !c.destroyed && c.writable) c.write(encodeLine(msg));
  }

  private setState(s: RelayAgentState): void {
    if (this.state === s) return;
    this.state = s;
    this.emit('state', s);
  }

  private attempt(): void {
    const gen = ++this.generation;
    this.attempts++;
    this.nextRetryAt = undefined;
    this.setState('connecting');
    this.connectOnce(gen).catch((err: unknown) => {
      if (gen !== this.generation) return;
      void this.teardown().then(() => {
        if (gen === this.generation) this.fail(toEngineError(err, this.label));
      });
    });
  }

  private async connectOnce(gen: number): Promise<void> {
    const o = this.opts;
    // First: an unreadable saved token arrives here as '' and must not read as a short one.
    if (o.tokenProblem) throw new EngineError('AUTH_FAILED', `${this.label}: ${o.tokenProblem}`);
    // A relay refuses such tokens at start (issue 14): say so here rather than as a wrong token.
    if (tokenTooShort(o.token)) {
      throw new EngineError('AUTH_FAILED', `${this.label}: the token for agent "${o.agent}" has ${o.token.length} characters; relays need at least ${MIN_TOKEN_LENGTH} — ${TOKEN_HOW_TO} on the relay, and set it on both sides`);
    }
    const timeoutMs = o.connectTimeoutMs ?? 10_000;
    const socket = await this.dial(timeoutMs);
    if (gen !== this.generation) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    const { session, dataKey } = await agentHandshake(socket, { agent: o.agent, token: o.token, assigned: o.acceptAssigned ?? false, ...(o.software ? { software: o.software } : {}) }).catch(
      (err: unknown) => {
        socket.destroy();
        throw err;
      },
    );
    if (gen !== this.generation) {
      socket.destroy();
      return;
    }
    this.session = session;
    const h2 = performServerHandshake(socket, {
      settings: { initialWindowSize: STREAM_WINDOW, maxFrameSize: MAX_FRAME, maxConcurrentStreams: 4096 },
      maxSessionMemory: 256,
    });
    // dial() returned this socket only after its certificate passed the pin check.
    const verified = socket instanceof TLSSocket ? socket.getPeerCertificate()?.fingerprint256 : undefined;
    const live: Live = { gen, socket, session, dataKey, ...(verified ? { verified } : {}), h2, byId: new Map(), early: new Map() };
    this.live = live;
    h2.on('connect', () => h2.setLocalWindowSize(SESSION_WINDOW));
    h2.on('error', () => undefined);
    h2.on('stream', (stream, headers) => this.onStream(live, stream, headers));
    // nghttp2 sends GOAWAY ahead of DATA still queued, so the control stream's 'closing' (which says
    // whether to retry at all) may arrive just after it: give it a moment before calling the session lost.
    h2.on('goaway', () => {
      setTimeout(() => this.lost(gen, new EngineError('CONNECTION_RESET', `${this.label} is shutting down this session (GOAWAY) — reconnecting`)), 500).unref();
    });
    h2.on('close', () => this.lost(gen, new EngineError('CONNECTION_RESET', `lost the connection to ${this.label} — reconnecting`)));
    socket.on('error', () => undefined);
    this.startHeartbeat(live, gen);
  }

  private dial(timeoutMs: number): Promise<Socket> {
    const { host, port } = this.opts.relay;
    return new Promise<Socket>((resolve, reject) => {
      const useTls = this.opts.tls !== false;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(connectTimeout(host, port, timeoutMs));
      }, timeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      const socket: Socket = useTls
        ? tlsConnect({ host, port, rejectUnauthorized: false, ALPNProtocols: ['porthole-relay/1'], secureContext: (this.secureContext ??= createSecureContext({ minVersion: 'TLSv1.3', ciphers: TLS_CIPHERSUITES })), ...(isIp(host) ? {} : { servername: host }) }, () => {
            clearTimeout(timer);
            try {
              const c = (socket as TLSSocket).getCipher();
              this.tls = `${(socket as TLSSocket).getProtocol() ?? '?'} ${c.name}`;
              this.verifyCertificate(socket as TLSSocket);
              resolve(socket);
            } catch (err) {
              fail(err as Error);
            }
          })
        : netConnect({ host, port }, () => {
            clearTimeout(timer);
            resolve(socket);
          });
      socket.once('error', fail);
    });
  }

  private planeSpec(live: Live): AgentSessionSpec {
    const { host, port } = this.opts.relay;
    const tls = this.opts.tls !== false;
    return {
      relay: { host, port },
      tls,
      ...(tls && !isIp(host) ? { servername: host } : {}),
      // The fingerprint this session's control connection was verified with — not `this.fingerprint`,
      // which is whatever the last dial saw, refused or not (shown to the user beside the pin).
      ...(tls && live.verified ? { fingerprint: live.verified } : {}),
      session: live.session,
      key: live.dataKey.toString('hex'),
      label: this.label,
      connectTimeoutMs: this.opts.connectTimeoutMs ?? 10_000,
    };
  }

  /** The data plane stopped under this agent's data connections: their rules are told (and restart). */
  private planeLost(err: DataPlaneStoppedError): void {
    // One that cannot live is not tried again by this agent: its data connections stay here.
    if (!err.restartable) this.planeBroken = true;
    // The reason, not the message: a non-restartable one's advice ("switch the mapping on again") is not
    // what happens here, where this agent carries its data connections itself; the rules' lines say so.
    this.opts.log?.('error', ...said('agentPlaneLost', { error: err.reason, relay: this.address }));
    for (const e of this.own.values()) if (e.spec.protocol === 'tcp') e.emit('plane-lost', err);
  }

  private verifyCertificate(socket: TLSSocket): void {
    const { host, port } = this.opts.relay;
    const cert = socket.getPeerCertificate();
    const seen = cert?.fingerprint256;
    if (!seen) throw new EngineError('RELAY_CERT_UNKNOWN', `${this.label} presented no certificate`);
    this.fingerprint = seen;
    const given = this.opts.fingerprint ? normalizeFingerprint(this.opts.fingerprint) : undefined;
    const pinned = given ?? this.opts.pins?.get(host, port);
    if (pinned) {
      if (pinned !== seen) {
        throw new EngineError(
          'RELAY_CERT_CHANGED',
          `${this.label} presented certificate ${seen}, but ${given ? 'the configured fingerprint is' : 'the pinned one is'} ${pinned}. ` +
            'Someone may be intercepting the connection — or the relay got a new certificate. If you know it did, ' +
            (given ? 'update the fingerprint in the config.' : (this.opts.pinAdvice ?? 'remove the old pin (known_relays in the data dir) and connect again.')),
        );
      }
      return;
    }
    if (!this.opts.pins) throw new EngineError('RELAY_CERT_UNKNOWN', `${this.label}: no fingerprint to check its certificate ${seen} against — give the relay's fingerprint`);
    this.opts.pins.set(host, port, seen);
    this.opts.log?.('warn', ...said('agentPinned', { relay: this.address, fingerprint: seen }));
    this.opts.onPinned?.(seen);
  }

  private startHeartbeat(live: Live, gen: number): void {
    const interval = this.opts.heartbeatIntervalMs ?? 10_000;
    const deadline = this.opts.heartbeatTimeoutMs ?? 10_000;
    let waiting = false;
    live.heartbeat = setInterval(() => {
      if (waiting || live.h2.destroyed) return;
      waiting = true;
      const timer = setTimeout(() => {
        this.lost(gen, new EngineError('CONNECTION_RESET', `${this.label} did not answer a heartbeat within ${deadline} ms — reconnecting`));
      }, deadline);
      live.h2.ping((err) => {
        clearTimeout(timer);
        waiting = false;
        if (err && gen === this.generation) this.lost(gen, new EngineError('CONNECTION_RESET', `heartbeat to ${this.label} failed — reconnecting`));
      });
    }, interval);
    live.heartbeat.unref();
  }

  private lost(gen: number, err: EngineError): void {
    if (gen !== this.generation || this.state === 'closed') return;
    this.generation++;
    void this.teardown().then(() => this.fail(err));
  }

  private onStream(live: Live, stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    stream.on('error', () => undefined);
    const path = headers[':path'];
    if (path === PATH_CONTROL) {
      if (live.control) return void stream.close(h2c.NGHTTP2_PROTOCOL_ERROR);
      live.control = stream;
      const accept = headers[H_DATA] === DATA_CAPABILITY && this.opts.dataConnections !== false;
      stream.respond({ ':status': 200, ...(accept ? { [H_DATA]: DATA_CAPABILITY } : {}) });
      if (accept) {
        const makeLocal = () =>
          dataConnsFor({
            session: live.session,
            key: live.dataKey,
            // Only while this session lives: a data connection made for an ended one is refused as a failed attempt.
            dial: async () => {
              const sock = await this.dial(this.opts.connectTimeoutMs ?? 10_000);
              if (live.gen === this.generation) return sock;
              sock.destroy();
              throw new Error('the session ended');
            },
            exposureFor: (id) => live.byId.get(id),
            log: (level, m, line) => this.opts.log?.(level, m, line),
            relay: this.address,
          });
        live.data = new AgentDataRoute({
          ...(this.opts.dataPlane && !this.planeBroken ? { plane: this.opts.dataPlane } : {}),
          planeSpec: () => this.planeSpec(live),
          needsLocal: () => [...this.own.values()].some((e) => e.spec.protocol === 'tcp' && e.spec.tap !== undefined),
          makeLocal,
          log: (level, m, line) => this.opts.log?.(level, m, line),
          planeLost: (err) => this.planeLost(err),
        });
      }
      const lines = new LineSplitter();
      stream.on('data', (chunk: Buffer) => {
        try {
          for (const line of lines.push(chunk)) this.onMessage(live, parseLine(checkRelayMessage, line));
        } catch (err) {
          this.protocolError(live, (err as Error).message);
        }
      });
      stream.on('close', () => this.lost(live.gen, new EngineError('CONNECTION_RESET', `${this.label} closed the control stream — reconnecting`)));
      return;
    }
    const id = headers[H_EXPOSURE];
    if (typeof id !== 'string') return void stream.close(h2c.NGHTTP2_REFUSED_STREAM);
    const exposure = live.byId.get(id);
    if (exposure) return this.serveData(exposure, stream, headers);
    // The relay opens a port's streams as soon as the port is open (a UDP port's at once), and HTTP/2
    // sends a new stream's HEADERS ahead of DATA still queued on the control stream: hold the stream
    // until the 'welcome'/'exposed' naming its exposure arrives (the relay resets it if that never comes).
    let held = 0;
    for (const w of live.early.values()) held += w.length;
    if (held >= MAX_EARLY_STREAMS) return void stream.close(h2c.NGHTTP2_REFUSED_STREAM);
    const waiting = live.early.get(id) ?? [];
    const entry = { stream, headers };
    waiting.push(entry);
    live.early.set(id, waiting);
    stream.once('close', () => {
      const w = live.early.get(id);
      const i = w ? w.indexOf(entry) : -1;
      if (i >= 0) w!.splice(i, 1);
      if (w?.length === 0) live.early.delete(id);
    });
  }

  /** Serves the streams that arrived for exposure `id` before it was named. */
  private releaseEarly(live: Live, id: string, e: Exposure): void {
    live.data?.name(id, e);
    const waiting = live.early.get(id);
    live.early.delete(id);
    for (const w of waiting ?? []) if (!w.stream.closed) this.serveData(e, w.stream, w.headers);
  }

  private serveData(exposure: Exposure, stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    const path = headers[':path'];
    const peer = typeof headers[H_PEER] === 'string' ? headers[H_PEER] : '?';
    if (path === PATH_TCP && exposure.spec.protocol === 'tcp') this.serveTcp(exposure, stream, peer);
    else if (path === PATH_UDP && exposure.spec.protocol === 'udp') this.serveUdp(exposure, stream);
    else stream.close(h2c.NGHTTP2_REFUSED_STREAM);
  }

  private onMessage(live: Live, msg: RelayMessage): void {
    switch (msg.t) {
      case 'welcome': {
        this.retry.reset();
        this.assignedByPort.clear();
        for (const info of msg.assigned) {
          if (info.localPort === undefined || info.localPort === 0) continue;
          const spec: ExposureSpec = {
            ref: `assigned:${info.protocol}:${info.publicPort}`,
            name: `${info.kind === 'http' ? 'http' : info.protocol} ${formatHostPort(info.publicHost, info.publicPort)} → 127.0.0.1:${info.localPort}`,
            protocol: info.protocol,
            kind: info.kind,
            remotePort: info.publicPort,
            target: { host: '127.0.0.1', port: info.localPort },
          };
          const tap = this.opts.assignedTap?.(spec);
          const e = new Exposure(tap ? { ...spec, tap } : spec);
          e.info = info;
          live.byId.set(info.id, e);
          this.releaseEarly(live, info.id, e);
          this.assignedByPort.set(e.spec.ref, e);
          this.opts.log?.('info', ...said('agentServes', { relay: this.address, name: String(e.spec.name), agent: this.opts.agent }));
        }
        for (const f of msg.failedAssigned) this.opts.log?.('error', ...said('agentAssignedFailed', { relay: this.address, protocol: f.protocol, port: f.publicPort, error: f.message }));
        this.setState('ready');
        this.emit('ready');
        for (const e of this.own.values()) {
          const s = e.spec;
          this.send({ t: 'expose', ref: s.ref, protocol: s.protocol, kind: s.kind, remotePort: s.remotePort, ...(s.name ? { name: s.name.slice(0, 80) } : {}) });
        }
        return;
      }
      case 'exposed': {
        const e = this.own.get(msg.ref);
        if (!e) return;
        if (msg.exposure.protocol !== e.spec.protocol) return this.protocolError(live, `relay bound ${msg.exposure.protocol} for a ${e.spec.protocol} exposure`);
        e.info = msg.exposure;
        e.lastError = undefined;
        live.byId.set(msg.exposure.id, e);
        this.releaseEarly(live, msg.exposure.id, e);
        e.emit('bound', msg.exposure);
        return;
      }
      case 'expose-failed': {
        const e = this.own.get(msg.ref);
        if (!e) return;
        e.info = undefined;
        e.lastError = new EngineError(msg.code, `${this.label}: ${msg.message}`);
        e.emit('failed', e.lastError);
        return;
      }
      case 'unexposed':
        return;
      case 'data-dial':
        live.data?.grant(msg.ids, msg.exp);
        return;
      case 'closing': {
        const err =
          msg.reason === 'replaced'
            ? new EngineError('RELAY_REJECTED', `${this.label}: ${msg.message} — give each agent its own name; this one stopped retrying`)
            : new EngineError('CONNECTION_RESET', `${this.label} is shutting down (${msg.message}) — reconnecting`);
        this.lost(live.gen, err);
        return;
      }
    }
  }

  private protocolError(live: Live, message: string): void {
    this.opts.log?.('error', ...said('agentProtocolError', { relay: this.address, error: message }));
    live.h2.goaway(h2c.NGHTTP2_PROTOCOL_ERROR);
    this.lost(live.gen, new EngineError('PROTOCOL_ERROR', `${this.label} sent something invalid (${message}) — reconnecting`));
  }

  private serveTcp(e: Exposure, stream: ServerHttp2Stream, peer: string): void {
    const { host, port } = e.spec.target;
    const timeoutMs = e.spec.connectTimeoutMs ?? 10_000;
    const target = netConnect({ host, port, allowHalfOpen: true });
    let conn: ReturnType<Exposure['track']> | undefined = e.track(peer, () => {
      target.destroy();
      stream.close(h2c.NGHTTP2_CANCEL);
    });
    const started = Date.now();
    e.meter.activeConnections++;
    e.meter.totalConnections++;
    const timer = setTimeout(() => target.destroy(connectTimeout(host, port, timeoutMs)), timeoutMs);
    const failConnect = (err: Error) => {
      clearTimeout(timer);
      const error = connectError(err, host, port);
      if (!stream.closed && !stream.headersSent) stream.respond({ ':status': 502, 'porthole-error': error.code }, { endStream: true });
      stream.close(h2c.NGHTTP2_REFUSED_STREAM);
      finish();
      e.emit('connection-error', { client: peer, error });
    };
    const finish = () => {
      if (!conn) return;
      e.conns.delete(conn.id);
      e.meter.activeConnections--;
      conn = undefined;
    };
    target.once('error', failConnect);
    stream.once('close', () => {
      if (target.connecting) {
        target.destroy();
        finish();
      }
    });
    target.once('connect', () => {
      clearTimeout(timer);
      target.off('error', failConnect);
      target.on('error', () => undefined);
      if (stream.closed) return void target.destroy();
      target.setNoDelay(true);
      stream.respond({ ':status': 200 });
      const h = openServed(e, conn!, peer, started, finish);
      splice(target, stream, { fromSocket: (_n, chunk) => h.fromTarget(chunk), fromStream: (_n, chunk) => h.fromClient(chunk), closed: h.closed });
    });
  }

  private serveUdp(e: Exposure, stream: ServerHttp2Stream): void {
    stream.respond({ ':status': 200 });
    const peers = new UdpPeers(e.spec.target, stream, e.meter, {
      opened: (client) => e.emit('connection-open', { client }),
      closed: (client, bytesIn, bytesOut, durationMs) => e.emit('connection-close', { client, bytesIn, bytesOut, durationMs }),
      error: (client, error) => e.emit('connection-error', { client, error }),
    });
    stream.on('close', () => peers.close());
  }

  private async teardown(): Promise<void> {
    const live = this.live;
    this.live = undefined;
    this.session = undefined;
    for (const e of this.own.values()) {
      const wasBound = e.info !== undefined;
      e.info = undefined;
      for (const c of e.conns.values()) c.kill();
      if (wasBound) e.emit('unbound');
    }
    for (const e of this.assignedByPort.values()) for (const c of e.conns.values()) c.kill();
    this.assignedByPort.clear();
    if (!live) return;
    clearInterval(live.heartbeat);
    await live.data?.close();
    await new Promise<void>((resolve) => {
      if (live.h2.destroyed) return resolve();
      live.h2.once('close', () => resolve());
      live.h2.destroy();
      live.socket.destroy();
    });
  }

  private fail(err: EngineError): void {
    if (this.state === 'closed') return;
    this.lastError = err;
    if (FATAL.has(err.code)) {
      this.setState('failed');
    } else {
      this.retry.schedule(() => this.attempt());
      this.nextRetryAt = this.retry.nextAt;
      this.setState('retrying');
    }
    this.emit('down', err);
  }
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

function toEngineError(err: unknown, label: string): EngineError {
  if (err instanceof EngineError) return err;
  if (err instanceof HandshakeError) {
    switch (err.code) {
      case 'AUTH_FAILED':
        return new EngineError('AUTH_FAILED', `${label}: ${err.message}`);
      case 'VERSION':
      case 'PROTOCOL':
        return new EngineError('PROTOCOL_ERROR', `${label}: ${err.message}`);
      case 'REPLACED':
        return new EngineError('RELAY_REJECTED', `${label}: ${err.message}`);
      case 'CLOSED':
        // What a relay's admission control looks like from here (relay/admission.ts).
        return new EngineError('CONNECTION_RESET', `${label}: ${err.message} (the relay may be busy, or refusing this address for a while after failed handshakes from it) — reconnecting`);
      default:
        return new EngineError('CONNECTION_RESET', `${label}: ${err.message} — reconnecting`);
    }
  }
  const code = errnoCode(err);
  if (code === 'ECONNREFUSED') return new EngineError('TARGET_REFUSED', `${label} refused the connection (is the relay running?) — retrying`, err);
  if (code === 'ETIMEDOUT') return new EngineError('TARGET_TIMEOUT', `${label} did not answer (${(err as Error).message}) — retrying`, err);
  const mapped = connectError(err, '', 0);
  return new EngineError(mapped.code, `${label}: ${(err as Error).message ?? String(err)}`, err);
}
