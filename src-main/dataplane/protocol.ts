import type { RuleErrorCode } from '../../src-shared/model/errors';

// The messages between the control thread (service, API, SSH, stores) and the data plane (the worker
// thread that owns every socket of tcp-forward, udp-forward and socks rules). Both ends are built from
// one source, but the messages are still checked on arrival (cheap, and a bug then fails one request
// with a clear message instead of corrupting state). Pure: no Node modules, so the worker bundle stays
// small. Relay data connections are meant to move here too: they become new ListenerSpec kinds (a
// public relay port joined with pre-dialled data connections) and new ops (dial a data connection with
// a ticket), because a thread cannot be handed a socket: whatever carries data must be opened here.

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

/** Control → data plane. `rid` pairs a request with its reply; `lid` names a listener (chosen by control). */
export type PlaneRequest =
  | { op: 'start'; rid: number; lid: number; spec: ListenerSpec }
  | { op: 'stop'; rid: number; lid: number }
  | { op: 'connections'; rid: number; lid: number }
  | { op: 'close-connection'; rid: number; lid: number; id: number }
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

export interface GcCounts {
  /** Full (mark-compact) collections. */
  major: number;
  minor: number;
  incremental: number;
  weakcb: number;
  majorMs: number;
  minorMs: number;
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
  | { e: 'listener-error'; lid: number; error: WireError };

/** Data plane → control. */
export type PlaneMessage =
  | { t: 'ready'; protocol: number }
  | { t: 'reply'; rid: number; ok: true; value: unknown }
  | { t: 'reply'; rid: number; ok: false; error: WireError }
  | { t: 'events'; events: PlaneEvent[] };
