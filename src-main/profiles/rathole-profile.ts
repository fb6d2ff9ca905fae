import { parse as parseToml, TomlError } from 'smol-toml';
import { ProfileError } from './profile-error';
import {
  describe,
  hostPortOrThrow,
  type ImportedExpose,
  ImportedExposeSchema,
  ImportedRelaySchema,
  type ImportResult,
  normalizeProfileText,
  readProfileText,
  relayRef,
  truncateName,
  validated,
} from './relay-import';

// Imports the client half of a rathole config (`[client]`, `[client.services.NAME]`) as one relay
// and one expose per service. rathole splits a service in two: the client says what to forward
// locally, the server says on which public port; so the exposes carry remotePort 0 and a warning
// says the server's config decides. A `[server]` half in the same file is named in a warning.

const WHAT = 'a rathole client config';
type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

const CLIENT_HANDLED = new Set(['remote_addr', 'default_token', 'transport', 'services']);
const CLIENT_IGNORED_QUIETLY = new Set(['heartbeat_timeout', 'retry_interval']);
const SERVICE_HANDLED = new Set(['type', 'token', 'local_addr']);

export function readRatholeProfile(file: string): ImportResult {
  return readRatholeText(readProfileText(file, WHAT), file);
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
  const warnings: string[] = [];
  const client = doc.client;
  if (client === undefined) {
    if (doc.server !== undefined) throw new ProfileError(`${file}: a rathole server config (only [server]); Porthole imports the [client] half — import frps-style relay settings separately`);
    throw new ProfileError(`${file}: no [client] section — not ${WHAT}`);
  }
  const clientLine = lineOf(/^\s*\[\s*client\s*\]/);
  const at = `${file}:${clientLine}`;
  if (!isTable(client)) throw new ProfileError(`${at}: client: expected a table, found ${describe(client)}`);
  if (doc.server !== undefined) warnings.push(`${file}:${lineOf(/^\s*\[\s*server[\].]/)}: the [server] half of this file is not imported (only the client's services are)`);
  for (const k of Object.keys(doc)) if (k !== 'client' && k !== 'server') warnings.push(`${file}: unknown key "${k}" ignored`);
  for (const k of Object.keys(client)) {
    if (!CLIENT_HANDLED.has(k) && !CLIENT_IGNORED_QUIETLY.has(k)) warnings.push(`${at}: client.${k} is not supported by Porthole; ignored`);
  }

  if (typeof client.remote_addr !== 'string') throw new ProfileError(`${at}: client.remote_addr: ${client.remote_addr === undefined ? 'missing (the server\'s HOST:PORT)' : `expected "HOST:PORT", found ${describe(client.remote_addr)}`}`);
  const ep = hostPortOrThrow(`${file}:${lineOf(/^\s*remote_addr\s*=/)}`, 'client.remote_addr', client.remote_addr);
  if (client.default_token !== undefined && typeof client.default_token !== 'string') throw new ProfileError(`${at}: client.default_token: expected a string, found ${describe(client.default_token)}`);

  let tls: boolean | undefined;
  const transport = client.transport;
  if (transport !== undefined) {
    const tAt = `${file}:${lineOf(/^\s*\[\s*client\.transport\s*\]/)}`;
    if (!isTable(transport)) throw new ProfileError(`${tAt}: client.transport: expected a table, found ${describe(transport)}`);
    const type = transport.type ?? 'tcp';
    if (typeof type !== 'string') throw new ProfileError(`${tAt}: client.transport.type: expected a string, found ${describe(type)}`);
    if (type === 'tls') tls = true;
    else if (type === 'tcp') tls = false;
    else warnings.push(`${tAt}: client.transport.type "${type}" is not supported (Porthole's relay uses TLS with a pinned certificate); read as TLS`);
    if (type === 'noise' || type === 'websocket') tls = true;
    const extra = Object.keys(transport).filter((k) => k !== 'type');
    if (extra.length > 0) warnings.push(`${tAt}: client.transport ${extra.join(', ')}: not supported by Porthole; ignored (certificates are pinned on first use)`);
  }
  if (tls === false || tls === undefined) warnings.push(`${at}: rathole's transport is plain TCP here: Porthole connects to a relay without TLS only with its explicit insecure flag`);

  const services = client.services;
  if (services !== undefined && !isTable(services)) throw new ProfileError(`${at}: client.services: expected tables [client.services.NAME], found ${describe(services)}`);
  const entries = Object.entries(services ?? {});
  const defaultToken = client.default_token as string | undefined;
  const serviceTokens = entries.map(([, s]) => (isTable(s) && typeof s.token === 'string' ? s.token : undefined));
  const distinct = new Set(serviceTokens.filter((t): t is string => t !== undefined));
  // One relay, one token: the default token, else the token every service shares.
  const token = defaultToken ?? (distinct.size === 1 && serviceTokens.every((t) => t !== undefined) ? [...distinct][0] : undefined);

  const relay = validated(
    ImportedRelaySchema,
    {
      ref: relayRef('rathole', ep.host, ep.port),
      name: truncateName(`rathole ${client.remote_addr}`),
      host: ep.host,
      port: ep.port,
      ...(token !== undefined && token !== '' ? { token } : {}),
      ...(tls !== undefined ? { tls } : {}),
    },
    at,
    'client',
  );

  const exposes: ImportedExpose[] = [];
  for (const [name, s] of entries) {
    const sAt = `${file}:${lineOf(new RegExp(`^\\s*\\[\\s*client\\.services\\.(${esc(name)}|"${esc(name)}")\\s*\\]`))}`;
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
    exposes.push(
      validated(ImportedExposeSchema, { name: truncateName(name), relayRef: relay.ref, protocol: type, localHost: local.host, localPort: local.port, remotePort: 0 }, sAt, label),
    );
  }
  if (exposes.length > 0) {
    warnings.push(`${file}: rathole's server decides the public port of each service (${exposes.map((e) => e.name).join(', ')}): remote ports are imported as 0; set them from the server's [server.services] bind_addr`);
  } else {
    warnings.push(`${file}: no [client.services.NAME] entries: nothing to expose`);
  }
  return { format: 'rathole-client', relays: [relay], exposes, warnings };
}
