import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { type ClientHttp2Stream, connect as h2connect, constants as h2c } from 'node:http2';
import { createServer as createNetServer, isIPv6, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { formatHostPort } from '../../src-shared/format/address';
import { type LineLog, said } from '../../src-shared/model/log-text';
import type { RelayAgentStatus, RelayExposureStatus, RelayServerStatus } from '../../src-shared/model/relay';
import { ByteMeter } from '../engine/byte-meter';
import { EngineError, listenError } from '../engine/engine-error';
import { abortSocket } from '../engine/abort-socket';
import { listenOn } from '../engine/listen';
import { type AdmissionStats, type AdmissionTicket, RelayAdmission } from './admission';
import { BurstLog } from './burst-log';
import { DATA_CAPABILITY, H_DATA } from './data-protocol';
import { HandshakeError, type RelayAccepted, relayHandshake } from './handshake';
import { HttpExchangeLog } from './http-log';
import {
  type AgentMessage,
  checkAgentMessage,
  DatagramReader,
  encodeDatagram,
  type ExposureInfo,
  H_EXPOSURE,
  H_PEER,
  LineSplitter,
  PATH_CONTROL,
  PATH_TCP,
  PATH_UDP,
  parseLine,
  parsePeer,
} from './protocol';
import { MAX_FRAME, SESSION_WINDOW, STREAM_WINDOW } from './h2-windows';
import { carryPublic, httpLine, RelayDataPlane } from './relay-data';
import { DATA_POOL_DEFAULTS, type DataPoolOptions, earner } from './relay-data-pool';
import type { RelayIdentity } from './relay-identity';
import { type RelayLimits, resolveRelayLimits } from './relay-limits';
import { type RelayPolicy, agentsWithWeakToken, formatRanges, inRanges, weakTokenMessage } from './relay-policy';
import { relayMetricsText } from './relay-metrics';
import { AgentSession, type PublicConn, PublicPort } from './relay-session';
import { splice } from './splice';
import { TLS_CIPHERSUITES } from './tls-suites';
import { UDP_STREAM_HIGH_WATER } from './udp-peers';

/** The English line (what `porthole relay` prints) and its code and fields (issue 18: a window shows it in its language). */
export type RelayLog = LineLog;

export interface RelayServerOptions {
  policy: RelayPolicy;
  /** Required unless policy.tls is false. */
  identity?: RelayIdentity;
  /** Accept agents that have no token (an empty token). Refused otherwise: the relay does not start. */
  insecureNoAuth?: boolean;
  heartbeatIntervalMs?: number;
  heartbeatTimeoutMs?: number;
  /** Over the policy's limits (which are over the defaults): tests use short deadlines and small caps. */
  limits?: Partial<RelayLimits>;
  maxExposuresPerAgent?: number;
  /** Offer agents data connections (data-protocol.ts) with this pool sizing; false: HTTP/2 streams only. */
  dataConnections?: false | Partial<DataPoolOptions>;
  log?: RelayLog;
}

interface RelayServerEvents {
  /** Agents, exposures or counters changed shape (not sent per byte: poll status() for counters). */
  changed: [];
}

/**
 * The relay: listens for agents (TLS by default), authenticates each with the HMAC handshake, opens
 * the public ports its policy gives that agent, and carries each public connection as one HTTP/2
 * stream to the agent. A new session of an agent name replaces the old one and re-binds its ports.
 */
export class RelayServer extends EventEmitter<RelayServerEvents> {
  private listener: Server | undefined;
  private readonly sessions = new Map<string, AgentSession>();
  private readonly sockets = new Set<Socket>();
  /** Cumulative counters per agent + protocol + public port, kept across sessions (for /metrics). */
  private readonly totals = new Map<string, ByteMeter>();
  private nextId = 1;
  private startedAt: number | undefined;
  private bound: { host: string; port: number } | undefined;
  readonly limits: RelayLimits;
  private readonly admission: RelayAdmission;
  /** Public connections refused at a port's max_connections, and the line saying so once per burst. */
  publicRefused = 0;
  private readonly burst: BurstLog;
  sessionsAccepted = 0;
  private readonly data: RelayDataPlane;
  /** Whether agents are offered data connections (limits.max_data_connections > 0). */
  private readonly offersData: boolean;

  constructor(private readonly opts: RelayServerOptions) {
    super();
    this.limits = resolveRelayLimits(opts.policy.limits, opts.limits);
    this.admission = new RelayAdmission(this.limits, (level, m, line) => this.log(level, m, line));
    this.burst = new BurstLog((level, m, line) => this.log(level, m, line));
    // limits.max_data_connections caps each agent's pool; 0 (or the option false) offers none.
    // Options given in code (tests, the bench) tune the pool but never lift the cap.
    const tuned = opts.dataConnections || {};
    const max = Math.min(this.limits.maxDataConnections, tuned.max ?? DATA_POOL_DEFAULTS.max);
    this.offersData = opts.dataConnections !== false && max > 0;
    const pool = { ...tuned, max, min: Math.min(tuned.min ?? DATA_POOL_DEFAULTS.min, max) };
    this.data = new RelayDataPlane({ tls: this.tls, pool, log: (level, m, line) => this.log(level, m, line) });
  }

  /** Connections to the agent port whose TLS or handshake failed (bad input, wrong token, deadline, a refused data connection). */
  get handshakeFailures(): number {
    return this.admission.stats().failed;
  }

  /** Handshakes in progress and what admission control refused or dropped, since start. */
  admissionStats(): AdmissionStats {
    return this.admission.stats();
  }

  private get log(): RelayLog {
    return this.opts.log ?? (() => undefined);
  }

  get tls(): boolean {
    return this.opts.policy.tls !== false;
  }

  async start(): Promise<{ host: string; port: number }> {
    const p = this.opts.policy;
    if (this.tls && !this.opts.identity) throw new Error('the relay needs its TLS identity (certificate and key) unless tls is off');
    const weak = agentsWithWeakToken(p);
    if (weak.length > 0) throw new Error(weakTokenMessage(weak));
    // Admission's deadline closes sockets; Node's TLS timeout (later, as a backstop) only reports.
    const server = this.tls
      ? createTlsServer({ cert: this.opts.identity!.cert, key: this.opts.identity!.key, ALPNProtocols: ['porthole-relay/1'], minVersion: 'TLSv1.3', ciphers: TLS_CIPHERSUITES, honorCipherOrder: true, handshakeTimeout: this.limits.handshakeTimeoutMs + 1000 })
      : createNetServer();
    this.admission.guard(server, this.tls, (socket, ticket) => void this.accept(socket, ticket));
    this.listener = server;
    this.bound = await listenOn(server, p.bind.host, p.bind.port, (err) => this.log('error', ...said('relayListenerError', { error: err.message })));
    this.startedAt = Date.now();
    return this.bound;
  }

  get address(): { host: string; port: number } | undefined {
    return this.bound;
  }

  async stop(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    const closing = listener ? new Promise<void>((r) => listener.close(() => r())) : Promise.resolve();
    await Promise.all([...this.sessions.values()].map((s) => this.endSession(s, 'shutdown', 'the relay is stopping')));
    this.admission.close();
    for (const s of this.sockets) s.destroy();
    await closing;
    this.startedAt = undefined;
    this.emit('changed');
  }

  /** A connection that passed admission (and TLS): the handshake, then the agent's session. */
  private async accept(socket: Socket, ticket: AdmissionTicket): Promise<void> {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    const address = ticket.peer;
    const id = randomBytes(8).toString('hex');
    let accepted: RelayAccepted;
    try {
      // A source whose handshakes failed waits before this one is read (token guessing gets slow).
      if (!(await ticket.throttle())) return void socket.destroy();
      accepted = await relayHandshake(socket, {
        session: id,
        timeoutMs: Math.max(1, ticket.remainingMs()),
        tokenFor: (name) => {
          const a = this.opts.policy.agents.find((x) => x.name === name);
          if (!a) return undefined;
          const t = a.token ?? this.opts.policy.token;
          return t ?? (this.opts.insecureNoAuth ? '' : undefined);
        },
      });
    } catch (err) {
      const msg = err instanceof HandshakeError ? err.message : (err as Error).message;
      ticket.failed(err instanceof HandshakeError ? err.code : 'INTERNAL', ...said('relayHandshakeFailed', { peer: address, error: msg }));
      socket.destroy();
      return;
    }
    if (accepted.kind === 'data') {
      // A data connection went through the same admission as a handshake (deadline, pending caps,
      // the delay for its source); a wrong, replayed or expired ticket is a failed attempt like a wrong token.
      const why = this.data.admit(socket, accepted.dial, accepted.binding, address);
      if (why) ticket.failed('AUTH_FAILED', ...said('relayDataRefused', { peer: address, error: why }));
      else ticket.admitted();
      return;
    }
    ticket.admitted();
    const { hello, dataKey } = accepted;
    const policy = this.opts.policy.agents.find((x) => x.name === hello.agent)!;
    const previous = this.sessions.get(hello.agent);
    if (previous) {
      this.log('warn', ...said('relayAgentAgain', { agent: hello.agent, address, previous: previous.address }));
      await this.endSession(previous, 'replaced', `another session of agent "${hello.agent}" connected from ${address} and replaced this one`);
    }
    if (socket.destroyed || !this.listener) return void socket.destroy();
    this.sessionsAccepted++;
    const h2 = h2connect('http://porthole-agent', {
      createConnection: () => socket,
      settings: { initialWindowSize: STREAM_WINDOW, maxFrameSize: MAX_FRAME, enablePush: false },
      maxSessionMemory: 256,
    });
    const session = new AgentSession(id, hello.agent, policy, address, socket, h2, hello, dataKey);
    this.sessions.set(hello.agent, session);
    h2.on('error', () => undefined);
    // An agent that authenticated but never speaks HTTP/2 is dropped at the handshake deadline, not the heartbeat's.
    let spoke = false;
    h2.once('remoteSettings', () => {
      spoke = true;
      clearTimeout(firstExchange);
    });
    const firstExchange = setTimeout(() => {
      if (!spoke) {
        this.log('warn', ...said('relayAgentNoSettings', { agent: hello.agent, address }));
        void this.endSession(session, undefined, 'no HTTP/2 after the handshake');
      }
    }, this.limits.handshakeTimeoutMs);
    firstExchange.unref();
    h2.on('connect', () => h2.setLocalWindowSize(SESSION_WINDOW));
    h2.on('close', () => void this.endSession(session, undefined, 'connection closed'));
    this.log('info', ...(hello.software ? said('relayAgentOnlineSoftware', { agent: hello.agent, address, software: hello.software }) : said('relayAgentOnline', { agent: hello.agent, address })));
    await this.openControl(session);
    this.startHeartbeat(session);
    this.emit('changed');
  }

  private async openControl(s: AgentSession): Promise<void> {
    const offer = this.offersData;
    const control = s.h2.request({ ':method': 'POST', ':path': PATH_CONTROL, ...(offer ? { [H_DATA]: DATA_CAPABILITY } : {}) }, { endStream: false });
    s.control = control;
    control.on('error', () => undefined);
    // An agent that predates data connections ignores the offer and answers without the header.
    control.once('response', (headers) => {
      if (!offer || s.closed || headers[H_DATA] !== DATA_CAPABILITY) return;
      s.data = this.data.open(s.id, s.dataKey, (ids, exp) => s.send({ t: 'data-dial', ids, exp }));
      this.log('info', ...said('relayAgentDataConnections', { agent: s.name }));
    });
    const lines = new LineSplitter();
    control.on('data', (chunk: Buffer) => {
      try {
        for (const line of lines.push(chunk)) void this.onAgentMessage(s, parseLine(checkAgentMessage, line));
      } catch (err) {
        this.log('warn', ...said('relayAgentBrokeProtocol', { agent: s.name, address: s.address, error: (err as Error).message }));
        s.h2.goaway(h2c.NGHTTP2_PROTOCOL_ERROR);
        void this.endSession(s, undefined, 'protocol error');
      }
    });
    control.on('close', () => void this.endSession(s, undefined, 'control stream closed'));
    const assigned: ExposureInfo[] = [];
    const failedAssigned: Array<{ publicPort: number; protocol: 'tcp' | 'udp'; message: string }> = [];
    if (s.hello.assigned) {
      for (const a of s.policy.ports) {
        const protocol = a.type === 'udp' ? 'udp' : 'tcp';
        try {
          const port = await this.openPort(s, protocol, a.type === 'http' ? 'http' : 'tcp', 'config', a.bind.host, a.bind.port, a.remotePort);
          assigned.push(port.info());
        } catch (err) {
          failedAssigned.push({ publicPort: a.bind.port, protocol, message: (err as Error).message });
          this.log('error', ...said('relayAgentCannotOpen', { agent: s.name, protocol, address: formatHostPort(a.bind.host, a.bind.port), error: (err as Error).message }));
        }
      }
    }
    s.send({ t: 'welcome', agent: s.name, assigned, failedAssigned });
  }

  private async onAgentMessage(s: AgentSession, msg: AgentMessage): Promise<void> {
    if (s.closed) return;
    if (msg.t === 'unexpose') {
      const port = s.byRef.get(msg.ref);
      if (port) {
        s.byRef.delete(msg.ref);
        s.ports.delete(port.id);
        await port.close();
        this.log('info', ...said('relayAgentClosedPort', { agent: s.name, protocol: port.protocol, address: port.address }));
        this.emit('changed');
      }
      s.send({ t: 'unexposed', ref: msg.ref });
      return;
    }
    const old = s.byRef.get(msg.ref);
    if (old) {
      s.byRef.delete(msg.ref);
      s.ports.delete(old.id);
      await old.close();
    }
    const reject = (code: 'RELAY_REJECTED' | 'PORT_IN_USE' | 'PERMISSION_DENIED' | 'ADDRESS_NOT_AVAILABLE' | 'INTERNAL', message: string) => {
      this.log('warn', ...said('relayAgentRefused', { agent: s.name, error: message }));
      s.send({ t: 'expose-failed', ref: msg.ref, code, message });
    };
    const ranges = s.policy.allowPorts;
    if (ranges.length === 0) return reject('RELAY_REJECTED', `the relay does not let agent "${s.name}" ask for ports (its config gives it no allow_ports)`);
    if (s.byRef.size >= (this.opts.maxExposuresPerAgent ?? 256)) return reject('RELAY_REJECTED', `agent "${s.name}" already has ${s.byRef.size} ports, the most this relay allows`);
    const host = this.opts.policy.publicHost ?? '127.0.0.1';
    const candidates = msg.remotePort === 0 ? this.freeCandidates(ranges) : [msg.remotePort];
    if (msg.remotePort !== 0 && !inRanges(msg.remotePort, ranges)) {
      return reject('RELAY_REJECTED', `port ${msg.remotePort} is not one this relay allows agent "${s.name}" (allowed: ${formatRanges(ranges)})`);
    }
    let lastErr: Error | undefined;
    for (const candidate of candidates) {
      try {
        const port = await this.openPort(s, msg.protocol, msg.kind, 'agent', host, candidate, undefined, msg.ref, msg.name);
        if (s.closed) return void port.close();
        s.byRef.set(msg.ref, port);
        s.send({ t: 'exposed', ref: msg.ref, exposure: port.info() });
        this.log('info', ...(msg.name ? said('relayAgentExposedNamed', { agent: s.name, protocol: msg.protocol, address: port.address, name: msg.name }) : said('relayAgentExposed', { agent: s.name, protocol: msg.protocol, address: port.address })));
        this.emit('changed');
        return;
      } catch (err) {
        lastErr = err as Error;
        if (!(err instanceof EngineError && err.code === 'PORT_IN_USE')) break;
      }
    }
    const code = lastErr instanceof EngineError && (['PORT_IN_USE', 'PERMISSION_DENIED', 'ADDRESS_NOT_AVAILABLE'] as const).includes(lastErr.code as 'PORT_IN_USE') ? (lastErr.code as 'PORT_IN_USE') : 'INTERNAL';
    reject(code, msg.remotePort === 0 ? `no free port left in ${formatRanges(ranges)} on the relay` : `cannot open port ${msg.remotePort} on the relay: ${lastErr?.message ?? 'unknown error'}`);
  }

  /** Up to 64 ports of the ranges not used by any exposure now, starting at a random offset. */
  private freeCandidates(ranges: Array<{ from: number; to: number }>): number[] {
    const used = new Set<number>();
    for (const s of this.sessions.values()) for (const p of s.ports.values()) used.add(p.port);
    const all: number[] = [];
    for (const r of ranges) for (let p = r.from; p <= r.to && all.length < 65_536; p++) if (!used.has(p)) all.push(p);
    const start = all.length > 0 ? Math.floor(Math.random() * all.length) : 0;
    return [...all.slice(start), ...all.slice(0, start)].slice(0, 64);
  }

  private meterFor(agent: string, protocol: string, port: number): ByteMeter {
    const key = `${agent}\0${protocol}\0${port}`;
    let m = this.totals.get(key);
    if (!m) {
      m = new ByteMeter();
      this.totals.set(key, m);
    }
    return m;
  }

  private async openPort(
    s: AgentSession,
    protocol: 'tcp' | 'udp',
    kind: 'tcp' | 'http',
    source: 'config' | 'agent',
    host: string,
    port: number,
    localPort?: number,
    ref?: string,
    name?: string,
  ): Promise<PublicPort> {
    const id = `x${this.nextId++}`;
    const p = new PublicPort(id, s, protocol, kind, source, this.meterFor(s.name, protocol, port), localPort, ref, name);
    if (protocol === 'tcp') {
      const server = createNetServer({ allowHalfOpen: true, noDelay: true }, (sock) => this.onPublicConnection(p, sock));
      p.server = server;
      const a = await listenOn(server, host, port, (err) => this.log('error', ...said('relayAgentPortError', { agent: s.name, address: formatHostPort(host, port), error: err.message })));
      p.host = a.host;
      p.port = a.port;
    } else {
      const a = await this.bindUdp(p, host, port);
      p.host = a.host;
      p.port = a.port;
    }
    s.ports.set(id, p);
    return p;
  }

  private onPublicConnection(p: PublicPort, sock: Socket): void {
    const s = p.session;
    const client = formatHostPort(sock.remoteAddress ?? '?', sock.remotePort ?? 0);
    sock.on('error', () => undefined);
    if (s.closed || s.h2.destroyed || s.h2.closed) return void sock.destroy();
    const max = this.limits.maxConnections;
    if (max > 0 && p.conns.size >= max) {
      this.publicRefused++;
      this.burst.note(`public-full:${p.id}`, 'warn', ...said('relayPublicFull', { agent: s.name, address: p.address, client, open: p.conns.size, max }));
      return void sock.resetAndDestroy();
    }
    // As on TCP forwards: keepalive finds peers that vanished.
    sock.setKeepAlive(true, 30_000);
    const data = s.data?.take();
    if (data) return carryPublic(p, s.name, sock, data, client, { pool: s.data!, idleTimeoutMs: this.limits.idleTimeoutMs, log: this.log });
    let stream: ClientHttp2Stream;
    try {
      stream = s.h2.request({ ':method': 'POST', ':path': PATH_TCP, [H_EXPOSURE]: p.id, [H_PEER]: client }, { endStream: false });
    } catch {
      return void sock.destroy();
    }
    stream.on('error', () => undefined);
    const conn = p.track(client, () => {
      sock.destroy();
      stream.close(h2c.NGHTTP2_CANCEL);
    });
    // Every byte either way is read from or written to this socket, so its timer sees them all.
    if (this.limits.idleTimeoutMs > 0) sock.setTimeout(this.limits.idleTimeoutMs, () => conn.kill());
    p.meter.activeConnections++;
    p.meter.totalConnections++;
    const http = p.kind === 'http' ? new HttpExchangeLog((x) => this.log('info', ...httpLine(s.name, p.address, client, x))) : undefined;
    stream.on('response', (headers) => {
      const status = headers[':status'];
      if (status !== 200) {
        const why = headers['porthole-error'];
        this.log('info', ...(typeof why === 'string' ? said('relayAgentNoLocal', { agent: s.name, address: p.address, error: why, client }) : said('relayAgentNoLocalStatus', { agent: s.name, address: p.address, status: String(status), client })));
        abortSocket(sock);
      }
    });
    const earn = earner(s.data, conn);
    splice(sock, stream, {
      fromSocket: (n, chunk) => {
        p.meter.bytesIn += n;
        conn.bytesIn += n;
        http?.request(chunk);
        earn();
      },
      fromStream: (n, chunk) => {
        p.meter.bytesOut += n;
        conn.bytesOut += n;
        http?.response(chunk);
        earn();
      },
      closed: () => {
        http?.close();
        p.conns.delete(conn.id);
        p.meter.activeConnections--;
      },
    });
  }

  private bindUdp(p: PublicPort, host: string, port: number): Promise<{ host: string; port: number }> {
    const s = p.session;
    const sock = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
    p.udp = sock;
    // Peers are forgotten after udp_idle_timeout without a datagram either way (as the agent does),
    // so that a scan of spoofed sources cannot fill the table for good.
    const peers = new Map<string, { conn: PublicConn; last: number }>();
    const forget = (tag: string) => {
      const e = peers.get(tag);
      if (!e) return;
      peers.delete(tag);
      p.conns.delete(e.conn.id);
      p.meter.activeConnections--;
    };
    const idleMs = this.limits.udpIdleTimeoutMs;
    const sweep = setInterval(() => {
      const cutoff = Date.now() - idleMs;
      for (const [tag, e] of peers) if (e.last < cutoff) forget(tag);
    }, Math.min(idleMs, 5000));
    sweep.unref();
    sock.once('close', () => clearInterval(sweep));
    return new Promise((resolve, reject) => {
      sock.once('error', (err) => {
        p.udp = undefined;
        clearInterval(sweep);
        reject(listenError(err, host, port));
      });
      sock.bind({ address: host, port }, () => {
        sock.removeAllListeners('error');
        sock.on('error', (err) => this.log('warn', ...said('relayAgentUdpError', { agent: s.name, address: p.address, error: err.message })));
        const stream = s.h2.request({ ':method': 'POST', ':path': PATH_UDP, [H_EXPOSURE]: p.id }, { endStream: false });
        p.udpStream = stream;
        stream.on('error', () => undefined);
        const reader = new DatagramReader();
        stream.on('data', (chunk: Buffer) => {
          let grams;
          try {
            grams = reader.push(chunk);
          } catch {
            this.log('warn', ...said('relayAgentBadDatagram', { agent: s.name, address: p.address }));
            stream.close(h2c.NGHTTP2_PROTOCOL_ERROR);
            return;
          }
          for (const g of grams) {
            const peer = parsePeer(g.peer);
            const e = peers.get(g.peer);
            if (!peer || !e) continue;
            e.last = Date.now();
            e.conn.bytesOut += g.payload.length;
            p.meter.bytesOut += g.payload.length;
            sock.send(g.payload, peer.port, peer.host);
          }
        });
        sock.on('message', (msg, rinfo) => {
          const tag = formatHostPort(rinfo.address, rinfo.port);
          let e = peers.get(tag);
          if (!e) {
            if (peers.size >= this.limits.maxUdpPeers) return;
            e = { conn: p.track(tag, () => forget(tag)), last: 0 };
            peers.set(tag, e);
            p.meter.activeConnections++;
            p.meter.totalConnections++;
          }
          e.last = Date.now();
          if (stream.writableLength > UDP_STREAM_HIGH_WATER || !stream.writable) return;
          e.conn.bytesIn += msg.length;
          p.meter.bytesIn += msg.length;
          stream.write(encodeDatagram(tag, msg));
        });
        const a = sock.address();
        resolve({ host: a.address, port: a.port });
      });
    });
  }

  private startHeartbeat(s: AgentSession): void {
    const interval = this.opts.heartbeatIntervalMs ?? 15_000;
    const deadline = this.opts.heartbeatTimeoutMs ?? 10_000;
    let waiting = false;
    s.heartbeat = setInterval(() => {
      if (waiting || s.closed) return;
      waiting = true;
      const timer = setTimeout(() => {
        this.log('warn', ...said('relayAgentMissedHeartbeat', { agent: s.name, address: s.address, deadline }));
        void this.endSession(s, undefined, 'heartbeat timeout');
      }, deadline);
      try {
        s.h2.ping((err) => {
          clearTimeout(timer);
          waiting = false;
          if (err) void this.endSession(s, undefined, 'heartbeat failed');
        });
      } catch {
        clearTimeout(timer);
        void this.endSession(s, undefined, 'heartbeat failed');
      }
    }, interval);
    s.heartbeat.unref();
  }

  /** Closes a session and its ports; with a reason, the agent is told first (replaced / shutdown). */
  private async endSession(s: AgentSession, reason: 'replaced' | 'shutdown' | undefined, message: string): Promise<void> {
    if (s.closed) return;
    s.closed = true;
    clearInterval(s.heartbeat);
    if (this.sessions.get(s.name) === s) this.sessions.delete(s.name);
    this.data.close(s.id);
    if (reason) s.send({ t: 'closing', reason, message });
    await Promise.all([...s.ports.values()].map((p) => p.close()));
    s.ports.clear();
    s.byRef.clear();
    await new Promise<void>((resolve) => {
      if (s.h2.destroyed && s.socket.closed) return resolve();
      // Wait for whichever closes first: a destroyed session waits for its socket to end, and a
      // socket nobody reads any more (the session stopped reading) may never see the agent leave.
      s.h2.once('close', () => resolve());
      s.socket.once('close', () => resolve());
      const destroy = () => {
        s.h2.destroy();
        s.socket.destroy();
      };
      if (reason) {
        // GOAWAY, then give the agent a moment to read the reason before the socket goes.
        s.h2.close();
        setTimeout(destroy, 200).unref();
      } else {
        destroy();
      }
    });
    s.socket.destroy();
    if (!reason) this.log('info', ...said('relayAgentOffline', { agent: s.name, why: message }));
    this.emit('changed');
  }

  /** An agent's data-connection pool: ready connections, tickets out, the size it aims at; undefined without one. */
  dataPool(agent: string): { ready: number; outstanding: number; target: number; taken: number; missed: number } | undefined {
    const d = this.sessions.get(agent)?.data;
    return d ? { ready: d.size, outstanding: d.outstanding, target: d.target, taken: d.stats.taken, missed: d.stats.missed } : undefined;
  }

  status(): RelayServerStatus {
    const agents: RelayAgentStatus[] = this.opts.policy.agents.map((a) => {
      const s = this.sessions.get(a.name);
      const exposures: RelayExposureStatus[] = s
        ? [...s.ports.values()].map((p) => ({
            id: p.id,
            protocol: p.protocol,
            kind: p.kind,
            publicAddress: p.address,
            source: p.source,
            ...(p.localPort ? { localPort: p.localPort } : {}),
            ...(p.name ? { name: p.name } : {}),
            ...p.meter.snapshot(),
          }))
        : [];
      return {
        name: a.name,
        online: s !== undefined,
        ...(s ? { address: s.address, since: s.since } : {}),
        exposures,
        allowPorts: formatRanges(a.allowPorts),
        configuredPorts: a.ports.length,
      };
    });
    return {
      running: this.startedAt !== undefined,
      ...(this.bound && this.startedAt ? { listening: formatHostPort(this.bound.host, this.bound.port) } : {}),
      tls: this.tls,
      ...(this.tls && this.opts.identity ? { fingerprint: this.opts.identity.fingerprint } : {}),
      ...(this.startedAt ? { startedAt: this.startedAt } : {}),
      agents,
      warnings: [],
    };
  }

  /** Prometheus text exposition of the relay's gauges and counters (relay-metrics.ts). */
  metricsText(): string {
    return relayMetricsText({
      agents: this.opts.policy.agents.map((a) => {
        const s = this.sessions.get(a.name);
        return { name: a.name, exposures: s?.ports.size ?? 0, dataReady: s?.data?.size ?? 0 };
      }),
      online: this.sessions.size,
      sessionsAccepted: this.sessionsAccepted,
      handshakeFailures: this.handshakeFailures,
      admission: this.admission.stats(),
      publicRefused: this.publicRefused,
      totals: this.totals,
    });
  }
}
