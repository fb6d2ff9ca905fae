import { EventEmitter } from 'node:events';
import { RetrySchedule } from '../engine/backoff';
import type { EngineError } from '../engine/engine-error';
import type { AgentStats } from '../dataplane/protocol';
import { AgentContext, exposeMessage, type RelayAgentOptions } from './agent-context';
import { FATAL, toEngineError } from './agent-errors';
import { connectSession, teardownSession } from './agent-session';
import { Exposure, type ExposureSpec } from './exposure';

export type RelayAgentState = 'connecting' | 'ready' | 'retrying' | 'failed' | 'closed';

export type { PinStore, RelayAgentOptions } from './agent-context';
export { Exposure, PLANE_ID_BASE, type ExposureConnection, type ExposureEvents, type ExposureSpec } from './exposure';

export interface RelayAgentEvents {
  state: [RelayAgentState];
  /** A connection attempt failed or the session was lost (state says whether a retry follows). */
  down: [EngineError];
  ready: [];
}

/**
 * The agent: one connection to a relay (TLS, pinned certificate, HMAC handshake, then HTTP/2 with the
 * relay as the client). It serves the relay's streams by dialling the local targets, re-asks for every
 * exposure after each reconnect, and reconnects with backoff and jitter until close(). This class keeps
 * the state machine and the retries; each session is the work of functions of its state
 * (agent-context.ts): agent-session.ts and the parts it uses.
 */
export class RelayAgent extends EventEmitter<RelayAgentEvents> {
  state: RelayAgentState = 'connecting';
  lastError: EngineError | undefined;
  nextRetryAt: number | undefined;
  attempts = 0;
  private started = false;
  private readonly retry: RetrySchedule;
  private readonly ctx: AgentContext;

  constructor(opts: RelayAgentOptions) {
    super();
    this.retry = new RetrySchedule(opts.backoff);
    this.ctx = new AgentContext(opts, this.retry, {
      lost: (gen, err) => this.lost(gen, err),
      ready: () => {
        this.setState('ready');
        this.emit('ready');
      },
    });
  }

  get label(): string {
    return this.ctx.label;
  }

  /** The current session's id (the relay's), while there is one. */
  get session(): string | undefined {
    return this.ctx.session;
  }

  /** The certificate fingerprint seen on the last TLS connection. */
  get fingerprint(): string | undefined {
    return this.ctx.fingerprint;
  }

  /** TLS version and cipher of the last connection (diagnostics), e.g. `TLSv1.3 TLS_AES_128_GCM_SHA256`. */
  get tls(): string | undefined {
    return this.ctx.tls;
  }

  start(): void {
    if (this.started || this.state === 'closed') return;
    this.started = true;
    this.attempt();
  }

  /** Asks for a public port for a local target (now, or on the session's welcome); re-asked after every reconnect until unexpose(). */
  expose(spec: ExposureSpec): Exposure {
    if (this.ctx.own.has(spec.ref)) throw new Error(`exposure ${spec.ref} already exists`);
    const e = new Exposure(spec);
    this.ctx.own.set(spec.ref, e);
    this.ctx.send(exposeMessage(spec));
    return e;
  }

  unexpose(ref: string): void {
    const e = this.ctx.own.get(ref);
    if (!e) return;
    this.ctx.own.delete(ref);
    const live = this.ctx.live;
    if (e.info && live) {
      live.byId.delete(e.info.id);
      live.data?.unnamed(e.info.id);
    }
    for (const c of e.conns.values()) c.kill();
    this.ctx.send({ t: 'unexpose', ref });
  }

  exposures(): Exposure[] {
    return [...this.ctx.own.values()];
  }

  /** Ports the relay's config assigned to this agent, in the current session. */
  assigned(): Exposure[] {
    return [...this.ctx.assignedByPort.values()];
  }

  /** This session's data connections (idle ones, and counts since it began); undefined when the session has none. */
  dataConnections(): { idle: number; dialled: number; failed: number; opened: number } | undefined {
    return this.ctx.live?.data?.localStats();
  }

  /** This session's data connections in the data plane (undefined when the data plane carries none). */
  async dataPlaneConnections(): Promise<AgentStats | undefined> {
    return this.ctx.live?.data?.planeStats();
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
    this.ctx.generation++;
    this.setState('closed');
    await teardownSession(this.ctx);
  }

  private setState(s: RelayAgentState): void {
    if (this.state === s) return;
    this.state = s;
    this.emit('state', s);
  }

  private attempt(): void {
    const gen = ++this.ctx.generation;
    this.attempts++;
    this.nextRetryAt = undefined;
    this.setState('connecting');
    connectSession(this.ctx, gen).catch((err: unknown) => {
      if (gen !== this.ctx.generation) return;
      void teardownSession(this.ctx).then(() => {
        if (gen === this.ctx.generation) this.fail(toEngineError(err, this.label));
      });
    });
  }

  private lost(gen: number, err: EngineError): void {
    if (gen !== this.ctx.generation || this.state === 'closed') return;
    this.ctx.generation++;
    void teardownSession(this.ctx).then(() => this.fail(err));
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
