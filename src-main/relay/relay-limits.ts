// What an internet-facing relay allows strangers before and after the handshake (issue 14): one
// deadline for TLS plus the Porthole handshake, caps on handshakes in progress (in all and per source
// address), growing delays and then a temporary refusal for addresses whose handshakes keep failing,
// and a connection cap and idle timeout for each public port. The relay YAML's `limits:` map sets
// them (port-proxy-profile.ts); RelayServerOptions.limits overrides that (tests use short ones).

export interface RelayLimits {
  /** From TCP accept to an authenticated agent (TLS and the Porthole handshake together). */
  handshakeTimeoutMs: number;
  /** Connections that have not authenticated yet, in all. */
  maxPendingHandshakes: number;
  /** Connections that have not authenticated yet, from one source address (IPv6: one /64). */
  maxPendingPerAddress: number;
  /** Failed handshakes (wrong token or unknown agent name) from one address within failureWindowMs before it is refused. */
  maxFailedHandshakes: number;
  failureWindowMs: number;
  /** How long an address is refused; doubles for each further refusal within maxBlockMs, up to maxBlockMs. */
  blockMs: number;
  maxBlockMs: number;
  /** The wait before the relay reads the next handshake from an address after its first failure; doubles per failure. */
  failureDelayMs: number;
  maxFailureDelayMs: number;
  /** Source addresses remembered for failures (the oldest ones are forgotten first). */
  maxTrackedAddresses: number;
  /** Open TCP connections per public port; 0 = no limit. Beyond it new ones are reset. */
  maxConnections: number;
  /** Close a public TCP connection with no bytes either way for this long; 0 = never. */
  idleTimeoutMs: number;
  /** A UDP peer with no datagram either way for this long is forgotten. */
  udpIdleTimeoutMs: number;
  /** UDP peers remembered per public port; datagrams from further peers are dropped. */
  maxUdpPeers: number;
  /**
   * Data connections per agent: TLS connections the agent dials ahead, each then carrying one public
   * TCP connection (data-protocol.ts). 0 = none: every public connection travels on an HTTP/2 stream of
   * the agent's one connection, as relays before data connections did.
   */
  maxDataConnections: number;
}

export const RELAY_LIMIT_FIELDS = [
  'handshakeTimeoutMs',
  'maxPendingHandshakes',
  'maxPendingPerAddress',
  'maxFailedHandshakes',
  'failureWindowMs',
  'blockMs',
  'maxBlockMs',
  'failureDelayMs',
  'maxFailureDelayMs',
  'maxTrackedAddresses',
  'maxConnections',
  'idleTimeoutMs',
  'udpIdleTimeoutMs',
  'maxUdpPeers',
  'maxDataConnections',
] as const satisfies ReadonlyArray<keyof RelayLimits>;

export const DEFAULT_RELAY_LIMITS: Readonly<RelayLimits> = Object.freeze({
  handshakeTimeoutMs: 10_000,
  maxPendingHandshakes: 64,
  maxPendingPerAddress: 8,
  maxFailedHandshakes: 10,
  failureWindowMs: 10 * 60_000,
  blockMs: 5 * 60_000,
  maxBlockMs: 60 * 60_000,
  failureDelayMs: 250,
  maxFailureDelayMs: 4000,
  maxTrackedAddresses: 4096,
  // Room for a busy web site's browsers, far below a default 1,024-descriptor process limit × ports.
  maxConnections: 1024,
  // Off like TCP forwards: SSH and database sessions through a relay sit idle legitimately, and
  // keepalive already finds peers that vanished; the cap bounds what idle connections can hold.
  idleTimeoutMs: 0,
  udpIdleTimeoutMs: 60_000,
  maxUdpPeers: 10_000,
  // rathole keeps 8 ready per service, frp a configured pool; the pool here grows from 8 on demand.
  maxDataConnections: 64,
});

/** The defaults, then each later source's fields over them. */
export function resolveRelayLimits(...layers: Array<Partial<RelayLimits> | undefined>): RelayLimits {
  const out: RelayLimits = { ...DEFAULT_RELAY_LIMITS };
  for (const layer of layers) {
    if (!layer) continue;
    for (const [k, v] of Object.entries(layer) as Array<[keyof RelayLimits, number | undefined]>) if (v !== undefined) out[k] = v;
  }
  return out;
}

/** The YAML keys of the relay config's `limits:` map, their fields, and their bounds (durations in ms). */
export const LIMIT_KEYS: ReadonlyArray<{ key: string; field: keyof RelayLimits; kind: 'count' | 'duration'; min: number; max: number }> = [
  { key: 'handshake_timeout', field: 'handshakeTimeoutMs', kind: 'duration', min: 1000, max: 10_000 },
  { key: 'max_pending_handshakes', field: 'maxPendingHandshakes', kind: 'count', min: 1, max: 100_000 },
  { key: 'max_pending_per_address', field: 'maxPendingPerAddress', kind: 'count', min: 1, max: 100_000 },
  { key: 'max_failed_handshakes', field: 'maxFailedHandshakes', kind: 'count', min: 1, max: 10_000 },
  { key: 'failure_window', field: 'failureWindowMs', kind: 'duration', min: 1000, max: 24 * 3600_000 },
  { key: 'block_for', field: 'blockMs', kind: 'duration', min: 1000, max: 24 * 3600_000 },
  { key: 'max_connections', field: 'maxConnections', kind: 'count', min: 0, max: 1_000_000 },
  { key: 'idle_timeout', field: 'idleTimeoutMs', kind: 'duration', min: 0, max: 7 * 24 * 3600_000 },
  { key: 'udp_idle_timeout', field: 'udpIdleTimeoutMs', kind: 'duration', min: 1000, max: 24 * 3600_000 },
  { key: 'max_data_connections', field: 'maxDataConnections', kind: 'count', min: 0, max: 1024 },
];

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3600_000 };

/** `30` (seconds), `"500ms"`, `"10s"`, `"5m"`, `"1h"` → milliseconds; undefined when not a duration. */
export function parseDuration(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.round(v * 1000) : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$/.exec(v);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 's']!);
}

/** `300000` → `5 min`, for log lines and messages. */
export function formatSpan(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 3600_000) return `${Math.round(ms / 6000) / 10} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}
