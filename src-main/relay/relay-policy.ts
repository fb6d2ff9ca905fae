// Who may expose what on a relay: the port-proxy server config (`bind`, `proxy[].remote_name`,
// `port_list`) extended with tokens, ranges agents may ask for themselves, TLS, metrics and limits.

import { MIN_TOKEN_LENGTH, TOKEN_HOW_TO, tokenTooShort } from '../../src-shared/model/relay-token';
import type { RelayLimits } from './relay-limits';

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
  /** Admission and public-port limits (relay-limits.ts); unset fields keep their defaults. */
  limits?: Partial<RelayLimits>;
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

/** Agents whose token (their own, else the shared one) is too short to resist guessing. */
export function agentsWithWeakToken(policy: RelayPolicy): string[] {
  return policy.agents.filter((a) => tokenTooShort(a.token ?? policy.token)).map((a) => a.name);
}

/** Why a relay with such agents does not start, and what to do (`where`: the config file, if any). */
export function weakTokenMessage(names: string[], where?: string): string {
  const who = names.length === 1 ? `agent "${names[0]}" has a token` : `agents ${names.map((n) => `"${n}"`).join(', ')} have tokens`;
  return `${where ? `${where}: ` : ''}${who} shorter than ${MIN_TOKEN_LENGTH} characters, which can be guessed — ${TOKEN_HOW_TO}, and give the agent the same`;
}
