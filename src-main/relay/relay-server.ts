import { EventEmitter } from 'node:events';
import { createServer as createNetServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { formatHostPort } from '../../src-shared/format/address';
import { said } from '../../src-shared/model/log-text';
import type { RelayAgentStatus, RelayExposureStatus, RelayServerStatus } from '../../src-shared/model/relay';
import { listenOn } from '../engine/listen';
import { type AdmissionStats, RelayAdmission } from './admission';
import { installLeanAsyncBind } from './async-bind';
import { acceptAgent } from './relay-accept';
import type { RelayLimits } from './relay-limits';
import { agentsWithWeakToken, formatRanges, weakTokenMessage } from './relay-policy';
import { relayMetricsText } from './relay-metrics';
import { endSession } from './relay-session-life';
import { RelayState, type RelayServerOptions } from './relay-state';
import { RELAY_TLS_SECURE_OPTIONS, TLS_CIPHERSUITES } from './tls-suites';

export type { RelayLog, RelayServerOptions } from './relay-state';

interface RelayServerEvents {
  /** Agents, exposures or counters changed shape (not sent per byte: poll status() for counters). */
  changed: [];
}

/**
 * The relay: listens for agents (TLS by default), authenticates each with the HMAC handshake, opens
 * the public ports its policy gives that agent, and carries each public TCP connection to the agent on
 * a data connection of its own from the agent's pool (data-protocol.ts, relay-data.ts) when the agent
 * took the offer, else on an HTTP/2 stream of its own; a UDP port's datagrams share one HTTP/2 stream.
 * A new session of an agent name replaces the old one and re-binds its ports.
 * The work is done by functions of its state (relay-state.ts): relay-accept.ts, relay-control.ts,
 * relay-session-life.ts and relay-public.ts.
 */
export class RelayServer extends EventEmitter<RelayServerEvents> {
  private readonly st: RelayState;
  private startedAt: number | undefined;
  private bound: { host: string; port: number } | undefined;
  readonly limits: RelayLimits;
  private readonly admission: RelayAdmission;

  constructor(private readonly opts: RelayServerOptions) {
    super();
    // Every public connection on an HTTP/2 stream is a ClientHttp2Session#request(), which binds an AsyncResource.
    installLeanAsyncBind();
    this.st = new RelayState(opts, () => this.emit('changed'));
    this.limits = this.st.limits;
    this.admission = new RelayAdmission(this.limits, this.st.log);
  }

  /** Connections to the agent port whose TLS or handshake failed (bad input, wrong token, deadline, a refused data connection). */
  get handshakeFailures(): number {
    return this.admission.stats().failed;
  }

  /** Handshakes in progress and what admission control refused or dropped, since start. */
  admissionStats(): AdmissionStats {
    return this.admission.stats();
  }

  /** Public connections refused at a port's max_connections. */
  get publicRefused(): number {
    return this.st.publicRefused;
  }

  /** Agent sessions that passed the handshake, since the relay was made. */
  get sessionsAccepted(): number {
    return this.st.sessionsAccepted;
  }

  get tls(): boolean {
    return this.st.tls;
  }

  async start(): Promise<{ host: string; port: number }> {
    const p = this.opts.policy;
    if (this.tls && !this.opts.identity) throw new Error('the relay needs its TLS identity (certificate and key) unless tls is off');
    const weak = agentsWithWeakToken(p);
    if (weak.length > 0) throw new Error(weakTokenMessage(weak));
    // Admission's deadline closes sockets; Node's TLS timeout (later, as a backstop) only reports.
    const server = this.tls
      ? createTlsServer({ cert: this.opts.identity!.cert, key: this.opts.identity!.key, ALPNProtocols: ['porthole-relay/1'], minVersion: 'TLSv1.3', ciphers: TLS_CIPHERSUITES, secureOptions: RELAY_TLS_SECURE_OPTIONS, honorCipherOrder: true, handshakeTimeout: this.limits.handshakeTimeoutMs + 1000 })
      : createNetServer();
    this.admission.guard(server, this.tls, (socket, ticket) => void acceptAgent(this.st, socket, ticket));
    this.st.listener = server;
    this.bound = await listenOn(server, p.bind.host, p.bind.port, (err) => this.st.log('error', ...said('relayListenerError', { error: err.message })));
    this.startedAt = Date.now();
    return this.bound;
  }

  get address(): { host: string; port: number } | undefined {
    return this.bound;
  }

  async stop(): Promise<void> {
    const listener = this.st.listener;
    this.st.listener = undefined;
    const closing = listener ? new Promise<void>((r) => listener.close(() => r())) : Promise.resolve();
    await Promise.all([...this.st.sessions.values()].map((s) => endSession(this.st, s, 'shutdown', 'the relay is stopping')));
    this.admission.close();
    for (const s of this.st.sockets) s.destroy();
    await closing;
    this.startedAt = undefined;
    this.emit('changed');
  }

  /** An agent's data-connection pool: ready connections, tickets out, the size it aims at; undefined without one. */
  dataPool(agent: string): { ready: number; outstanding: number; target: number; admitted: number; taken: number; missed: number; passed: number } | undefined {
    const d = this.st.sessions.get(agent)?.data;
    return d ? { ready: d.size, outstanding: d.outstanding, target: d.target, admitted: d.stats.admitted, taken: d.stats.taken, missed: d.stats.missed, passed: d.stats.passed } : undefined;
  }

  status(): RelayServerStatus {
    const agents: RelayAgentStatus[] = this.opts.policy.agents.map((a) => {
      const s = this.st.sessions.get(a.name);
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
        const s = this.st.sessions.get(a.name);
        return { name: a.name, exposures: s?.ports.size ?? 0, dataReady: s?.data?.size ?? 0 };
      }),
      online: this.st.sessions.size,
      sessionsAccepted: this.st.sessionsAccepted,
      handshakeFailures: this.handshakeFailures,
      admission: this.admission.stats(),
      publicRefused: this.st.publicRefused,
      totals: this.st.totals,
    });
  }
}
