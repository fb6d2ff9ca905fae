import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { connect as netConnect } from 'node:net';
import type { SecureContext, TLSSocket } from 'node:tls';
import { formatHostPort } from '../../src-shared/format/address';
import { said } from '../../src-shared/model/log-text';
import { ByteMeter, METER_CELLS } from '../engine/byte-meter';
import { connectDeadline } from '../engine/connect-deadline';
import { AgentDataConns, RefusedError } from '../relay/agent-data';
import { serveTcpOnData, type ServedExposure } from '../relay/agent-data-serve';
import type { ExposureEvents } from '../relay/relay-agent';
import { agentSecureContext, connectToRelay, peerFingerprint } from '../relay/tls-suites';
import { toWireError } from './listeners';
import type { AgentExposureSpec, AgentSessionSpec, AgentStats, PlaneEvent, WireConnection } from './protocol';

// The data plane's side of relay agent sessions: per session the control thread started, the same
// AgentDataConns the control thread would run (relay/agent-data.ts), dialling from this thread, and
// the exposures it named, whose public connections are served here (relay/agent-data-serve.ts).

/** A ByteMeter over cells the control thread allocated (it reads them; only this thread writes). */
class SharedMeter extends ByteMeter {
  constructor(buffer: SharedArrayBuffer) {
    super();
    this.cells = new Float64Array(buffer, 0, METER_CELLS);
  }
}

type Conn = ReturnType<ServedExposure['track']> & { client: string; openedAt: number; kill(): void };

/** This thread's stand-in for the control thread's Exposure: serves its connections and reports them as events. */
class PlaneExposure extends EventEmitter<ExposureEvents> implements ServedExposure {
  readonly spec: ServedExposure['spec'];
  readonly meter: ByteMeter;
  readonly conns = new Map<number, Conn>();
  private nextId = 1;

  constructor(
    readonly x: string,
    s: AgentExposureSpec,
    lid: number,
    emit: (e: PlaneEvent) => void,
  ) {
    super();
    this.spec = { kind: s.kind, target: s.target, connectTimeoutMs: s.connectTimeoutMs };
    this.meter = new SharedMeter(s.meter);
    this.on('connection-open', (c) => emit({ e: 'relay-open', lid, x, client: c.client }));
    this.on('connection-close', (c) => emit({ e: 'relay-close', lid, x, ...c }));
    this.on('connection-error', (c) => emit({ e: 'relay-error', lid, x, client: c.client, error: toWireError(c.error) }));
    this.on('http', (h) => emit({ e: 'relay-http', lid, x, ...h }));
  }

  track(client: string, kill: () => void): Conn {
    const c: Conn = { id: this.nextId++, client, openedAt: Date.now(), bytesIn: 0, bytesOut: 0, state: 'connecting', kill };
    this.conns.set(c.id, c);
    return c;
  }

  rows(): WireConnection[] {
    return [...this.conns.values()].map((c) => ({ id: c.id, client: c.client, openedAt: c.openedAt, bytesIn: c.bytesIn, bytesOut: c.bytesOut, state: c.state }));
  }

  killAll(): void {
    for (const c of [...this.conns.values()]) c.kill();
  }
}

class AgentSession {
  private readonly exposures = new Map<string, PlaneExposure>();
  private readonly data: AgentDataConns<PlaneExposure>;
  private readonly sockets = new Set<Socket>();
  private context: SecureContext | undefined;
  private certRefused = 0;
  private drained = false;

  constructor(
    private readonly lid: number,
    private readonly spec: AgentSessionSpec,
    private readonly emit: (e: PlaneEvent) => void,
  ) {
    this.data = new AgentDataConns<PlaneExposure>({
      session: spec.session,
      key: Buffer.from(spec.key, 'hex'),
      dial: () => this.dial(),
      exposureFor: (x) => this.exposures.get(x),
      serve: (e, socket, peer) => serveTcpOnData(e, socket, peer),
      log: (level, message, line) => emit({ e: 'log', lid, level, message, line }),
      relay: formatHostPort(spec.relay.host, spec.relay.port),
    });
  }

  grant(ids: number[], exp: number): void {
    if (!this.drained) this.data.grant(ids, exp);
  }

  expose(s: AgentExposureSpec): void {
    this.exposures.get(s.x)?.killAll();
    this.exposures.set(s.x, new PlaneExposure(s.x, s, this.lid, this.emit));
    this.data.released(s.x);
  }

  unexpose(x: string): void {
    this.exposures.get(x)?.killAll();
    this.exposures.delete(x);
  }

  /** Idle and waiting data connections closed, no more dials; connections carrying traffic go on. */
  drain(): Array<{ id: number; exp: number }> {
    this.drained = true;
    return this.data.drain();
  }

  rows(x: string): WireConnection[] {
    return this.exposures.get(x)?.rows() ?? [];
  }

  close(x: string, id: number): boolean {
    const c = this.exposures.get(x)?.conns.get(id);
    c?.kill();
    return c !== undefined;
  }

  stats(): AgentStats {
    return { idle: this.data.idle, ...this.data.stats, certRefused: this.certRefused };
  }

  stop(): void {
    this.data.close();
    for (const e of this.exposures.values()) e.killAll();
    this.exposures.clear();
    for (const s of this.sockets) s.destroy();
  }

  /** Like dialRelay (relay/agent-dial.ts), and the certificate must be the very one the session's control connection presented. */
  private dial(): Promise<Socket> {
    const { relay, tls, servername, fingerprint, connectTimeoutMs } = this.spec;
    return new Promise<Socket>((resolve, reject) => {
      // (late is set right after the dial starts below, long before the timer can fire.)
      const timer = setTimeout(() => fail(late()), connectTimeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      // The pin is the check (as on the control connection).
      const secured = tls
        ? connectToRelay(relay.host, relay.port, { secureContext: (this.context ??= agentSecureContext()), ...(servername ? { servername } : {}) }, () => {
            clearTimeout(timer);
            const seen = peerFingerprint(socket as TLSSocket);
            if (!seen || seen !== fingerprint) {
              this.certRefused++;
              const [msg, line] = said('agentDataCertMismatch', { relay: formatHostPort(relay.host, relay.port), seen: seen ?? '(none)', expected: fingerprint ?? '(none)' });
              this.emit({ e: 'log', lid: this.lid, level: 'error', message: msg, line });
              return fail(new RefusedError(msg));
            }
            resolve(socket);
          })
        : undefined;
      const socket: Socket =
        secured?.socket ??
        netConnect({ host: relay.host, port: relay.port }, () => {
          clearTimeout(timer);
          resolve(socket);
        });
      const tcp = secured?.tcp;
      const late = connectDeadline(tcp ?? socket, relay.host, relay.port, connectTimeoutMs);
      // (A failed connect is the TCP socket's error; destroying the TLS socket closes it.)
      tcp?.once('error', fail);
      this.sockets.add(socket);
      socket.once('close', () => {
        this.sockets.delete(socket);
        // Destroyed by stop() while connecting: settle now rather than at the connect timeout.
        fail(new Error('the agent session ended'));
      });
      socket.once('error', fail);
    });
  }
}

/** Every relay agent session of this data plane, by its control-chosen id (shared with listeners). */
export class AgentSessionTable {
  private readonly live = new Map<number, AgentSession>();

  constructor(private readonly emit: (e: PlaneEvent) => void) {}

  start(lid: number, spec: AgentSessionSpec): void {
    if (this.live.has(lid)) throw new Error(`Data plane agent session ${lid} exists already`);
    this.live.set(lid, new AgentSession(lid, spec, this.emit));
  }

  get(lid: number): AgentSession | undefined {
    return this.live.get(lid);
  }

  stop(lid: number): void {
    this.live.get(lid)?.stop();
    this.live.delete(lid);
  }
}
