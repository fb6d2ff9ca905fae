import type { LogLine } from '../../src-shared/model/log-text';
import type { RuleErrorCode } from '../../src-shared/model/errors';

// The messages between the control thread (service, API, SSH, stores) and the data plane (the worker
// thread that owns every socket of tcp-forward, udp-forward and socks rules). Both ends are built from
// one source, but the messages are still checked on arrival (cheap, and a bug then fails one request
// with a clear message instead of corrupting state). Pure: no Node modules, so the worker bundle stays
// small. A relay agent's data connections run here too (the `agent-*` ops): a thread cannot be handed a
// socket, so the worker dials them itself, told per agent session how to reach and verify the relay,
// which tickets the relay granted and which exposures the session named; the control stream stays in
// the control thread.

/** Bumped on any incompatible change; the worker refuses a control thread that speaks another one. */
export const DATA_PLANE_PROTOCOL = 1;

export interface HostPort {
  host: string;
  port: number;
}

export interface TcpListenerSpec {
  kind: 'tcp';
  listen: HostPort;
  target: HostPort;
  connectTimeoutMs: number;
  /** 0: never. */
  idleTimeoutMs: number;
  keepAlive: boolean;
  /** 0: no limit. */
  maxConnections: number;
  /** CIDR lists; deny wins, an empty allow list allows everyone. */
  allow: string[];
  deny: string[];
  proxyProtocol: 'off' | 'v1' | 'v2';
}

/** A TCP forward with the options a new tcp-forward rule has (no limits, 10 s to connect, keepalive on). */
export function plainTcpListener(listen: HostPort, target: HostPort, over: Partial<TcpListenerSpec> = {}): TcpListenerSpec {
  return { kind: 'tcp', listen, target, connectTimeoutMs: 10_000, idleTimeoutMs: 0, keepAlive: true, maxConnections: 0, allow: [], deny: [], proxyProtocol: 'off', ...over };
}

export interface UdpListenerSpec {
  kind: 'udp';
  listen: HostPort;
  target: HostPort;
  idleTimeoutMs: number;
  maxSessions: number;
  allow: string[];
  deny: string[];
}

/** A SOCKS5 server that dials directly (the `socks` rule; `ssh-dynamic` dials through SSH and stays in control). */
export interface SocksListenerSpec {
  kind: 'socks';
  listen: HostPort;
  /** Dial timeout of each CONNECT. */
  connectTimeoutMs: number;
  handshakeTimeoutMs: number;
  auth?: { username: string; password: string };
  allow: string[];
  deny: string[];
  maxConnections: number;
}

export type ListenerSpec = TcpListenerSpec | UdpListenerSpec | SocksListenerSpec;
export type ListenerKind = ListenerSpec['kind'];

/** How the worker dials and verifies one relay agent session's data connections (relay/agent-data.ts). */
export interface AgentSessionSpec {
  relay: HostPort;
  tls: boolean;
  /** SNI (absent for an IP address). */
  servername?: string;
  /**
   * With TLS: the SHA-256 fingerprint (as Node's fingerprint256 prints it) that the control thread
   * verified on this session's control connection; a data connection presenting another is closed
   * before its ticket is sent.
   */
  fingerprint?: string;
  session: string;
  /** The session data key, hex. */
  key: string;
  /** "relay host:port", for messages. */
  label: string;
  connectTimeoutMs: number;
}

/** One exposure a session named: public connections for relay id `x` go to `target`. */
export interface AgentExposureSpec {
  x: string;
  kind: 'tcp' | 'http';
  target: HostPort;
  connectTimeoutMs: number;
  /** The exposure's ByteMeter cells in shared memory; only the worker writes them. */
  meter: SharedArrayBuffer;
}

export interface AgentStats {
  idle: number;
  dialled: number;
  failed: number;
  opened: number;
  /** Data connections closed because the relay presented a certificate other than the session's. */
  certRefused: number;
}

/** Control → data plane. `rid` pairs a request with its reply; `lid` names a listener (chosen by control). */
export type PlaneRequest =
  | { op: 'start'; rid: number; lid: number; spec: ListenerSpec }
  | { op: 'stop'; rid: number; lid: number }
  | { op: 'connections'; rid: number; lid: number }
  | { op: 'close-connection'; rid: number; lid: number; id: number }
  | { op: 'agent-start'; rid: number; lid: number; spec: AgentSessionSpec }
  | { op: 'agent-grant'; rid: number; lid: number; ids: number[]; exp: number }
  | { op: 'agent-expose'; rid: number; lid: number; exposure: AgentExposureSpec }
  | { op: 'agent-unexpose'; rid: number; lid: number; x: string }
  /** Stop dialling and close the idle data connections (the session's next ones are dialled by the control thread); answered with the tickets not dialled yet. */
  | { op: 'agent-drain'; rid: number; lid: number }
  | { op: 'agent-connections'; rid: number; lid: number; x: string }
  | { op: 'agent-close'; rid: number; lid: number; x: string; id: number }
  | { op: 'agent-stats'; rid: number; lid: number }
  /** Liveness check (the control's watchdog); answered with the GC counts when they are traced. */
  | { op: 'ping'; rid: number };

export interface WireError {
  code: RuleErrorCode;
  message: string;
}

export interface StartResult {
  host: string;
  port: number;
  /** The listener's ByteMeter cells (see ByteMeter.share), read by the control thread directly. */
  meter: SharedArrayBuffer;
}

export type WireConnectionState = 'connecting' | 'open' | 'half-closed' | 'active';

export interface WireConnection {
  id: number;
  client: string;
  openedAt: number;
  bytesIn: number;
  bytesOut: number;
  state: WireConnectionState;
}

export type RefusalReason = 'not-allowed' | 'max-connections' | 'max-sessions' | 'auth-failed';

/** What happened on a listener; batched into one `events` message per turn of the worker's loop. */
export type PlaneEvent =
  | { e: 'open'; lid: number; id: number; client: string }
  | {
      e: 'close';
      lid: number;
      id: number;
      client: string;
      bytesIn: number;
      bytesOut: number;
      durationMs: number;
      /** UDP sessions only. */
      packetsIn?: number;
      packetsOut?: number;
      reason?: string;
    }
  | { e: 'error'; lid: number; id?: number; client: string; error: WireError }
  | { e: 'refused'; lid: number; client: string; reason: RefusalReason }
  /** The listening socket failed after it started: the rule is broken. */
  | { e: 'listener-error'; lid: number; error: WireError }
  /** A public connection on a data connection of agent session `lid`, exposure `x`. */
  | { e: 'relay-open'; lid: number; x: string; client: string }
  | { e: 'relay-close'; lid: number; x: string; client: string; bytesIn: number; bytesOut: number; durationMs: number }
  | { e: 'relay-error'; lid: number; x: string; client: string; error: WireError }
  /** One HTTP exchange of a `kind: http` exposure (relay/http-log.ts, which loads no package). */
  | { e: 'relay-http'; lid: number; x: string; client: string; method: string; path: string; status: number; durationMs: number; bodyBytes?: number }
  | { e: 'log'; lid: number; level: 'info' | 'warn' | 'error'; message: string; line: LogLine };

/** Data plane → control. */
export type PlaneMessage =
  | { t: 'ready'; protocol: number }
  | { t: 'reply'; rid: number; ok: true; value: unknown }
  | { t: 'reply'; rid: number; ok: false; error: WireError }
  | { t: 'events'; events: PlaneEvent[] };
