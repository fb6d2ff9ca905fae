// Who may expose what on a relay: the port-proxy server config (`bind`, `proxy[].remote_name`,
// `port_list`) extended with tokens, ranges agents may ask for themselves, TLS and metrics.

export interface RelayPortAssignment {
  type: 'tcp' | 'http' | 'udp';
  /** The relay's public listen address. */
  bind: { host: string; port: number };
  /** The port on the agent's machine (its loopback) the connections go to. */
  remotePort: number;
}

export interface RelayAgentPolicy {
  name: string;
  /** This agent's own token; else the policy's shared one. */
  token?: string;
  ports: RelayPortAssignment[];
  allowPorts: Array<{ from: number; to: number }>;
}

export interface RelayPolicy {
  bind: { host: string; port: number };
  token?: string;
  tls?: boolean;
  /** Host on which ports that agents ask for are opened (default 127.0.0.1). */
  publicHost?: string;
  metrics?: { host: string; port: number };
  agents: RelayAgentPolicy[];
}

export function formatRanges(ranges: Array<{ from: number; to: number }>): string {
  return ranges.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(', ');
}

export function inRanges(port: number, ranges: Array<{ from: number; to: number }>): boolean {
  return ranges.some((r) => port >= r.from && port <= r.to);
}

/** Agents that would have no token (so every client could claim their name). */
export function agentsWithoutToken(policy: RelayPolicy): string[] {
  return policy.agents.filter((a) => !(a.token ?? policy.token)).map((a) => a.name);
}
