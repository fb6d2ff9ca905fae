import { type LineLog, said } from '../../src-shared/model/log-text';
import type { DataPlane } from '../dataplane/data-plane';
import type { AgentSessionSpec, AgentStats, PlaneEvent } from '../dataplane/protocol';
import type { RemoteAgentSession } from '../dataplane/remote-agent-session';
import { DataPlaneStoppedError } from '../dataplane/stopped-error';
import { EngineError } from '../engine/engine-error';
import type { AgentDataConns } from './agent-data';
import type { Exposure } from './exposure';

export interface AgentDataRouteOptions {
  /** Absent: data connections stay in this thread (a RelayAgent made without the service, `porthole agent`). */
  plane?: DataPlane;
  /** How the data plane reaches and verifies the relay for this session. */
  planeSpec(): AgentSessionSpec;
  /** An exposure of the agent already needs this thread (an inspector tap): the session starts here. */
  needsLocal(): boolean;
  /** This thread's data connections for the session (agent-data-serve.ts dataConnsFor). */
  makeLocal(): AgentDataConns<Exposure>;
  log: LineLog;
  /** The data plane stopped under this session; called once per stop. */
  planeLost(err: DataPlaneStoppedError): void;
}

/**
 * Where one agent session's data connections live (issue 13): in the data plane worker when the
 * service gave the agent one — the worker dials them, proves the tickets and joins each public
 * connection with its target, off this thread's big heap — else here, as before.
 *
 * Exposures with an inspector tap need this thread (the inspector parses here): once one is named, the
 * session's later data connections are dialled here; the worker closes its idle ones and finishes the
 * connections it carries. If the worker stops, a new one takes the session's next tickets (its public
 * connections are gone and its rules restart); if it cannot live (crash loop), this thread does.
 */
export class AgentDataRoute {
  private local: AgentDataConns<Exposure> | undefined;
  private remote: RemoteAgentSession | undefined;
  /** Exposures named in this session (kept after unnaming: late close events still find theirs). */
  private readonly named = new Map<string, Exposure>();
  private drained = false;
  private closed = false;

  constructor(private readonly o: AgentDataRouteOptions) {
    if (o.plane && !o.needsLocal()) this.startRemote(o.plane);
    else this.local = o.makeLocal();
  }

  /** Tickets the relay granted on the control stream. */
  grant(ids: number[], exp: number): void {
    if (this.remote && !this.drained) this.remote.grant(ids, exp);
    else this.ensureLocal().grant(ids, exp);
  }

  /** The relay named exposure `x` in this session (TCP ones are served on data connections). */
  name(x: string, e: Exposure): void {
    this.named.set(x, e);
    if (e.spec.protocol === 'tcp' && e.spec.tap && this.remote && !this.drained) this.toLocal();
    if (this.remote && !this.drained && e.spec.protocol === 'tcp' && !e.spec.tap) {
      this.remote.expose({ x, kind: e.spec.kind, target: e.spec.target, connectTimeoutMs: e.spec.connectTimeoutMs ?? 10_000, meter: e.planeMeter() });
      e.remote = { session: this.remote, x };
    }
    this.local?.released(x);
  }

  unnamed(x: string): void {
    const e = this.named.get(x);
    if (e?.remote?.x === x) e.remote = undefined;
    this.remote?.unexpose(x);
  }

  /** This thread's counters (undefined when none are dialled here). */
  localStats(): { idle: number; dialled: number; failed: number; opened: number } | undefined {
    return this.local ? { idle: this.local.idle, ...this.local.stats } : undefined;
  }

  /** The data plane's counters for this session (undefined when it carries none). */
  async planeStats(): Promise<AgentStats | undefined> {
    return this.remote ? this.remote.stats() : undefined;
  }

  /** Session ended: every data connection of it is closed (here and in the data plane). */
  async close(): Promise<void> {
    this.closed = true;
    this.local?.close();
    const r = this.remote;
    this.remote = undefined;
    for (const e of this.named.values()) if (e.remote) e.remote = undefined;
    await r?.stop();
  }

  private ensureLocal(): AgentDataConns<Exposure> {
    return (this.local ??= this.o.makeLocal());
  }

  private toLocal(): void {
    this.drained = true;
    const local = this.ensureLocal();
    for (const x of this.named.keys()) local.released(x);
    // The tickets the worker had not used yet are still good here.
    void this.remote?.drain().then((left) => {
      if (this.closed) return;
      for (const t of left) local.grant([t.id], t.exp);
    });
  }

  private startRemote(plane: DataPlane): void {
    let remote: RemoteAgentSession;
    try {
      remote = plane.agentSession(this.o.planeSpec(), { event: (e) => this.onEvent(e), lost: (err) => this.onLost(remote, err) });
    } catch (err) {
      this.o.log('warn', ...said('agentDataStayMain', { error: (err as Error).message }));
      this.ensureLocal();
      return;
    }
    this.remote = remote;
    remote.started.catch((err: Error) => {
      if (this.remote !== remote || err instanceof DataPlaneStoppedError) return;
      this.o.log('warn', ...said('agentDataPlaneRefused', { error: err.message }));
      this.remote = undefined;
      for (const e of this.named.values()) if (e.remote?.session === remote) e.remote = undefined;
      this.ensureLocal();
    });
    // A session restarted on a new thread: name what the old one served.
    for (const [x, e] of this.named) this.name(x, e);
  }

  private onEvent(ev: PlaneEvent): void {
    if (ev.e === 'log') return this.o.log(ev.level, ev.message, ev.line);
    if (!('x' in ev)) return;
    const e = this.named.get(ev.x);
    if (!e) return;
    switch (ev.e) {
      case 'relay-open':
        e.emit('connection-open', { client: ev.client });
        return;
      case 'relay-close':
        e.emit('connection-close', { client: ev.client, bytesIn: ev.bytesIn, bytesOut: ev.bytesOut, durationMs: ev.durationMs });
        return;
      case 'relay-error':
        e.emit('connection-error', { client: ev.client, error: new EngineError(ev.error.code, ev.error.message) });
        return;
      case 'relay-http': {
        const { method, path, status, durationMs, client } = ev;
        e.emit('http', { method, path, status, durationMs, client, ...(ev.bodyBytes !== undefined ? { bodyBytes: ev.bodyBytes } : {}) });
        return;
      }
    }
  }

  private onLost(remote: RemoteAgentSession, err: DataPlaneStoppedError): void {
    if (this.remote !== remote) return;
    this.remote = undefined;
    for (const e of this.named.values()) e.planeGone();
    if (this.closed) return;
    this.o.planeLost(err);
    if (this.drained || !err.restartable || !this.o.plane) return void this.ensureLocal();
    const plane = this.o.plane;
    // After the plane's own bookkeeping of the stop: the next session starts a new thread.
    setImmediate(() => {
      if (!this.closed && !this.remote) this.startRemote(plane);
    });
  }
}
