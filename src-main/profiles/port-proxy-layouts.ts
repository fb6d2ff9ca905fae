import { isMap, isScalar, isSeq } from 'yaml';
import { formatHostPort } from '../../src-shared/format/address';
import { type Entry, find, type YamlReader } from './port-proxy-profile';
import { ProfileError } from './profile-error';
import {
  hostPortOrThrow,
  type ImportedRelayServerConfig,
  ImportedRelayServerConfigSchema,
  ImportedRelaySchema,
  type ImportResult,
  relayRef,
  truncateName,
  validated,
} from './relay-import';

// sidgwick/port-proxy's other layouts (its history, oldest first):
//   conf.yaml        `server: { bind, proxy: [{type, bind, port}] }` and `client: { server }` in one file.
//   (server.yaml / client.yaml: port-proxy-profile.ts.)
//   local-server.yaml `remote-server: HOST:PORT` and `proxy_list: [{type, local, remote}]`; later
//                    `remote-server: [{name, protocol?, addr: tcp://… | ws://…}]` and
//                    `proxy_list: [{type, local, remote: NAME, remote_port}]`.
//   remote-server.yaml `bind: HOST:PORT` or `bind: ws://HOST:PORT`.
// In the newer layout the side with the listening ports (local server) dials the side that reaches the
// targets (remote server). Porthole's relay is dialled by its agent, so there the roles of the two
// machines stay but the direction turns: the local side runs `porthole relay` (its listening ports
// become the relay's ports), the remote side runs `porthole agent` and must be able to reach it.

const AGENT = 'port-proxy';
const SCHEMES = /^(tcp|ws|wss):\/\//i;

/** The result for a file of one of these layouts, or undefined for the server.yaml / client.yaml pair. */
export function readOtherLayout(y: YamlReader, top: Entry[], keys: Set<string>): ImportResult | undefined {
  if (keys.has('remote-server') || keys.has('proxy_list')) return readLocalServer(y, top);
  const server = find(top, 'server');
  if (server && isMap(server.value) && (keys.has('client') || !keys.has('name'))) return readConfYaml(y, top);
  const bind = find(top, 'bind');
  if (bind && isScalar(bind.value) && SCHEMES.test(String(bind.value.value))) return remoteServer(y, bind);
  if (bind && keys.size === 1) {
    // Read as a relay with no agents (porthole relay --config still takes it), but it is more likely this.
    y.warnings.push(
      `${y.file}: only "bind": this may be port-proxy's remote server config (remote-server.yaml), the machine whose ports are reached — with Porthole that machine runs \`porthole agent\`, dialing the relay that the local server's machine runs (import local-server.yaml there)`,
    );
  }
  return undefined;
}

function portOf(y: YamlReader, e: Entry, what: string): number {
  const t = y.text(e).trim();
  if (!/^\d{1,5}$/.test(t) || Number(t) < 1 || Number(t) > 65535) throw new ProfileError(`${y.at(e.value)}: ${what} "${t}": not a port number (1–65535)`);
  return Number(t);
}

/** `local: 6689` (every interface, as port-proxy listens) or `local: HOST:PORT`. */
function localBind(y: YamlReader, e: Entry): { host: string; port: number } {
  const t = y.text(e).trim();
  return /^\d+$/.test(t) ? { host: '0.0.0.0', port: portOf(y, e, 'local') } : hostPortOrThrow(y.at(e.value), 'local', t);
}

function portType(y: YamlReader, e: Entry | undefined, skipped: string[]): 'tcp' | 'http' | 'udp' | undefined {
  const t = e ? y.text(e).trim().toLowerCase() : 'tcp';
  if (t === 'tcp' || t === 'http' || t === 'udp') return t;
  skipped.push(`${y.at(e?.value)}: type "${t}" is not supported (tcp, http or udp); this port is skipped`);
  return undefined;
}

function relayConfig(y: YamlReader, draft: unknown): ImportedRelayServerConfig {
  return validated(ImportedRelayServerConfigSchema, draft, y.file, 'config');
}

/** conf.yaml: both halves in one file, one remote machine, no names. */
function readConfYaml(y: YamlReader, top: Entry[]): ImportResult {
  const { file, warnings } = y;
  y.warnUnknown(top, ['server', 'client']);
  const server = y.map(find(top, 'server')!, '{ bind, proxy }');
  y.warnUnknown(server, ['bind', 'proxy']);
  const bindE = find(server, 'bind');
  if (!bindE) throw new ProfileError(`${file}: server: missing "bind" (the HOST:PORT the remote machine connects to)`);
  const bind = y.addr(bindE);
  const ports: ImportedRelayServerConfig['agents'][number]['ports'] = [];
  const proxyE = find(server, 'proxy');
  for (const item of proxyE ? y.list(proxyE, '{ type, bind, port }') : []) {
    const pe = y.map(item, '{ type, bind, port }');
    y.warnUnknown(pe, ['type', 'bind', 'port']);
    const b = find(pe, 'bind');
    const p = find(pe, 'port');
    if (!b || !p) throw new ProfileError(`${y.at(item.value)}: proxy entry: needs "bind" (the public HOST:PORT) and "port" (the port on the remote machine)`);
    const type = portType(y, find(pe, 'type'), warnings);
    if (type) ports.push({ type, bind: y.addr(b), remotePort: portOf(y, p, 'port') });
  }
  const relayServer = relayConfig(y, { bind, agents: [{ name: AGENT, ports, allowPorts: [] }] });
  warnings.push(
    `${file}: port-proxy's first layout has no agent names and no token: Porthole names the agent "${AGENT}" — run \`porthole relay --config ${file}\` after adding a \`token:\` (at least 16 characters, \`porthole relay --gen-token\`), and give the agent the same token`,
  );
  const clientE = find(top, 'client');
  const relays = [];
  if (clientE) {
    const client = y.map(clientE, '{ server }');
    y.warnUnknown(client, ['server']);
    const sE = find(client, 'server');
    if (!sE) throw new ProfileError(`${y.at(clientE.keyNode)}: client: missing "server" (the relay's HOST:PORT)`);
    const ep = y.addr(sE);
    relays.push(
      validated(ImportedRelaySchema, { ref: relayRef('port-proxy', ep.host, ep.port, AGENT), name: truncateName(`${AGENT} @ ${formatHostPort(ep.host, ep.port)}`), host: ep.host, port: ep.port, agentName: AGENT }, y.at(sE.value), 'client'),
    );
  }
  return { format: 'port-proxy-server', relays, exposes: [], relayServer, warnings };
}

interface Remote {
  name: string;
  host: string;
  port: number;
  websocket: boolean;
}

/** local-server.yaml of the newer layouts: the listening side, which becomes the relay. */
function readLocalServer(y: YamlReader, top: Entry[]): ImportResult {
  const { file, warnings } = y;
  y.warnUnknown(top, ['remote-server', 'proxy_list']);
  const remoteE = find(top, 'remote-server');
  if (!remoteE) throw new ProfileError(`${file}: missing "remote-server" (where the remote server listens)`);
  const remotes: Remote[] = [];
  if (isSeq(remoteE.value)) {
    for (const item of y.list(remoteE, '{ name, addr }')) {
      const re = y.map(item, '{ name, addr }');
      y.warnUnknown(re, ['name', 'addr', 'protocol']);
      const nameE = find(re, 'name');
      const addrE = find(re, 'addr');
      if (!nameE || !addrE) throw new ProfileError(`${y.at(item.value)}: remote-server entry: needs "name" and "addr" (tcp://HOST:PORT or ws://HOST:PORT)`);
      const raw = y.text(addrE).trim();
      const m = /^(tcp|ws|wss):\/\/(\[[^\]]+\]:\d+|[^/:]+:\d+)(\/.*)?$/i.exec(raw);
      if (!m) throw new ProfileError(`${y.at(addrE.value)}: addr "${raw}": expected tcp://HOST:PORT or ws://HOST:PORT/PATH`);
      const ep = hostPortOrThrow(y.at(addrE.value), 'addr', m[2]!);
      const protoE = find(re, 'protocol');
      const websocket = m[1]!.toLowerCase() !== 'tcp' || (protoE !== undefined && /^websocket$/i.test(y.text(protoE).trim()));
      remotes.push({ name: y.text(nameE).trim(), ...ep, websocket });
    }
  } else {
    remotes.push({ name: AGENT, ...y.addr(remoteE), websocket: false });
  }
  if (remotes.length === 0) throw new ProfileError(`${y.at(remoteE.value)}: remote-server: no remote server listed`);
  for (const r of remotes.filter((x) => x.websocket)) {
    warnings.push(
      `${file}: remote server "${r.name}" is reached over WebSocket: Porthole's agent connects to its relay over TLS directly, so a path that only passes WebSocket (an HTTP reverse proxy, a CDN) will not carry it`,
    );
  }
  const byName = new Map<string, ImportedRelayServerConfig['agents'][number]>(remotes.map((r) => [r.name, { name: r.name, ports: [], allowPorts: [] }]));
  const listE = find(top, 'proxy_list');
  for (const item of listE ? y.list(listE, '{ type, local, remote, remote_port }') : []) {
    const pe = y.map(item, '{ type, local, remote, remote_port }');
    y.warnUnknown(pe, ['type', 'local', 'remote', 'remote_port']);
    const localE = find(pe, 'local');
    const rE = find(pe, 'remote');
    const rpE = find(pe, 'remote_port');
    if (!localE || !rE) throw new ProfileError(`${y.at(item.value)}: proxy_list entry: needs "local" (the port this machine listens on) and "remote"`);
    const type = portType(y, find(pe, 'type'), warnings);
    if (!type) continue;
    // Older: remote is the target port; newer: remote names a remote server and remote_port is the target.
    const named = rpE !== undefined;
    const agent = named ? byName.get(y.text(rE).trim()) : byName.get(remotes[0]!.name);
    if (!agent) throw new ProfileError(`${y.at(rE.value)}: remote "${y.text(rE).trim()}" is not the name of a remote-server entry`);
    agent.ports.push({ type, bind: localBind(y, localE), remotePort: portOf(y, named ? rpE : rE, named ? 'remote_port' : 'remote') });
  }
  const first = remotes[0]!;
  const relayServer = relayConfig(y, { bind: { host: '0.0.0.0', port: first.port }, agents: [...byName.values()] });
  warnings.push(
    `${file}: port-proxy's local server dials its remote server; with Porthole the direction turns: this machine runs \`porthole relay --config ${file}\` (listening for agents on port ${first.port} and opening the local ports), and each remote machine runs \`porthole agent\` named as its remote-server entry, dialing this machine — which it must be able to reach. Add a \`token:\` (\`porthole relay --gen-token\`) first; the ports listen on every interface, as port-proxy's did`,
  );
  return { format: 'port-proxy-server', relays: [], exposes: [], relayServer, warnings };
}

/** remote-server.yaml: the side that reaches the targets; with Porthole it runs the agent. */
function remoteServer(y: YamlReader, bind: Entry): ImportResult {
  const raw = y.text(bind).trim();
  const ws = /^wss?:\/\//i.test(raw);
  y.warnings.push(
    `${y.file}: port-proxy's remote server config (only bind ${raw}): it is the machine whose ports are reached. With Porthole it runs \`porthole agent\`, dialing the relay that the local server's machine runs — import local-server.yaml there; nothing to add here${ws ? ". Its WebSocket listener is not used: Porthole's agent connects over TLS directly" : ''}`,
  );
  return { format: 'port-proxy-client', relays: [], exposes: [], warnings: y.warnings };
}
