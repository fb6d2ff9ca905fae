import { parse as parseToml, TomlError } from 'smol-toml';
import { ProfileError } from './profile-error';
import { ratholeTransport } from './rathole-transport';
import {
  describe,
  hostPortOrThrow,
  type ImportedExpose,
  ImportedExposeSchema,
  type ImportedRelayServerConfig,
  ImportedRelayServerConfigSchema,
  ImportedRelaySchema,
  type ImportResult,
  normalizeProfileText,
  readProfileText,
  relayRef,
  truncateName,
  validated,
} from './relay-import';

// Imports a rathole config: the client half (`[client]`, `[client.services.NAME]`) as one relay and
// one expose per service; the server half (`[server]`, `[server.services.NAME]`) gives each service's
// public port (its bind_addr). A file with both halves (rathole's "unified" layout) uses both; a
// server-only file becomes the matching relay config (Porthole's relay takes rathole's server's place).
// Transports are reported alike whether written or implied: Porthole's relay always speaks TLS.

const WHAT = 'a rathole config';
type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

const CLIENT_HANDLED = new Set(['remote_addr', 'default_token', 'transport', 'services']);
const SERVER_HANDLED = new Set(['bind_addr', 'default_token', 'transport', 'services']);
const IGNORED_QUIETLY = new Set(['heartbeat_timeout', 'retry_interval', 'heartbeat_interval']);
const SERVICE_HANDLED = new Set(['type', 'token', 'local_addr']);
const SERVER_SERVICE_HANDLED = new Set(['type', 'token', 'bind_addr']);
/** One agent name for rathole's client: rathole has none, Porthole's relay needs one. */
export const RATHOLE_AGENT = 'rathole';

export function readRatholeProfile(file: string): ImportResult {
  return readRatholeText(readProfileText(file, WHAT), file);
}

interface ServerService {
  protocol: 'tcp' | 'udp';
  host: string;
  port: number;
  token?: string;
}

export function readRatholeText(raw: string, file: string): ImportResult {
  const text = normalizeProfileText(raw, file, WHAT);
  let doc: Table;
  try {
    doc = parseToml(text) as Table;
  } catch (err) {
    if (err instanceof TomlError) throw new ProfileError(`${file}:${err.line}: not valid TOML: ${err.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '')}`);
    throw new ProfileError(`${file}: not valid TOML: ${(err as Error).message}`);
  }
  const rows = text.split('\n');
  const lineOf = (re: RegExp): number => {
    const i = rows.findIndex((l) => re.test(l));
    return i < 0 ? 1 : i + 1;
  };
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const sectionLine = (half: string, name: string) => lineOf(new RegExp(`^\\s*\\[\\s*${half}\\.services\\.(${esc(name)}|"${esc(name)}")\\s*\\]`));
  const warnings: string[] = [];
  const { client, server } = doc;
  if (client === undefined && server === undefined) throw new ProfileError(`${file}: no [client] or [server] section — not ${WHAT}`);
  for (const k of Object.keys(doc)) if (k !== 'client' && k !== 'server') warnings.push(`${file}:${lineOf(new RegExp(`^\\s*\\[?\\s*${esc(k)}\\b`))}: unknown key "${k}" ignored`);

  // The server half: the public port of each service.
  const services = new Map<string, ServerService>();
  let serverHalf: { bind: { host: string; port: number }; token?: string } | undefined;
  if (server !== undefined) {
    const at = `${file}:${lineOf(/^\s*\[\s*server\s*\]/)}`;
    if (!isTable(server)) throw new ProfileError(`${at}: server: expected a table, found ${describe(server)}`);
    for (const k of Object.keys(server)) if (!SERVER_HANDLED.has(k) && !IGNORED_QUIETLY.has(k)) warnings.push(`${file}:${lineOf(new RegExp(`^\\s*${esc(k)}\\s*=`))}: server.${k} is not supported by Porthole; ignored`);
    if (typeof server.bind_addr !== 'string') throw new ProfileError(`${at}: server.bind_addr: ${server.bind_addr === undefined ? "missing (the HOST:PORT rathole's server listens on for clients)" : `expected "HOST:PORT", found ${describe(server.bind_addr)}`}`);
    const bind = hostPortOrThrow(`${file}:${lineOf(/^\s*bind_addr\s*=/)}`, 'server.bind_addr', server.bind_addr);
    if (server.default_token !== undefined && typeof server.default_token !== 'string') throw new ProfileError(`${file}:${lineOf(/^\s*default_token\s*=/)}: server.default_token: expected a string, found ${describe(server.default_token)}`);
    if (client === undefined) ratholeTransport(server.transport, 'server', `${file}:${lineOf(/^\s*\[\s*server\.transport\s*\]/)}`, at, warnings);
    const list = server.services;
    if (list !== undefined && !isTable(list)) throw new ProfileError(`${at}: server.services: expected tables [server.services.NAME], found ${describe(list)}`);
    for (const [name, s] of Object.entries(list ?? {})) {
      const sAt = `${file}:${sectionLine('server', name)}`;
      const label = `server service "${name}"`;
      if (!isTable(s)) throw new ProfileError(`${sAt}: ${label}: expected a table, found ${describe(s)}`);
      for (const k of Object.keys(s)) if (!SERVER_SERVICE_HANDLED.has(k)) warnings.push(`${sAt}: ${label}: ${k} is not supported by Porthole; ignored`);
      const type = s.type ?? 'tcp';
      if (type !== 'tcp' && type !== 'udp') throw new ProfileError(`${sAt}: ${label}: type ${describe(type)}: expected "tcp" or "udp"`);
      if (typeof s.bind_addr !== 'string') throw new ProfileError(`${sAt}: ${label}: bind_addr: ${s.bind_addr === undefined ? 'missing (the public HOST:PORT of the service)' : `expected "HOST:PORT", found ${describe(s.bind_addr)}`}`);
      if (s.token !== undefined && typeof s.token !== 'string') throw new ProfileError(`${sAt}: ${label}: token: expected a string, found ${describe(s.token)}`);
      const b = hostPortOrThrow(sAt, `${label}: bind_addr`, s.bind_addr);
      services.set(name, { protocol: type, host: b.host, port: b.port, ...(s.token !== undefined ? { token: s.token } : {}) });
    }
    const token = (server.default_token as string | undefined) ?? sharedToken([...services.values()].map((s) => s.token));
    serverHalf = { bind, ...(token !== undefined && token !== '' ? { token } : {}) };
  }
  if (client === undefined) return serverOnly(file, serverHalf!, services, warnings);

  const clientLine = lineOf(/^\s*\[\s*client\s*\]/);
  const at = `${file}:${clientLine}`;
  if (!isTable(client)) throw new ProfileError(`${at}: client: expected a table, found ${describe(client)}`);
  for (const k of Object.keys(client)) {
    if (!CLIENT_HANDLED.has(k) && !IGNORED_QUIETLY.has(k)) warnings.push(`${file}:${lineOf(new RegExp(`^\\s*${esc(k)}\\s*=`))}: client.${k} is not supported by Porthole; ignored`);
  }
  if (typeof client.remote_addr !== 'string') throw new ProfileError(`${at}: client.remote_addr: ${client.remote_addr === undefined ? "missing (the server's HOST:PORT)" : `expected "HOST:PORT", found ${describe(client.remote_addr)}`}`);
  const ep = hostPortOrThrow(`${file}:${lineOf(/^\s*remote_addr\s*=/)}`, 'client.remote_addr', client.remote_addr);
  if (client.default_token !== undefined && typeof client.default_token !== 'string') throw new ProfileError(`${file}:${lineOf(/^\s*default_token\s*=/)}: client.default_token: expected a string, found ${describe(client.default_token)}`);
  ratholeTransport(client.transport, 'client', `${file}:${lineOf(/^\s*\[\s*client\.transport\s*\]/)}`, at, warnings);

  const list = client.services;
  if (list !== undefined && !isTable(list)) throw new ProfileError(`${at}: client.services: expected tables [client.services.NAME], found ${describe(list)}`);
  const entries = Object.entries(list ?? {});
  const defaultToken = client.default_token as string | undefined;
  // One relay, one token: the default token, else the token every service shares.
  const token = defaultToken ?? sharedToken(entries.map(([, s]) => (isTable(s) && typeof s.token === 'string' ? s.token : undefined)));

  const relay = validated(
    ImportedRelaySchema,
    {
      ref: relayRef('rathole', ep.host, ep.port),
      name: truncateName(`rathole ${client.remote_addr}`),
      host: ep.host,
      port: ep.port,
      agentName: RATHOLE_AGENT,
      ...(token !== undefined && token !== '' ? { token } : {}),
      tls: true,
    },
    at,
    'client',
  );

  const exposes: ImportedExpose[] = [];
  const unknownPort: string[] = [];
  for (const [name, s] of entries) {
    const sAt = `${file}:${sectionLine('client', name)}`;
    const label = `service "${name}"`;
    if (!isTable(s)) throw new ProfileError(`${sAt}: ${label}: expected a table, found ${describe(s)}`);
    for (const k of Object.keys(s)) if (!SERVICE_HANDLED.has(k)) warnings.push(`${sAt}: ${label}: ${k} is not supported by Porthole; ignored`);
    const type = s.type ?? 'tcp';
    if (type !== 'tcp' && type !== 'udp') throw new ProfileError(`${sAt}: ${label}: type ${describe(type)}: expected "tcp" or "udp"`);
    if (typeof s.local_addr !== 'string') throw new ProfileError(`${sAt}: ${label}: local_addr: ${s.local_addr === undefined ? 'missing' : `expected "HOST:PORT", found ${describe(s.local_addr)}`}`);
    if (s.token !== undefined && typeof s.token !== 'string') throw new ProfileError(`${sAt}: ${label}: token: expected a string, found ${describe(s.token)}`);
    const local = hostPortOrThrow(sAt, `${label}: local_addr`, s.local_addr);
    const own = s.token as string | undefined;
    if (own === undefined && defaultToken === undefined) throw new ProfileError(`${sAt}: ${label}: no token and no client.default_token (rathole requires one)`);
    if (own !== undefined && own !== token) warnings.push(`${sAt}: ${label} has its own token; Porthole's relay uses one token per agent, so it is not imported`);
    const pub = services.get(name);
    if (pub && pub.protocol !== type) warnings.push(`${sAt}: ${label} is ${type} here but ${pub.protocol} in the [server] half; read as ${type}`);
    if (!pub) unknownPort.push(name);
    exposes.push(
      validated(ImportedExposeSchema, { name: truncateName(name), relayRef: relay.ref, protocol: type, localHost: local.host, localPort: local.port, remotePort: pub?.port ?? 0 }, sAt, label),
    );
  }
  if (entries.length === 0) warnings.push(`${file}: no [client.services.NAME] entries: nothing to expose`);
  else if (unknownPort.length > 0) {
    warnings.push(
      `${file}: rathole's server decides the public port of ${unknownPort.length === 1 ? 'service' : 'services'} ${unknownPort.join(', ')}${serverHalf ? ' (not in the [server] half here)' : ''}: imported with remote port 0 (the relay picks one); set it from the server's [server.services] bind_addr`,
    );
  }
  for (const name of services.keys()) if (!entries.some(([n]) => n === name)) warnings.push(`${file}:${sectionLine('server', name)}: server service "${name}" has no [client.services.${name}]: nothing to expose for it`);
  return { format: 'rathole-client', relays: [relay], exposes, warnings, ...(serverHalf ? { relayServer: relayConfigFor(file, serverHalf, services, warnings) } : {}) };
}

function sharedToken(tokens: Array<string | undefined>): string | undefined {
  const distinct = new Set(tokens);
  return distinct.size === 1 && !distinct.has(undefined) ? [...distinct][0] : undefined;
}

/** The Porthole relay config equal to a rathole server half: its services are the ports the agent may ask for. */
function relayConfigFor(file: string, half: { bind: { host: string; port: number }; token?: string }, services: Map<string, ServerService>, warnings: string[]): ImportedRelayServerConfig {
  const hosts = new Set([...services.values()].map((s) => s.host));
  if (hosts.size > 1) warnings.push(`${file}: the services listen on different addresses (${[...hosts].join(', ')}); Porthole's relay opens them all on ${[...hosts][0]}`);
  const ports = [...new Set([...services.values()].map((s) => s.port))].sort((a, b) => a - b);
  return validated(
    ImportedRelayServerConfigSchema,
    {
      bind: half.bind,
      ...(half.token !== undefined ? { token: half.token } : {}),
      tls: true,
      ...(hosts.size > 0 ? { publicHost: [...hosts][0] } : {}),
      agents: [{ name: RATHOLE_AGENT, ports: [], allowPorts: ports.map((p) => ({ from: p, to: p })) }],
    },
    file,
    'server',
  );
}

function serverOnly(file: string, half: { bind: { host: string; port: number }; token?: string }, services: Map<string, ServerService>, warnings: string[]): ImportResult {
  if (services.size === 0) warnings.push(`${file}: no [server.services.NAME] entries: the relay would expose nothing`);
  return { format: 'rathole-server', relays: [], exposes: [], warnings, relayServer: relayConfigFor(file, half, services, warnings) };
}
