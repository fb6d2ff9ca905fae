import type { LocalRelayConfigInput, LocalRelaySettings } from '../../src-shared/api/contract';
import { isLoopbackHost, isWildcardHost } from '../../src-shared/format/address';
import { LocalRelayConfigSchema, TOKEN_TOO_SHORT, tokenTooShort } from '../../src-shared/model/relay';
import type { RouterMethod } from '../../src-shared/model/router';

// The Relay view's settings form (the relay this app runs) as strings, to and from
// relayServer.configure. Agent tokens are write-only: typed ones are sent, stored ones are only named.

export interface RelayAgentValues {
  /** Stable React key; not sent. */
  key: string;
  name: string;
  allowPorts: string;
  /** Typed this time ('' = keep the stored one, if any). */
  token: string;
}

export interface RelayServerFormValues {
  bindHost: string;
  bindPort: string;
  publicHost: string;
  tls: boolean;
  agents: RelayAgentValues[];
  /** "Open on router" for the agent port and the public ports. */
  routerEnabled: boolean;
  routerProtocol: RouterMethod;
  /** The saved lease (the form does not show it); undefined when the option was never saved. */
  routerLeaseSeconds: number | undefined;
}

/** Keys: `bindHost`, `bindPort`, `publicHost`, `agents.N.name`, `agents.N.allowPorts`, `agents.N.token`. */
export type RelayServerFieldErrors = Record<string, string>;

export const RELAY_TLS_OFF_WARNING = 'Without TLS agents cannot check this relay’s identity and the tunnels are not encrypted — only on a network you trust';
export const AGENT_TOKEN_MISSING = 'needs a token before the relay can start';
export const DEFAULT_ALLOW_PORTS = '20000-20100';

let nextKey = 0;
function agentKey(): string {
  nextKey += 1;
  return `agent-${nextKey}`;
}

export function newAgentValues(): RelayAgentValues {
  return { key: agentKey(), name: '', allowPorts: DEFAULT_ALLOW_PORTS, token: '' };
}

export function relayServerValuesFrom(settings: LocalRelaySettings): RelayServerFormValues {
  const c = settings.config;
  return {
    bindHost: c.bind.host,
    bindPort: String(c.bind.port),
    publicHost: c.publicHost,
    tls: c.tls,
    agents: c.agents.map((a) => ({ key: agentKey(), name: a.name, allowPorts: a.allowPorts, token: '' })),
    routerEnabled: c.router?.enabled ?? false,
    routerProtocol: c.router?.protocol ?? 'auto',
    routerLeaseSeconds: c.router?.leaseSeconds,
  };
}

function portValue(text: string): number {
  const t = text.trim();
  return t === '' ? NaN : Number(t);
}

export function relayServerConfigFrom(v: RelayServerFormValues): LocalRelayConfigInput {
  return {
    bind: { host: v.bindHost.trim(), port: portValue(v.bindPort) },
    publicHost: v.publicHost.trim() || '127.0.0.1',
    tls: v.tls,
    agents: v.agents.map((a) => ({ name: a.name.trim(), allowPorts: a.allowPorts.trim() })),
    // Settings that never had the option keep none (they save as before).
    ...(v.routerEnabled || v.routerLeaseSeconds !== undefined
      ? { router: { enabled: v.routerEnabled, protocol: v.routerProtocol, ...(v.routerLeaseSeconds !== undefined ? { leaseSeconds: v.routerLeaseSeconds } : {}) } }
      : {}),
  };
}

/** Which of the relay's addresses the router cannot reach (loopback), while "Open on router" is on. */
export function relayRouterLoopback(v: RelayServerFormValues): Array<'bindHost' | 'publicHost'> {
  if (!v.routerEnabled) return [];
  return (['bindHost', 'publicHost'] as const).filter((k) => isLoopbackHost(v[k].trim() || '127.0.0.1'));
}

/** Tokens typed this time, by (trimmed) agent name. */
export function tokensFrom(v: RelayServerFormValues): Record<string, string> {
  const tokens: Record<string, string> = {};
  for (const a of v.agents) if (a.token !== '' && a.name.trim() !== '') tokens[a.name.trim()] = a.token;
  return tokens;
}

/** The form differs from the saved settings (or a token was typed). */
export function relayServerDirty(v: RelayServerFormValues, settings: LocalRelaySettings | null): boolean {
  if (!settings) return true;
  if (Object.keys(tokensFrom(v)).length > 0) return true;
  const saved = settings.config;
  const now = relayServerConfigFrom(v);
  const agents = (list: ReadonlyArray<{ name: string; allowPorts: string }>) => JSON.stringify(list.map((a) => [a.name, a.allowPorts]));
  return (
    now.bind.host !== saved.bind.host ||
    now.bind.port !== saved.bind.port ||
    now.publicHost !== saved.publicHost ||
    now.tls !== saved.tls ||
    agents(now.agents ?? []) !== agents(saved.agents) ||
    (now.router?.enabled ?? false) !== (saved.router?.enabled ?? false) ||
    (now.router?.protocol ?? 'auto') !== (saved.router?.protocol ?? 'auto')
  );
}

const PATH_TO_FIELD: Record<string, string> = {
  'bind.host': 'bindHost',
  'bind.port': 'bindPort',
  bind: 'bindPort',
  publicHost: 'publicHost',
};

/** `config.agents.0.name` (the host) or `agents.0.name` (zod) → `agents.0.name`; bind → bindHost/bindPort. */
function fieldOf(path: string): string | undefined {
  const p = path.replace(/^config\./, '');
  if (PATH_TO_FIELD[p]) return PATH_TO_FIELD[p];
  return /^agents\.\d+\.(name|allowPorts)$/.test(p) ? p : undefined;
}

export function relayServerIssuesToFields(issues: readonly { path: string | readonly PropertyKey[]; message: string }[]): {
  fields: RelayServerFieldErrors;
  other: string[];
} {
  const fields: RelayServerFieldErrors = {};
  const other: string[] = [];
  for (const issue of issues) {
    const raw = typeof issue.path === 'string' ? issue.path : issue.path.map(String).join('.');
    const field = fieldOf(raw);
    if (field) fields[field] ??= field === 'bindPort' ? 'port must be between 1 and 65535' : issue.message;
    else other.push(raw ? `${raw}: ${issue.message}` : issue.message);
  }
  return { fields, other };
}

export interface RelayServerFormCheck {
  errors: RelayServerFieldErrors;
  warnings: RelayServerFieldErrors;
  other: string[];
  valid: boolean;
}

/** `withToken`: the agent names with a stored token (from relayServer.settings). */
export function checkRelayServerForm(v: RelayServerFormValues, withToken: readonly string[]): RelayServerFormCheck {
  const parsed = LocalRelayConfigSchema.safeParse(relayServerConfigFrom(v));
  const { fields: errors, other } = parsed.success ? { fields: {}, other: [] } : relayServerIssuesToFields(parsed.error.issues);
  const seen = new Set<string>();
  v.agents.forEach((a, i) => {
    const name = a.name.trim();
    if (name !== '' && seen.has(name)) errors[`agents.${i}.name`] ??= 'another agent has this name — names must be unique';
    seen.add(name);
    // The relay refuses to start with a short token (it could be guessed).
    if (tokenTooShort(a.token)) errors[`agents.${i}.token`] ??= TOKEN_TOO_SHORT;
  });
  const warnings: RelayServerFieldErrors = {};
  const host = v.bindHost.trim();
  if (!errors.bindHost && isWildcardHost(host)) warnings.bindHost = 'Listening on all interfaces: agents (and anyone) on the network can reach the relay';
  else if (!errors.bindHost && host !== '' && !isLoopbackHost(host)) warnings.bindHost = `Listening on ${host}: other machines can reach the relay`;
  v.agents.forEach((a, i) => {
    if (a.token === '' && !withToken.includes(a.name.trim())) warnings[`agents.${i}.token`] = AGENT_TOKEN_MISSING;
  });
  return { errors, warnings, other, valid: Object.keys(errors).length === 0 && other.length === 0 };
}

/** A random token (24 bytes, base64url) to give an agent. */
export function generateToken(): string {
  const bytes = new Uint8Array(24);
  crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
