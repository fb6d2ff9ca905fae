import { Alias, type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLMap } from 'yaml';
import { UsageError } from '../headless/args';
import {
  describe,
  hostPortOrThrow,
  type ImportedRelay,
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

// Imports sidgwick/port-proxy's YAML configs (shared/seeds/002): the proxy server's
// (`bind`, `proxy[].remote_name`, `proxy[].port_list[].type/bind/remote`) as a relay server config,
// and the remote server's (`name`, `server`) as one relay with the agent name it announces.
// Porthole's relay extends the server shape with `token` (and `tls`) keys; both are read here.
//
// The seed's README prints its YAML with the keys under each `- ` item indented two columns too
// far, which is not valid YAML. When strict parsing fails, the reader retries once with those
// keys aligned under the item's first key and says so in a warning.

const WHAT = 'a port-proxy YAML config';
const MAX_ALIASES = 100;
const SERVER_KEYS = new Set(['bind', 'proxy', 'token', 'tls']);
const CLIENT_KEYS = new Set(['name', 'server', 'token', 'tls']);

export type PortProxyKind = 'server' | 'client';

export function readPortProxyProfile(file: string): ImportResult {
  return readPortProxyText(readProfileText(file, WHAT), file);
}

/** The same as readPortProxyProfile, for text already read (`file` is used in messages). */
export function readPortProxyText(raw: string, file: string): ImportResult {
  const text = normalizeProfileText(raw, file, WHAT);
  const warnings: string[] = [];
  const { doc, lc } = parseYaml(text, file, warnings);
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === undefined))) throw new UsageError(`${file}: the file is empty — not ${WHAT}`);
  const lineOf = (n: Node | null | undefined): number => (n?.range ? lc.linePos(n.range[0]).line : 1);
  const at = (n: Node | null | undefined) => `${file}:${lineOf(n)}`;
  if (!isMap(root)) throw new UsageError(`${at(root)}: expected a mapping of keys (bind/proxy or name/server), found ${describe(root.toJSON())}`);

  const resolve = (n: unknown): Node | null => {
    let cur = n;
    for (let i = 0; cur instanceof Alias && i < MAX_ALIASES; i++) cur = cur.resolve(doc) ?? null;
    return (cur as Node | null) ?? null;
  };
  const entries = (m: YAMLMap): Array<{ key: string; keyNode: Node; value: Node | null }> =>
    m.items.map((p) => {
      const k = resolve(p.key);
      const key = isScalar(k) ? String(k.value) : '';
      return { key, keyNode: (k ?? root) as Node, value: resolve(p.value) };
    });
  const scalarText = (n: Node | null, where: Node, field: string): string => {
    if (!isScalar(n) || n.value === null || typeof n.value === 'object') throw new UsageError(`${at(n ?? where)}: ${field}: expected a value, found ${describe(n?.toJSON() ?? null)}`);
    return String(n.value);
  };
  const boolValue = (n: Node | null, where: Node, field: string): boolean => {
    if (!isScalar(n) || typeof n.value !== 'boolean') throw new UsageError(`${at(n ?? where)}: ${field}: expected true or false, found ${describe(n?.toJSON() ?? null)}`);
    return n.value;
  };
  const addr = (n: Node | null, where: Node, field: string, defaultHost?: string): { host: string; port: number } => {
    let s = scalarText(n, where, field).trim();
    // Go's net.Listen(":9015") listens on every interface.
    if (/^:\d+$/.test(s)) s = `0.0.0.0${s}`;
    return hostPortOrThrow(at(n), field, s, defaultHost);
  };

  const top = entries(root);
  const keys = new Set(top.map((e) => e.key));
  const kind: PortProxyKind | undefined = keys.has('proxy') || keys.has('bind') ? 'server' : keys.has('name') || keys.has('server') ? 'client' : undefined;
  if (kind === undefined) throw new UsageError(`${file}: neither a port-proxy server config (bind, proxy) nor a client config (name, server)`);
  const known = kind === 'server' ? SERVER_KEYS : CLIENT_KEYS;
  for (const e of top) if (!known.has(e.key)) warnings.push(`${at(e.keyNode)}: unknown key "${e.key}" ignored`);
  const get = (k: string) => top.find((e) => e.key === k);

  if (kind === 'client') {
    const name = get('name');
    const server = get('server');
    if (!name) throw new UsageError(`${file}: client config: missing "name" (the name this agent announces to the relay)`);
    if (!server) throw new UsageError(`${file}: client config: missing "server" (the relay's HOST:PORT)`);
    const agentName = scalarText(name.value, name.keyNode, 'name').trim();
    const ep = addr(server.value, server.keyNode, 'server');
    const tokenE = get('token');
    const tlsE = get('tls');
    const token = tokenE ? scalarText(tokenE.value, tokenE.keyNode, 'token') : undefined;
    const tls = tlsE ? boolValue(tlsE.value, tlsE.keyNode, 'tls') : undefined;
    const relay: ImportedRelay = validated(
      ImportedRelaySchema,
      {
        ref: relayRef('port-proxy', ep.host, ep.port, agentName),
        name: truncateName(`${agentName} @ ${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}`),
        host: ep.host,
        port: ep.port,
        ...(token !== undefined ? { token } : {}),
        ...(tls !== undefined ? { tls } : {}),
        agentName,
      },
      at(name.keyNode),
      'client config',
    );
    warnings.push(`${file}: the relay's own config decides which ports agent "${agentName}" exposes; no expose rules imported`);
    return { format: 'port-proxy-client', relays: [relay], exposes: [], warnings };
  }

  const bindE = get('bind');
  if (!bindE) throw new UsageError(`${file}: server config: missing "bind" (the HOST:PORT the relay listens on for agents)`);
  const bind = addr(bindE.value, bindE.keyNode, 'bind');
  const tokenE = get('token');
  const token = tokenE ? scalarText(tokenE.value, tokenE.keyNode, 'token') : undefined;
  const tlsE = get('tls');
  if (tlsE) {
    const tls = boolValue(tlsE.value, tlsE.keyNode, 'tls');
    if (!tls) warnings.push(`${at(tlsE.keyNode)}: tls: false — Porthole's relay speaks plain TCP only with its explicit insecure flag`);
  }
  const agents: ImportedRelayServerConfig['agents'] = [];
  const proxyE = get('proxy');
  const proxyNode = proxyE?.value ?? null;
  if (!proxyE || proxyNode === null) {
    warnings.push(`${file}: no "proxy" entries: the relay exposes nothing`);
  } else if (!isSeq(proxyNode)) {
    throw new UsageError(`${at(proxyNode)}: proxy: expected a list of { remote_name, port_list }, found ${describe(proxyNode.toJSON())}`);
  } else {
    const names = new Set<string>();
    const publicBinds = new Map<string, string>();
    for (const itemRaw of proxyNode.items) {
      const item = resolve(itemRaw);
      if (!isMap(item)) throw new UsageError(`${at(item ?? proxyNode)}: proxy: each entry is { remote_name, port_list }, found ${describe(item?.toJSON() ?? null)}`);
      const ie = entries(item);
      for (const e of ie) if (e.key !== 'remote_name' && e.key !== 'port_list') warnings.push(`${at(e.keyNode)}: unknown key "${e.key}" ignored`);
      const nameE = ie.find((e) => e.key === 'remote_name');
      if (!nameE) throw new UsageError(`${at(item)}: proxy entry: missing "remote_name"`);
      const name = scalarText(nameE.value, nameE.keyNode, 'remote_name').trim();
      if (names.has(name)) {
        warnings.push(`${at(nameE.keyNode)}: remote_name "${name}" appears twice; this entry is skipped`);
        continue;
      }
      names.add(name);
      const ports: ImportedRelayServerConfig['agents'][number]['ports'] = [];
      const listE = ie.find((e) => e.key === 'port_list');
      const list = listE?.value ?? null;
      if (!listE || list === null) warnings.push(`${at(nameE.keyNode)}: remote_name "${name}" has no port_list: nothing is exposed for it`);
      else if (!isSeq(list)) throw new UsageError(`${at(list)}: port_list: expected a list of { type, bind, remote }, found ${describe(list.toJSON())}`);
      else {
        for (const pRaw of list.items) {
          const p = resolve(pRaw);
          if (!isMap(p)) throw new UsageError(`${at(p ?? list)}: port_list: each entry is { type, bind, remote }, found ${describe(p?.toJSON() ?? null)}`);
          const pe = entries(p);
          for (const e of pe) if (!['type', 'bind', 'remote'].includes(e.key)) warnings.push(`${at(e.keyNode)}: unknown key "${e.key}" ignored`);
          const typeE = pe.find((e) => e.key === 'type');
          const bE = pe.find((e) => e.key === 'bind');
          const rE = pe.find((e) => e.key === 'remote');
          if (!bE) throw new UsageError(`${at(p)}: port_list entry: missing "bind" (the relay's public HOST:PORT)`);
          if (!rE) throw new UsageError(`${at(p)}: port_list entry: missing "remote" (the port on the agent's machine)`);
          let type: 'tcp' | 'http' = 'tcp';
          if (!typeE) warnings.push(`${at(p)}: port_list entry has no "type"; read as tcp`);
          else {
            const t = scalarText(typeE.value, typeE.keyNode, 'type').trim().toLowerCase();
            if (t !== 'tcp' && t !== 'http') {
              warnings.push(`${at(typeE.keyNode)}: type "${t}" is not supported (tcp or http); this port is skipped`);
              continue;
            }
            type = t;
          }
          const b = addr(bE.value, bE.keyNode, 'bind');
          const remoteText = scalarText(rE.value, rE.keyNode, 'remote').trim();
          if (!/^\d{1,5}$/.test(remoteText) || Number(remoteText) < 1 || Number(remoteText) > 65535) {
            throw new UsageError(`${at(rE.value ?? rE.keyNode)}: remote "${remoteText}": not a port number (1–65535)`);
          }
          const slot = `${b.host === '0.0.0.0' || b.host === '::' ? '*' : b.host}:${b.port}`;
          const clash = publicBinds.get(`${b.port}`);
          if (clash !== undefined && (clash === slot || clash.startsWith('*:') || slot.startsWith('*:'))) {
            warnings.push(`${at(bE.keyNode)}: bind ${bE.value?.toString() ?? ''} is already used by an earlier port; this port is skipped`);
            continue;
          }
          publicBinds.set(`${b.port}`, slot);
          ports.push({ type, bind: b, remotePort: Number(remoteText) });
        }
      }
      agents.push({ name, ports });
    }
  }
  const relayServer = validated(ImportedRelayServerConfigSchema, { bind, agents, ...(token !== undefined ? { token } : {}) }, file, 'server config');
  if (token === undefined) warnings.push(`${file}: no "token": Porthole's relay requires a shared token per agent; set one before running it`);
  return { format: 'port-proxy-server', relays: [], exposes: [], relayServer, warnings };
}

function parseYaml(text: string, file: string, warnings: string[]): { doc: Document; lc: LineCounter } {
  const attempt = (src: string) => {
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
    if (!second || second.doc.errors.length > 0 || !looksLikePortProxy(second.doc)) throw new UsageError(message);
    warnings.push(`${message}; read with the keys under each "- " item aligned to its first key (as printed in port-proxy's README) — check the result`);
    r = second;
  }
  for (const w of r.doc.warnings) warnings.push(`${file}:${w.linePos?.[0].line ?? r.lc.linePos(w.pos[0]).line}: ${w.message.split('\n')[0]}`);
  try {
    // Expands aliases with a budget: a "billion laughs" document fails here, quickly.
    r.doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (err) {
    throw new UsageError(`${file}: ${err instanceof ReferenceError ? 'too many YAML aliases (a resource exhaustion attack?)' : `not valid YAML: ${(err as Error).message}`}`);
  }
  return r;
}

function looksLikePortProxy(doc: Document): boolean {
  const js: unknown = doc.toJS({ maxAliasCount: MAX_ALIASES });
  return typeof js === 'object' && js !== null && ('proxy' in js || 'bind' in js);
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
