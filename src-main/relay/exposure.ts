import { EventEmitter } from 'node:events';
import type { Endpoint } from '../../src-shared/model/primitives';
import { ByteMeter, METER_CELLS, type MeterSnapshot, readSharedMeter } from '../engine/byte-meter';
import type { EngineError } from '../engine/engine-error';
import type { TapFactory } from '../engine/stream-tap';
import type { RemoteAgentSession } from '../dataplane/remote-agent-session';
import type { DataPlaneStoppedError } from '../dataplane/stopped-error';
import type { HttpExchange } from './http-log';
import type { ExposureInfo } from './protocol';

// One exposure of a relay agent (relay-agent.ts): what it asks for, its counters and live connections,
// here and — for data connections the data plane carries — in the data plane worker.

export interface ExposureSpec {
  /** The agent's own id for it (e.g. the rule id). */
  ref: string;
  name?: string;
  protocol: 'tcp' | 'udp';
  kind: 'tcp' | 'http';
  /** 0: the relay picks a port its policy allows. */
  remotePort: number;
  target: Endpoint;
  connectTimeoutMs?: number;
  /** Observes each TCP connection's bytes (the HTTP inspector); never sent to the relay. */
  tap?: TapFactory;
}

export interface ExposureConnection {
  id: number;
  client: string;
  openedAt: number;
  bytesIn: number;
  bytesOut: number;
  state: 'connecting' | 'open';
}

export interface ExposureEvents {
  bound: [ExposureInfo];
  /** The relay refused it, or the session carrying it went away (`unbound`: waiting for the next session). */
  failed: [EngineError];
  unbound: [];
  'connection-open': [{ client: string }];
  'connection-close': [{ client: string; bytesIn: number; bytesOut: number; durationMs: number }];
  'connection-error': [{ client: string; error: EngineError }];
  http: [HttpExchange & { client: string }];
  /** The data plane carrying this exposure's data connections stopped (its connections there are gone). */
  'plane-lost': [DataPlaneStoppedError];
}

/** Connections in the data plane get ids from here up, apart from the ones this thread tracks. */
export const PLANE_ID_BASE = 2 ** 40;

/** One exposure the agent asked for (or the relay assigned): its binding, counters and live connections. */
export class Exposure extends EventEmitter<ExposureEvents> {
  readonly meter = new ByteMeter();
  info: ExposureInfo | undefined;
  lastError: EngineError | undefined;
  readonly conns = new Map<number, ExposureConnection & { kill(): void }>();
  /** Where the data plane serves this exposure's data connections in the current session, if it does. */
  remote: { session: RemoteAgentSession; x: string } | undefined;
  /** The data plane's meter cells for this exposure (only the worker writes them), kept across sessions. */
  private planeCells: SharedArrayBuffer | undefined;
  private nextId = 1;

  constructor(readonly spec: ExposureSpec) {
    super();
  }

  connections(): ExposureConnection[] {
    return [...this.conns.values()].map(({ kill: _kill, ...c }) => c);
  }

  /** Totals of this thread's connections and the data plane's. */
  snapshot(): MeterSnapshot {
    const a = this.meter.snapshot();
    if (!this.planeCells) return a;
    const b = readSharedMeter(this.planeCells);
    return { bytesIn: a.bytesIn + b.bytesIn, bytesOut: a.bytesOut + b.bytesOut, activeConnections: a.activeConnections + b.activeConnections, totalConnections: a.totalConnections + b.totalConnections };
  }

  /** Connections here and in the data plane (ids from PLANE_ID_BASE up). */
  async allConnections(): Promise<ExposureConnection[]> {
    const here = this.connections();
    const r = this.remote;
    if (!r) return here;
    const there = await r.session.connections(r.x);
    return [...here, ...there.map((c) => ({ ...c, id: c.id + PLANE_ID_BASE, state: c.state === 'open' ? ('open' as const) : ('connecting' as const) }))];
  }

  closeAnyConnection(id: number): boolean | Promise<boolean> {
    if (id < PLANE_ID_BASE) return this.closeConnection(id);
    const r = this.remote;
    return r ? r.session.closeConnection(r.x, id - PLANE_ID_BASE) : false;
  }

  /** @internal The cells the data plane counts into. */
  planeMeter(): SharedArrayBuffer {
    return (this.planeCells ??= new SharedArrayBuffer(METER_CELLS * Float64Array.BYTES_PER_ELEMENT));
  }

  /** @internal The data plane stopped: its connections are gone (no thread writes the cells now). */
  planeGone(): void {
    this.remote = undefined;
    if (this.planeCells) new Float64Array(this.planeCells)[2] = 0;
  }

  closeConnection(id: number): boolean {
    const c = this.conns.get(id);
    if (!c) return false;
    c.kill();
    return true;
  }

  /** @internal */
  track(client: string, kill: () => void): ExposureConnection & { kill(): void } {
    const c = { id: this.nextId++, client, openedAt: Date.now(), bytesIn: 0, bytesOut: 0, state: 'connecting' as const, kill };
    this.conns.set(c.id, c);
    return c;
  }
}
