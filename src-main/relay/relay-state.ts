import type { Server, Socket } from 'node:net';
import type { LineLog } from '../../src-shared/model/log-text';
import type { ByteMeter } from '../engine/byte-meter';
import { BurstLog } from './burst-log';
import { RelayDataPlane } from './relay-data';
import { DATA_POOL_DEFAULTS, type DataPoolOptions } from './relay-data-pool';
import type { RelayIdentity } from './relay-identity';
import { type RelayLimits, resolveRelayLimits } from './relay-limits';
import type { RelayPolicy } from './relay-policy';
import type { AgentSession } from './relay-session';

// What the parts of the relay server share (relay-server.ts wires them): the admission of agents
// (relay-accept.ts), each session's control stream (relay-control.ts) and life (relay-session-life.ts),
// and the public ports (relay-public.ts). Each part is a function of this state, not of the server.

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
  /** false: public TCP connections are net.Sockets even where raw handles are to be had (tests of that path). */
  rawHandles?: false;
  log?: RelayLog;
}

/** One relay server's state: its sessions, counters and settings. */
export class RelayState {
  /** The agent port's listener from start() to stop(); a session that finishes its handshake without one is dropped. */
  listener: Server | undefined;
  /** The live session of each agent name. */
  readonly sessions = new Map<string, AgentSession>();
  /** Every connection to the agent port (handshakes, sessions, data connections): stop() destroys them. */
  readonly sockets = new Set<Socket>();
  /** Cumulative counters per agent + protocol + public port, kept across sessions (for /metrics). */
  readonly totals = new Map<string, ByteMeter>();
  /** Numbers the relay's exposure ids (`x1`, `x2`, …) across sessions. */
  nextId = 1;
  /** Public connections refused at a port's max_connections, and the line saying so once per burst. */
  publicRefused = 0;
  readonly burst: BurstLog;
  sessionsAccepted = 0;
  readonly limits: RelayLimits;
  readonly data: RelayDataPlane;
  /** Whether agents are offered data connections (limits.max_data_connections > 0). */
  readonly offersData: boolean;

  /** The options' log, looked up at each line (none: lines go nowhere). */
  readonly log: RelayLog = (level, message, line) => this.opts.log?.(level, message, line);

  constructor(
    readonly opts: RelayServerOptions,
    /** Agents, exposures or counters changed shape: the server's 'changed' event. */
    readonly changed: () => void,
  ) {
    this.limits = resolveRelayLimits(opts.policy.limits, opts.limits);
    this.burst = new BurstLog(this.log);
    // limits.max_data_connections caps each agent's pool; 0 (or the option false) offers none.
    // Options given in code (tests, the bench) tune the pool but never lift the cap.
    const tuned = opts.dataConnections || {};
    const max = Math.min(this.limits.maxDataConnections, tuned.max ?? DATA_POOL_DEFAULTS.max);
    this.offersData = opts.dataConnections !== false && max > 0;
    const pool = { ...tuned, max, min: Math.min(tuned.min ?? DATA_POOL_DEFAULTS.min, max) };
    this.data = new RelayDataPlane({ tls: this.tls, pool, log: this.log });
  }

  get tls(): boolean {
    return this.opts.policy.tls !== false;
  }
}
