import type { IncomingHttpHeaders, ServerHttp2Session, ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import { formatHostPort } from '../../src-shared/format/address';
import type { LineLog } from '../../src-shared/model/log-text';
import type { BackoffOptions, RetrySchedule } from '../engine/backoff';
import type { EngineError } from '../engine/engine-error';
import type { TapFactory } from '../engine/stream-tap';
import type { DataPlane } from '../dataplane/data-plane';
import type { AgentDataRoute } from './agent-data-route';
import type { Exposure, ExposureSpec } from './exposure';
import { type AgentMessage, encodeLine } from './protocol';

// What the parts of the relay agent share (relay-agent.ts wires them): dialling the relay
// (agent-dial.ts), the session over that connection (agent-session.ts), its control stream
// (agent-control.ts), its data connections (agent-data-open.ts) and streams (agent-streams.ts). Each part
// is a function of this state; the two things they tell the agent itself go through `lost` and `ready`.

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

/** Where pinned relay certificate fingerprints live (a known_relays file, or the saved relay itself). */
export interface PinStore {
  get(host: string, port: number): string | undefined;
  set(host: string, port: number, fingerprint: string): void;
}

/** One session with the relay, from its handshake to its teardown. */
export interface Live {
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
  /** The relay's welcome arrived, and with it this session's requests for every exposure went out. */
  welcomed?: boolean;
  /** Relay exposure id → exposure, for this session. */
  byId: Map<string, Exposure>;
  /** Data streams that arrived before the control message naming their exposure id. */
  early: Map<string, Array<{ stream: ServerHttp2Stream; headers: IncomingHttpHeaders }>>;
  heartbeat?: NodeJS.Timeout;
  /** While a heartbeat PING waits for its answer: the deadline that calls the session lost. */
  heartbeatDeadline?: NodeJS.Timeout;
}

/** One relay agent's state, across its sessions. */
export class AgentContext {
  /** Bumped by each attempt, each lost session and close(): what an older generation began is dropped. */
  generation = 0;
  live: Live | undefined;
  session: string | undefined;
  /** The certificate fingerprint seen on the last TLS connection. */
  fingerprint: string | undefined;
  /** TLS version and cipher of the last connection (diagnostics), e.g. `TLSv1.3 TLS_AES_128_GCM_SHA256`. */
  tls: string | undefined;
  /** Exposures asked for by expose(), by ref: re-asked after every reconnect until unexpose(). */
  readonly own = new Map<string, Exposure>();
  /** Ports the relay's config assigned to this agent, in the current session. */
  readonly assignedByPort = new Map<string, Exposure>();
  /** One TLS context for every connection to the relay: made per tls.connect() it costs ~0.5 ms each data connection. */
  secureContext: SecureContext | undefined;
  /** The data plane stopped for good (crash loop): data connections are dialled here from now on. */
  planeBroken = false;
  /** The session of generation `gen` is lost: the agent tears it down and retries, or fails for good. */
  readonly lost: (gen: number, err: EngineError) => void;
  /** The relay welcomed this session. */
  readonly ready: () => void;

  constructor(
    readonly opts: RelayAgentOptions,
    readonly retry: RetrySchedule,
    on: { lost: (gen: number, err: EngineError) => void; ready: () => void },
  ) {
    this.lost = on.lost;
    this.ready = on.ready;
  }

  get label(): string {
    return `relay ${this.address}`;
  }

  get address(): string {
    return formatHostPort(this.opts.relay.host, this.opts.relay.port);
  }

  /**
   * Sends a message about an exposure, once the relay has welcomed the session; before that nothing is
   * sent, as the welcome asks for every exposure then. So each goes out once per session: relays before
   * relay-control.ts's inTurn() read lines side by side, and there a request sent twice opened two ports.
   */
  send(msg: AgentMessage): void {
    const live = this.live;
    const c = live?.control;
    if (live?.welcomed && c && !c.destroyed && c.writable) c.write(encodeLine(msg));
  }
}

/** The control message that asks the relay for `spec`'s public port. */
export function exposeMessage(s: ExposureSpec): AgentMessage {
  return { t: 'expose', ref: s.ref, protocol: s.protocol, kind: s.kind, remotePort: s.remotePort, ...(s.name ? { name: s.name.slice(0, 80) } : {}) };
}
