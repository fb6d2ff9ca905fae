import { Alias, type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLMap } from 'yaml';
import { formatHostPort, isLoopbackHost, listenEndpointsCollide } from '../../src-shared/format/address';
import { HostSchema } from '../../src-shared/model/primitives';
import { ProfileError } from './profile-error';
import { formatSpan, LIMIT_KEYS, parseDuration, type RelayLimits } from '../relay/relay-limits';
import { checkYamlDepth } from './profile-file';
import { readOtherLayout } from './port-proxy-layouts';
import {
  describe,
  hostPortOrThrow,
  type ImportedExpose,
  ImportedExposeSchema,
  type ImportedRelay,
  type ImportedRelayServerConfig,
  ImportedRelayServerConfigSchema,
  ImportedRelaySchema,
  type ImportResult,
  normalizeFingerprint,
  normalizeProfileText,
  parsePortRange,
  readProfileText,
  relayRef,
  TokenSchema,
  truncateName,
  validated,
} from './relay-import';

// Imports sidgwick/port-proxy's YAML configs (shared/seeds/002): the proxy server's
// (`bind`, `proxy[].remote_name`, `proxy[].port_list[].type/bind/remote`) as a relay server config,
// and the remote server's (`name`, `server`) as one relay with the agent name it announces.
// These are also the config files of Porthole's own relay (`porthole relay --config`) and agent
// (`porthole agent --config`), which extend both shapes: the server with `token`, `tls`,
// `public_host`, `metrics` and per-agent `token`/`allow_ports` (and udp ports); the client with
// `token`, `tls`, `fingerprint` and `expose` (ports the agent asks the relay for itself). The server's
// `limits` map sets admission and public-port limits (relay/relay-limits.ts).
//
// The seed's README prints its YAML with the keys under each `- ` item indented two columns too
// far, which is not valid YAML. When strict parsing fails, the reader retries once with those
// keys aligned under the item's first key and says so in a warning.

const WHAT = 'a port-proxy YAML config';
const MAX_ALIASES = 100;
const SERVER_KEYS = ['bind', 'proxy', 'token', 'tls', 'public_host', 'metrics', 'limits'];
const AGENT_KEYS = ['remote_name', 'port_list', 'token', 'allow_ports'];
const PORT_KEYS = ['type', 'bind', 'remote'];
const CLIENT_KEYS = ['name', 'server', 'token', 'tls', 'fingerprint', 'expose'];
const EXPOSE_KEYS = ['name', 'local', 'remote', 'type'];
const PORT_TYPES = ['tcp', 'http', 'udp'] as const;

export type PortProxyKind = 'server' | 'client';
type PortType = (typeof PORT_TYPES)[number];
export type Entry = { key: string; keyNode: Node; value: Node | null };
type Agent = ImportedRelayServerConfig['agents'][number];

export function readPortProxyProfile(file: string): ImportResult {
  return readPortProxyText(readProfileText(file, WHAT), file);
}

/** The same as readPortProxyProfile, for text already read (`file` is used in messages). */
export function readPortProxyText(raw: string, file: string): ImportResult {
  const text = normalizeProfileText(raw, file, WHAT);
  const warnings: string[] = [];
  const { doc, lc } = parseYaml(text, file, warnings);
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === undefined))) throw new ProfileError(`${file}: the file is empty — not ${WHAT}`);
  const y = new YamlReader(doc, lc, file, root, warnings);
  if (!isMap(root)) throw new ProfileError(`${y.at(root)}: expected a mapping of keys (bind/proxy or name/server), found ${describe(root.toJSON())}`);

  const top = y.entries(root);
  const keys = new Set(top.map((e) => e.key));
  // The layouts port-proxy used before and after the server.yaml / client.yaml pair (port-proxy-layouts.ts).
  const older = readOtherLayout(y, top, keys);
  if (older) return older;
  const kind: PortProxyKind | undefined = keys.has('proxy') || keys.has('bind') ? 'server' : keys.has('name') || keys.has('server') ? 'client' : undefined;
  if (kind === undefined) throw new ProfileError(`${file}: neither a port-proxy server config (bind, proxy) nor a client config (name, server)`);
  y.warnUnknown(top, kind === 'server' ? SERVER_KEYS : CLIENT_KEYS);
  return kind === 'client' ? readClient(y, top) : readServer(y, top);
}

/** Node access with `file:line` messages; every failure is a ProfileError. */
export class YamlReader {
  constructor(
    private readonly doc: Document,
    private readonly lc: LineCounter,
    readonly file: string,
    private readonly root: Node,
    readonly warnings: string[],
  ) {}

  at(n: Node | null | undefined): string {
    return `${this.file}:${n?.range ? this.lc.linePos(n.range[0]).line : 1}`;
  }

  resolve(n: unknown): Node | null {
    let cur = n;
    for (let i = 0; cur instanceof Alias && i < MAX_ALIASES; i++) cur = cur.resolve(this.doc) ?? null;
    return (cur as Node | null) ?? null;
  }

  entries(m: YAMLMap): Entry[] {
    return m.items.map((p) => {
      const k = this.resolve(p.key);
      return { key: isScalar(k) ? String(k.value) : '', keyNode: (k ?? this.root) as Node, value: this.resolve(p.value) };
    });
  }

  warnUnknown(list: Entry[], known: readonly string[]): void {
    for (const e of list) if (!known.includes(e.key)) this.warnings.push(`${this.at(e.keyNode)}: unknown key "${e.key}" ignored`);
  }

  /** A scalar as written: `token: 0012` stays "0012" (YAML would read the number 12). */
  text(e: Entry, field = e.key): string {
    const n = e.value;
    if (!isScalar(n) || n.value === null || typeof n.value === 'object') throw new ProfileError(`${this.at(n ?? e.keyNode)}: ${field}: expected a value, found ${describe(n?.toJSON() ?? null)}`);
    return typeof n.value === 'string' ? n.value : (n.source ?? String(n.value));
  }

  bool(e: Entry): boolean {
    const n = e.value;
    if (!isScalar(n) || typeof n.value !== 'boolean') throw new ProfileError(`${this.at(n ?? e.keyNode)}: ${e.key}: expected true or false, found ${describe(n?.toJSON() ?? null)}`);
    return n.value;
  }

  token(e: Entry): string {
    return validated(TokenSchema, this.text(e), this.at(e.value), e.key);
  }

  addr(e: Entry, defaultHost?: string): { host: string; port: number } {
    let s = this.text(e).trim();
    // Go's net.Listen(":9015") listens on every interface.
    if (/^:\d+$/.test(s)) s = `0.0.0.0${s}`;
    return hostPortOrThrow(this.at(e.value), e.key, s, defaultHost);
  }

  portType(e: Entry): string {
    return this.text(e).trim().toLowerCase();
  }

  /** A list value (null → empty), or a ProfileError naming the expected item shape. */
  list(e: Entry, shape: string): Entry[] {
    const seq = e.value;
    if (seq === null) return [];
    if (!isSeq(seq)) throw new ProfileError(`${this.at(seq)}: ${e.key}: expected a list of ${shape}, found ${describe(seq.toJSON())}`);
    // An empty item (`- `) is reported at the list's line.
    return seq.items.map((i) => ({ key: e.key, keyNode: seq, value: this.resolve(i) }));
  }

  map(item: Entry, shape: string): Entry[] {
    const n = item.value;
    if (!isMap(n)) throw new ProfileError(`${this.at(n ?? item.keyNode)}: ${item.key}: each entry is ${shape}, found ${describe(n?.toJSON() ?? null)}`);
    return this.entries(n);
  }
}

export const find = (list: Entry[], key: string) => list.find((e) => e.key === key);

function readClient(y: YamlReader, top: Entry[]): ImportResult {
  const { file, warnings } = y;
  const nameE = find(top, 'name');
  const serverE = find(top, 'server');
  if (!nameE) throw new ProfileError(`${file}: client config: missing "name" (the name this agent announces to the relay)`);
  if (!serverE) throw new ProfileError(`${file}: client config: missing "server" (the relay's HOST:PORT)`);
  const agentName = y.text(nameE).trim();
  const ep = y.addr(serverE);
  const tokenE = find(top, 'token');
  const tlsE = find(top, 'tls');
  const fpE = find(top, 'fingerprint');
  const token = tokenE ? y.token(tokenE) : undefined;
  const tls = tlsE ? y.bool(tlsE) : undefined;
  let fingerprint: string | undefined;
  if (fpE) {
    const raw = y.text(fpE).trim();
    fingerprint = normalizeFingerprint(raw);
    if (fingerprint === undefined) {
      const hex = raw.replace(/:/g, '');
      const why = !/^[0-9A-Fa-f]+$/.test(hex)
        ? 'not a SHA-256 fingerprint'
        : hex.length === 64
          ? 'colons go between pairs of hex digits'
          : `${hex.length} hex digits, a SHA-256 fingerprint has 64`;
      throw new ProfileError(`${y.at(fpE.value)}: fingerprint "${raw}": ${why} — write 64 hex digits, with or without colons (AB:CD:…)`);
    }
    if (tls === false) warnings.push(`${y.at(fpE.keyNode)}: fingerprint is set but tls is false; the pin is not used`);
  }
  const host = ep.host;
  const relay: ImportedRelay = validated(
    ImportedRelaySchema,
    {
      ref: relayRef('port-proxy', host, ep.port, agentName),
      name: truncateName(`${agentName} @ ${formatHostPort(host, ep.port)}`),
      host,
      port: ep.port,
      ...(token !== undefined ? { token } : {}),
      ...(tls !== undefined ? { tls } : {}),
      agentName,
      ...(fingerprint !== undefined ? { fingerprint } : {}),
    },
    y.at(nameE.keyNode),
    'client config',
  );
  const exposeE = find(top, 'expose');
  if (!exposeE) {
    warnings.push(`${file}: the relay's own config decides which ports agent "${agentName}" exposes; no expose rules imported`);
    return { format: 'port-proxy-client', relays: [relay], exposes: [], warnings };
  }
  return { format: 'port-proxy-client', relays: [relay], exposes: readExposes(y, exposeE, agentName, relay.ref), warnings };
}

function readExposes(y: YamlReader, exposeE: Entry, agentName: string, ref: string): ImportedExpose[] {
  const shape = '{ local, remote, type?, name? }';
  const exposes: ImportedExpose[] = [];
  const requested = new Set<string>();
  for (const item of y.list(exposeE, shape)) {
    const ie = y.map(item, shape);
    y.warnUnknown(ie, EXPOSE_KEYS);
    const localE = find(ie, 'local');
    const remoteE = find(ie, 'remote');
    if (!localE) throw new ProfileError(`${y.at(item.value)}: expose entry: missing "local" (the HOST:PORT or PORT on this machine)`);
    if (!remoteE) throw new ProfileError(`${y.at(item.value)}: expose entry: missing "remote" (the relay's public port, or 0 to let the relay pick one)`);
    const local = hostPortOrThrow(y.at(localE.value), 'local', y.text(localE).trim(), '127.0.0.1');
    const remoteText = y.text(remoteE).trim();
    if (!/^\d{1,5}$/.test(remoteText) || Number(remoteText) > 65535) {
      throw new ProfileError(`${y.at(remoteE.value)}: remote "${remoteText}": not a port number (1–65535, or 0 to let the relay pick one)`);
    }
    const remotePort = Number(remoteText);
    const typeE = find(ie, 'type');
    const type = typeE ? y.portType(typeE) : 'tcp';
    if (!isPortType(type)) throw new ProfileError(`${y.at(typeE?.value)}: type "${type}" is not supported (tcp, http or udp)`);
    const protocol = type === 'udp' ? 'udp' : 'tcp';
    if (remotePort !== 0) {
      if (requested.has(`${protocol}/${remotePort}`)) {
        y.warnings.push(`${y.at(remoteE.keyNode)}: remote ${protocol} port ${remotePort} is already requested by an earlier entry; this one is skipped`);
        continue;
      }
      requested.add(`${protocol}/${remotePort}`);
    }
    const nameE = find(ie, 'name');
    const draft = {
      name: nameE ? y.text(nameE).trim() : truncateName(`${agentName} ${remotePort || 'auto'} → ${formatHostPort(local.host, local.port)}`),
      relayRef: ref,
      protocol,
      localHost: local.host,
      localPort: local.port,
      remotePort,
      ...(type === 'http' ? { kind: 'http' } : {}),
    };
    exposes.push(validated(ImportedExposeSchema, draft, y.at(item.value), 'expose entry'));
  }
  return exposes;
}

function isPortType(t: string): t is PortType {
  return (PORT_TYPES as readonly string[]).includes(t);
}

function readServer(y: YamlReader, top: Entry[]): ImportResult {
  const { file, warnings } = y;
  const bindE = find(top, 'bind');
  if (!bindE) throw new ProfileError(`${file}: server config: missing "bind" (the HOST:PORT the relay listens on for agents)`);
  const bind = y.addr(bindE);
  const tokenE = find(top, 'token');
  const token = tokenE ? y.token(tokenE) : undefined;
  const tlsE = find(top, 'tls');
  const tls = tlsE ? y.bool(tlsE) : undefined;
  if (tlsE && tls === false) warnings.push(`${y.at(tlsE.keyNode)}: tls: false — Porthole's relay speaks plain TCP only with its explicit insecure flag`);
  const publicE = find(top, 'public_host');
  const publicHost = publicE ? validated(HostSchema, y.text(publicE).trim().replace(/^\[(.*)\]$/, '$1'), y.at(publicE.value), 'public_host') : undefined;
  const metricsE = find(top, 'metrics');
  const metrics = metricsE ? y.addr(metricsE) : undefined;
  if (metricsE && metrics) {
    const where = `${y.at(metricsE.value)}: metrics ${formatHostPort(metrics.host, metrics.port)}`;
    if (!isLoopbackHost(metrics.host)) throw new ProfileError(`${where}: metrics must listen on loopback (127.0.0.0/8, ::1 or localhost) — the endpoint has no authentication`);
    if (listenEndpointsCollide(metrics, bind)) throw new ProfileError(`${where}: the same port as bind ${formatHostPort(bind.host, bind.port)} — choose another port`);
  }

  const limitsE = find(top, 'limits');
  const limits = limitsE ? readLimits(y, limitsE) : undefined;

  const agents: Agent[] = [];
  const proxyE = find(top, 'proxy');
  if (!proxyE || proxyE.value === null) warnings.push(`${file}: no "proxy" entries: the relay exposes nothing`);
  else {
    const names = new Set<string>();
    const publicBinds: Array<{ family: 'tcp' | 'udp'; host: string; port: number }> = [];
    for (const item of y.list(proxyE, '{ remote_name, port_list }')) {
      const ie = y.map(item, '{ remote_name, port_list }');
      y.warnUnknown(ie, AGENT_KEYS);
      const nameE = find(ie, 'remote_name');
      if (!nameE) throw new ProfileError(`${y.at(item.value)}: proxy entry: missing "remote_name"`);
      const name = y.text(nameE).trim();
      if (names.has(name)) {
        warnings.push(`${y.at(nameE.keyNode)}: remote_name "${name}" appears twice; this entry is skipped`);
        continue;
      }
      names.add(name);
      const agentTokenE = find(ie, 'token');
      const agentToken = agentTokenE ? y.token(agentTokenE) : undefined;
      const allowE = find(ie, 'allow_ports');
      const allowPorts = allowE ? readAllowPorts(y, allowE) : [];
      const listE = find(ie, 'port_list');
      if (!listE || listE.value === null) warnings.push(`${y.at(nameE.keyNode)}: remote_name "${name}" has no port_list: nothing is exposed for it${allowPorts.length > 0 ? ' until it asks' : ''}`);
      const ports = listE ? readPortList(y, listE, publicBinds) : [];
      agents.push({ name, ...(agentToken !== undefined ? { token: agentToken } : {}), ports, allowPorts });
    }
  }
  const draft = {
    bind,
    ...(token !== undefined ? { token } : {}),
    ...(tls !== undefined ? { tls } : {}),
    ...(publicHost !== undefined ? { publicHost } : {}),
    ...(metrics !== undefined ? { metrics } : {}),
    ...(limits !== undefined ? { limits } : {}),
    agents,
  };
  const relayServer = validated(ImportedRelayServerConfigSchema, draft, file, 'server config');
  const tokenless = agents.filter((a) => a.token === undefined).map((a) => `"${a.name}"`);
  if (token === undefined && tokenless.length > 0) {
    const names = tokenless.length > 5 ? `${tokenless.slice(0, 5).join(', ')} and ${tokenless.length - 5} more` : tokenless.join(', ');
    warnings.push(
      `${file}: no "token": Porthole's relay requires a token for every agent and ${names} ${tokenless.length === 1 ? 'has' : 'have'} none; set a shared "token" or one per agent before running it`,
    );
  }
  return { format: 'port-proxy-server', relays: [], exposes: [], relayServer, warnings };
}

function readPortList(y: YamlReader, listE: Entry, publicBinds: Array<{ family: 'tcp' | 'udp'; host: string; port: number }>): Agent['ports'] {
  const shape = '{ type, bind, remote }';
  const ports: Agent['ports'] = [];
  for (const p of y.list(listE, shape)) {
    const pe = y.map(p, shape);
    y.warnUnknown(pe, PORT_KEYS);
    const typeE = find(pe, 'type');
    const bE = find(pe, 'bind');
    const rE = find(pe, 'remote');
    if (!bE) throw new ProfileError(`${y.at(p.value)}: port_list entry: missing "bind" (the relay's public HOST:PORT)`);
    if (!rE) throw new ProfileError(`${y.at(p.value)}: port_list entry: missing "remote" (the port on the agent's machine)`);
    let type: PortType = 'tcp';
    if (!typeE) y.warnings.push(`${y.at(p.value)}: port_list entry has no "type"; read as tcp`);
    else {
      const t = y.portType(typeE);
      if (!isPortType(t)) {
        y.warnings.push(`${y.at(typeE.keyNode)}: type "${t}" is not supported (tcp, http or udp); this port is skipped`);
        continue;
      }
      type = t;
    }
    const b = y.addr(bE);
    const remoteText = y.text(rE).trim();
    if (!/^\d{1,5}$/.test(remoteText) || Number(remoteText) < 1 || Number(remoteText) > 65535) {
      throw new ProfileError(`${y.at(rE.value ?? rE.keyNode)}: remote "${remoteText}": not a port number (1–65535)`);
    }
    // tcp and http share the TCP port space; udp has its own.
    const family = type === 'udp' ? 'udp' : 'tcp';
    if (publicBinds.some((o) => o.family === family && listenEndpointsCollide(o, b))) {
      y.warnings.push(`${y.at(bE.keyNode)}: bind ${bE.value?.toString() ?? ''} is already used by an earlier port; this port is skipped`);
      continue;
    }
    publicBinds.push({ family, ...b });
    ports.push({ type, bind: b, remotePort: Number(remoteText) });
  }
  return ports;
}

/** `limits:` — counts as whole numbers, durations as `10s`, `5m`, `1h`, `500ms` or plain seconds. */
function readLimits(y: YamlReader, e: Entry): Partial<RelayLimits> {
  if (!isMap(e.value)) throw new ProfileError(`${y.at(e.value ?? e.keyNode)}: limits: expected keys such as handshake_timeout: 10s, found ${describe(e.value?.toJSON() ?? null)}`);
  const entries = y.entries(e.value);
  y.warnUnknown(entries, LIMIT_KEYS.map((k) => k.key));
  const out: Partial<RelayLimits> = {};
  for (const le of entries) {
    const spec = LIMIT_KEYS.find((k) => k.key === le.key);
    if (!spec) continue;
    const raw = y.text(le).trim();
    const v = spec.kind === 'count' ? (/^\d{1,9}$/.test(raw) ? Number(raw) : undefined) : parseDuration(raw);
    if (v === undefined || v < spec.min || v > spec.max) {
      const want =
        spec.kind === 'count'
          ? `a whole number from ${spec.min} to ${spec.max}`
          : `a duration from ${spec.min === 0 ? '0 (off)' : formatSpan(spec.min)} to ${formatSpan(spec.max)}, e.g. 10s, 5m, 1h (a plain number is seconds)`;
      throw new ProfileError(`${y.at(le.value)}: limits: ${spec.key} "${raw}": expected ${want}`);
    }
    out[spec.field] = v;
  }
  return out;
}

function readAllowPorts(y: YamlReader, allowE: Entry): Agent['allowPorts'] {
  return y.list(allowE, 'ports (8080) or ranges ("20000-20100")').map((e) => {
    const s = y.text(e).trim();
    const r = parsePortRange(s);
    if (!r.ok) throw new ProfileError(`${y.at(e.value)}: allow_ports "${s}": ${r.error}`);
    return r.value;
  });
}

function parseYaml(text: string, file: string, warnings: string[]): { doc: Document; lc: LineCounter } {
  const attempt = (src: string) => {
    checkYamlDepth(src, file);
    const lc = new LineCounter();
    const doc = parseDocument(src, { lineCounter: lc, uniqueKeys: true, prettyErrors: false, strict: true, version: '1.2' });
    return { doc, lc };
  };
  let r = attempt(text);
  if (r.doc.errors.length > 0) {
    const first = r.doc.errors[0]!;
    const line = first.linePos?.[0].line ?? r.lc.linePos(first.pos[0]).line;
    const message = `${file}:${line}: not valid YAML: ${first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
    const repaired = realignItemKeys(text);
    const second = repaired === text ? undefined : attempt(repaired);
    if (!second || second.doc.errors.length > 0 || !looksLikePortProxy(second.doc)) throw new ProfileError(message);
    warnings.push(`${message}; read with the keys under each "- " item aligned to its first key (as printed in port-proxy's README) — check the result`);
    r = second;
  }
  for (const w of r.doc.warnings) warnings.push(`${file}:${w.linePos?.[0].line ?? r.lc.linePos(w.pos[0]).line}: ${w.message.split('\n')[0]}`);
  try {
    // Expands aliases with a budget: a "billion laughs" document fails here, quickly.
    r.doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (err) {
    throw new ProfileError(`${file}: ${err instanceof ReferenceError ? 'too many YAML aliases (a resource exhaustion attack?)' : `not valid YAML: ${(err as Error).message}`}`);
  }
  return r;
}

function looksLikePortProxy(doc: Document): boolean {
  const js: unknown = doc.toJS({ maxAliasCount: MAX_ALIASES });
  return typeof js === 'object' && js !== null && ('proxy' in js || 'bind' in js || 'expose' in js);
}

/**
 * The README's mis-indentation: `- key: v` followed by keys indented four columns past the dash
 * (YAML needs two). Each continuation block is moved so it lines up with the item's first key.
 */
export function realignItemKeys(text: string): string {
  const frames: Array<{ dash: number; delta?: number }> = [];
  return text
    .split('\n')
    .map((line) => {
      const m = /^( *)(\S.*)?$/.exec(line);
      if (!m || m[2] === undefined || m[2].startsWith('#')) return line;
      const indent = m[1]!.length;
      while (frames.length > 0 && indent <= frames[frames.length - 1]!.dash) frames.pop();
      const top = frames[frames.length - 1];
      if (top && top.delta === undefined) top.delta = top.dash + 2 - indent;
      const shift = frames.reduce((s, f) => s + (f.delta ?? 0), 0);
      if (/^- \S/.test(m[2])) frames.push({ dash: indent });
      const to = Math.max(0, indent + shift);
      return ' '.repeat(to) + m[2];
    })
    .join('\n');
}
