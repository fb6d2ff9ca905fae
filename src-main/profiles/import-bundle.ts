import { basename } from 'node:path';
import { formatHostPort } from '../../src-shared/format/address';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { MIN_TOKEN_LENGTH, type RelayDraft, RelayDraftSchema, TOKEN_HOW_TO, tokenTooShort } from '../../src-shared/model/relay';
import type { RuleDraftParsed } from '../../src-shared/model/rule';
import type { SshServerDraftSchema } from '../../src-shared/model/ssh';
import { DocRelaySchema, DocServerSchema, parseDocRule, PortholeDocSchema } from '../../src-shared/model/porthole-doc';
import type { z } from 'zod';
import { ProfileError } from './profile-error';
import { detectFormat, type ProfileFormat } from './detect-format';
import { readFrpcIniText, readFrpcTomlText } from './frpc-profile';
import { readPortProxyText } from './port-proxy-profile';
import { checkYamlDepth, normalizeProfileText, readProfileText } from './profile-file';
import { readRatholeText } from './rathole-profile';
import { type ImportedRelayServerConfig, type ImportResult, validated } from './relay-import';
import { readSshConfigProfile, type ReadSshConfigOptions } from './ssh-config-profile';

// Every importable format read into one shape: SSH servers and relays with file-local refs, and rule
// drafts whose `server` / `relay` name those refs. The importer (service/import-service.ts) maps refs
// to saved entities. Readers throw ProfileError with `file:line: what is wrong`; what cannot be imported
// faithfully becomes a warning, never a silent drop.

export type ImportFormat = ProfileFormat | 'porthole-yaml';

export interface ImportServer extends z.output<typeof SshServerDraftSchema> {
  ref: string;
  password?: string;
  passphrase?: string;
}

export interface ImportRelay extends z.output<typeof RelayDraftSchema> {
  ref: string;
  token?: string;
}

export type ImportRule = RuleDraftParsed & { socksPassword?: string };

export interface ImportBundle {
  source: string;
  format: ImportFormat;
  servers: ImportServer[];
  relays: ImportRelay[];
  rules: ImportRule[];
  warnings: string[];
  /** frpc / rathole: what their server side said (rathole's [server] half); the relay config export uses it. */
  relayServer?: ImportedRelayServerConfig;
}

const MAX_ALIASES = 100;
const DOC_KEYS = new Set(['porthole', 'exportedAt', 'servers', 'relays', 'rules']);
export const IMPORT_WHAT = 'a tunnel profile (Porthole export, ssh_config, port-proxy YAML, frpc.toml/ini, rathole config)';

/** Reads a file the user named by its path (at most 1 MiB, text) and imports it, following an ssh_config's Includes. */
export function readImportFile(file: string, opts: ReadSshConfigOptions = {}): ImportBundle {
  return readImportText(readProfileText(file, IMPORT_WHAT), file, { followIncludes: true, ...opts });
}

/**
 * Imports text already in memory (a dropped file, the clipboard, a share link); `name` names it in
 * messages. An ssh_config's Include lines are followed only with `followIncludes` (see ReadSshConfigOptions).
 */
export function readImportText(raw: string, name: string, opts: ReadSshConfigOptions = {}): ImportBundle {
  return warnShortRelayTokens(lockSocksWithoutPassword(readFormat(raw, name, opts)));
}

/**
 * A saved relay whose token is too short would only fail when its mappings start (the agent refuses to
 * send a guessable token, and relays refuse it too): the preview says so first. frpc and rathole configs
 * say it their own way — the relay config written for them (--relay-config) carries a new token.
 */
function warnShortRelayTokens(b: ImportBundle): ImportBundle {
  if (b.format === 'frpc-toml' || b.format === 'frpc-ini' || b.format === 'rathole-client' || b.format === 'rathole-server') return b;
  const weak = b.relays.filter((r) => tokenTooShort(r.token));
  if (weak.length === 0) return b;
  const warnings = weak.map(
    (r) =>
      `${b.source}: relay "${r.name}": its token has ${r.token!.length} characters and relays need at least ${MIN_TOKEN_LENGTH}, so its mappings will not connect — ${TOKEN_HOW_TO}, set it on the relay, and enter it for this relay here`,
  );
  return { ...b, warnings: [...b.warnings, ...warnings] };
}

/** The SOCKS user name of a socks / ssh-dynamic rule that has no password to go with it, if any. */
export function socksUserWithoutPassword(rule: ImportRule): string | undefined {
  if (rule.type !== 'socks' && rule.type !== 'ssh-dynamic') return undefined;
  const user = rule.socks.username;
  return user !== undefined && user !== '' && rule.socksPassword === undefined ? user : undefined;
}

/**
 * A SOCKS server with a user name but no password in the file (written so, or exported without
 * secrets with `hasPassword: true`) arrives switched off and says so: until a password is set here it
 * must not run, since SOCKS without its password would let anyone in.
 */
function lockSocksWithoutPassword(b: ImportBundle): ImportBundle {
  const warnings = [...b.warnings];
  const rules = b.rules.map((r): ImportRule => {
    if (r.type !== 'socks' && r.type !== 'ssh-dynamic') return r;
    const user = socksUserWithoutPassword(r);
    if (user !== undefined) warnings.push(`${b.source}: mapping "${r.name}": SOCKS user ${user} has no password here: set one in the rule before switching it on`);
    // hasPassword says whether a password will be stored on this machine: only if one comes with the rule.
    return { ...r, ...(user !== undefined ? { enabled: false } : {}), socks: { ...r.socks, hasPassword: r.socksPassword !== undefined } };
  });
  return { ...b, rules, warnings };
}

function readFormat(raw: string, name: string, opts: ReadSshConfigOptions): ImportBundle {
  const text = normalizeProfileText(raw, name, IMPORT_WHAT);
  const format = detectPortholeYaml(text) ? 'porthole-yaml' : detectFormat(text, basename(name));
  if (!format) {
    // frps's own config: nothing to import on this side, but say what takes its place.
    if (/^[ \t]*(bindPort|bind_port|vhostHTTPPort|vhost_http_port)[ \t]*=/m.test(text)) {
      throw new ProfileError(
        `${name}: this is frps's config (the server side of frp): Porthole imports frp's client config (frpc.toml or frpc.ini) — \`porthole import frpc.toml --relay-config relay.yaml\` also writes the config of the Porthole relay that takes frps's place here`,
      );
    }
    throw new ProfileError(`${name}: not a format Porthole can import — expected ${IMPORT_WHAT}`);
  }
  switch (format) {
    case 'porthole-json':
    case 'porthole-yaml':
      return { source: name, format, ...readPortholeDoc(text, name) };
    case 'ssh-config': {
      const p = readSshConfigProfile(name, { ...opts, text });
      return { source: name, format, servers: p.servers, relays: [], rules: p.rules, warnings: p.warnings };
    }
    case 'port-proxy-server':
    case 'port-proxy-client': {
      // The reader knows better than the guess which side of port-proxy a file is (its layouts vary).
      const r = readPortProxyText(text, name);
      return fromRelayImport(name, r.format, r);
    }
    case 'frpc-toml':
      return fromRelayImport(name, format, readFrpcTomlText(text, name));
    case 'frpc-ini':
      return fromRelayImport(name, format, readFrpcIniText(text, name));
    case 'rathole-client':
    case 'rathole-server':
      return fromRelayImport(name, format, readRatholeText(text, name));
  }
}

function detectPortholeYaml(text: string): boolean {
  return /^porthole[ \t]*:[ \t]*\d+[ \t]*(#.*)?$/m.test(text);
}

/** Reverse-tunnel configs: their relays become saved relays, their exposes relay-expose rules. */
function fromRelayImport(source: string, format: ImportFormat, r: ImportResult): ImportBundle {
  const warnings = [...r.warnings];
  const file = basename(source);
  if (r.relayServer && r.relays.length === 0) {
    warnings.push(
      format === 'rathole-server'
        ? `${source}: this is rathole's server config (what the VPS runs): there, Porthole's relay takes its place — \`porthole import ${file} --relay-config relay.yaml\` writes the matching relay config, then run \`porthole relay --config relay.yaml\` on that machine; nothing to add to the mappings`
        : `${source}: this is a relay server config (what a VPS runs): start it with \`porthole relay --config ${file}\`, or set up the same agents in the Relay view — nothing to add to the mappings`,
    );
  }
  if (format === 'frpc-toml' || format === 'frpc-ini' || format === 'rathole-client') {
    // Porthole's agent speaks only to a Porthole relay: the frps/rathole server must be replaced.
    const server = format === 'rathole-client' ? "rathole's server" : 'frps';
    for (const x of r.relays) {
      warnings.push(
        `${source}: these mappings go through ${formatHostPort(x.host, x.port)}, where ${server} runs now; Porthole's agent talks only to a Porthole relay, so that machine must run \`porthole relay\` instead — \`porthole import ${file} --relay-config relay.yaml\` writes its config (agent, token, allowed ports)`,
      );
    }
  }
  const relays: ImportRelay[] = r.relays.map((x) => {
    const draft: RelayDraft = {
      name: x.name,
      host: x.host,
      port: x.port,
      agentName: x.agentName ?? x.name,
      ...(x.tls !== undefined ? { tls: x.tls } : {}),
      ...(x.fingerprint ? { fingerprint: x.fingerprint } : {}),
      hasToken: x.token !== undefined,
      // A port-proxy client with no expose list serves the ports its relay's config assigns.
      acceptAssigned: (format === 'port-proxy-client' || format === 'port-proxy-server') && r.exposes.every((e) => e.relayRef !== x.ref),
    };
    // The saved relay's rules are stricter than the readers' (no control characters in agentName).
    const relay = validated(RelayDraftSchema, draft, source, `relay ${JSON.stringify(x.name)}`);
    return { ...relay, ref: x.ref, ...(x.token !== undefined ? { token: x.token } : {}) };
  });
  const rules: ImportRule[] = r.exposes.map((e) => ({
    type: 'relay-expose',
    name: e.name,
    // On as in the file (a proxy it switches off is not imported at all); the import itself decides
    // whether anything starts (imports.apply start, porthole import --enable).
    enabled: true,
    autoStart: true,
    tags: [],
    relay: e.relayRef,
    target: { host: e.localHost, port: e.localPort },
    remotePort: e.remotePort,
    protocol: e.protocol,
    kind: e.kind === 'http' ? 'http' : 'tcp',
  }));
  return { source, format, servers: [], relays, rules, warnings, ...(r.relayServer && format !== 'port-proxy-server' ? { relayServer: r.relayServer } : {}) };
}

/** Porthole's own export (YAML or JSON; JSON is read as YAML 1.2 so errors carry a line). */
function readPortholeDoc(text: string, file: string): Omit<ImportBundle, 'source' | 'format'> {
  checkYamlDepth(text, file);
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false, version: '1.2' });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0].line ?? lc.linePos(e.pos[0]).line;
    throw new ProfileError(`${file}:${line}: not valid ${text.trimStart().startsWith('{') ? 'JSON' : 'YAML'}: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (err) {
    throw new ProfileError(`${file}: ${err instanceof ReferenceError ? 'too many YAML aliases (a resource exhaustion attack?)' : (err as Error).message}`, { cause: err });
  }
  const top = PortholeDocSchema.safeParse(js);
  if (!top.success) {
    const i = top.error.issues[0]!;
    throw new ProfileError(`${file}: ${i.path.join('.') || 'the file'}: ${i.path[0] === 'porthole' ? 'written by a newer Porthole (format version) — upgrade Porthole' : i.message}`);
  }
  const lineOf = (path: Array<string | number>): number => {
    let node: unknown = doc.contents;
    for (const key of path) {
      if (isMap(node)) node = node.get(key, true);
      else if (isSeq(node)) node = node.get(key as number, true);
      else break;
    }
    const range = (node as Node | undefined)?.range;
    return range ? lc.linePos(range[0]).line : 1;
  };
  const fail = (path: Array<string | number>, issue: { path: PropertyKey[]; message: string }): never => {
    const field = [...path, ...issue.path].map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    throw new ProfileError(`${file}:${lineOf([...path, ...(issue.path as Array<string | number>)])}: ${field}: ${issue.message}`);
  };
  const warnings: string[] = [];
  const root = doc.contents;
  for (const key of Object.keys(top.data)) {
    if (DOC_KEYS.has(key)) continue;
    // A misspelt `rule:` must not import nothing without a word.
    const pair = isMap(root) ? root.items.find((p) => isScalar(p.key) && String(p.key.value) === key) : undefined;
    const range = (pair?.key as Node | undefined)?.range;
    warnings.push(`${file}:${range ? lc.linePos(range[0]).line : 1}: unknown key "${key}" ignored`);
  }
  const unique = <T extends { ref: string }>(list: T[], what: 'servers' | 'relays'): T[] => {
    const seen = new Set<string>();
    for (const [i, x] of list.entries()) {
      if (seen.has(x.ref)) fail([what, i, 'ref'], { path: [], message: `"${x.ref}" is the ref of an earlier ${what.slice(0, -1)}` });
      seen.add(x.ref);
    }
    return list;
  };
  const servers: ImportServer[] = unique(
    top.data.servers.map((raw, i) => {
      const r = DocServerSchema.safeParse(raw);
      return r.success ? r.data : fail(['servers', i], r.error.issues[0]!);
    }),
    'servers',
  );
  const relays: ImportRelay[] = unique(
    top.data.relays.map((raw, i) => {
      const r = DocRelaySchema.safeParse(raw);
      return r.success ? r.data : fail(['relays', i], r.error.issues[0]!);
    }),
    'relays',
  );
  const serverRefs = new Set(servers.map((s) => s.ref));
  const relayRefs = new Set(relays.map((s) => s.ref));
  const byRef = new Map(servers.map((s) => [s.ref, s]));
  for (const [i, s] of servers.entries()) {
    for (const j of s.jump) if (!serverRefs.has(j)) fail(['servers', i, 'jump'], { path: [], message: `jump host "${j}" is not the ref of any server listed here` });
    // Each jump host is created before the servers that use it, so they cannot jump through each
    // other (the exporter never writes such a loop either).
    const todo = [...s.jump];
    const seen = new Set<string>();
    for (let ref = todo.pop(); ref !== undefined; ref = todo.pop()) {
      if (ref === s.ref) fail(['servers', i, 'jump'], { path: [], message: `the jump hosts of "${s.name}" lead back to it` });
      if (!seen.has(ref)) todo.push(...byRef.get(ref)!.jump);
      seen.add(ref);
    }
  }
  const rules: ImportRule[] = top.data.rules.map((raw, i) => {
    const r = parseDocRule(raw);
    if (!r.success) return fail(['rules', i], r.error.issues[0]!);
    const rule = r.data;
    if ('server' in rule && !serverRefs.has(rule.server)) fail(['rules', i, 'server'], { path: [], message: `"${rule.server}" is not the ref of any server listed here` });
    if (rule.type === 'relay-expose' && !relayRefs.has(rule.relay)) fail(['rules', i, 'relay'], { path: [], message: `"${rule.relay}" is not the ref of any relay listed here` });
    return rule;
  });
  return { servers, relays, rules, warnings };
}
