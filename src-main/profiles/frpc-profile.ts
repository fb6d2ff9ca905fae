import { parse as parseToml, TomlError } from 'smol-toml';
import { isValidHost } from '../../src-shared/format/address';
import { ProfileError } from './profile-error';
import {
  describe,
  hasTemplate,
  type ImportedExpose,
  ImportedExposeSchema,
  type ImportedRelay,
  ImportedRelaySchema,
  type ImportResult,
  normalizeProfileText,
  readProfileText,
  relayRef,
  truncateName,
  validated,
} from './relay-import';

// Imports an frp client config: frpc.toml (v0.52+) and the legacy frpc.ini. frps is the relay
// here; TCP and UDP proxies become exposes. What Porthole's relay cannot do (HTTP/HTTPS virtual
// hosts, STCP/XTCP/SUDP secret proxies, visitors, tcpmux, plugins, load balancing, health checks,
// encryption/compression, bandwidth limits, includes, OIDC) is named in a warning, never dropped
// silently. frp's Go templates (`{{ .Envs.X }}`) are never rendered.
//
// Defaults follow frp: serverAddr 0.0.0.0, serverPort 7000, localIP 127.0.0.1, remotePort 0
// (frps picks), transport.tls.enable true (the default since v0.50, for .ini files too).

const WHAT_TOML = 'an frpc.toml config';
const WHAT_INI = 'an frpc.ini config';
const DEFAULT_SERVER_ADDR = '0.0.0.0';
const DEFAULT_SERVER_PORT = 7000;
const DEFAULT_LOCAL_IP = '127.0.0.1';

const UNSUPPORTED_TYPES: Record<string, string> = {
  http: 'HTTP virtual hosts (customDomains/subdomain) are not supported by Porthole\'s relay',
  https: 'HTTPS virtual hosts (customDomains/subdomain) are not supported by Porthole\'s relay',
  tcpmux: 'tcpmux (HTTP CONNECT multiplexing) is not supported by Porthole\'s relay',
  stcp: 'secret TCP (stcp) needs an frp visitor; Porthole has no visitor side',
  sudp: 'secret UDP (sudp) needs an frp visitor; Porthole has no visitor side',
  xtcp: 'P2P (xtcp) hole punching is not supported by Porthole',
};

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** Draft proxy, format-neutral, before validation. */
interface ProxyIn {
  where: string;
  name: string;
  type: string;
  localIP: unknown;
  localPort: unknown;
  remotePort: unknown;
  enabled: boolean;
  plugin: boolean;
  /** Keys read but not supported by Porthole (warned about, then ignored). */
  ignored: string[];
}

interface CommonIn {
  where: string;
  /** Where each key is written (`file:line`), so a message points at the key's own line. */
  at: (key: 'serverAddr' | 'serverPort' | 'token' | 'tls') => string;
  serverAddr: unknown;
  serverPort: unknown;
  token: unknown;
  tls: unknown;
}

export function readFrpcProfile(file: string): ImportResult {
  const text = readProfileText(file, 'an frpc config');
  return /\.ini$/i.test(file) || (!/\.toml$/i.test(file) && /^\s*\[common\]/m.test(text)) ? readFrpcIniText(text, file) : readFrpcTomlText(text, file);
}

// ---------------------------------------------------------------------------------------------
// frpc.toml

export function readFrpcTomlText(raw: string, file: string): ImportResult {
  const text = normalizeProfileText(raw, file, WHAT_TOML);
  let doc: Table;
  try {
    doc = parseToml(text) as Table;
  } catch (err) {
    if (err instanceof TomlError) {
      const first = err.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
      const hint = /\{\{/.test(text) ? ' (the file uses Go templates ({{ … }}), which Porthole does not render)' : '';
      throw new ProfileError(`${file}:${err.line}: not valid TOML: ${first}${hint}`);
    }
    throw new ProfileError(`${file}: not valid TOML: ${(err as Error).message}`);
  }
  const warnings: string[] = [];
  const headerLines = (name: string) => [...text.split('\n').entries()].filter(([, l]) => new RegExp(`^\\s*\\[\\[\\s*${name}\\s*\\]\\]`).test(l)).map(([i]) => i + 1);
  const proxyLines = headerLines('proxies');
  const visitorLines = headerLines('visitors');

  const flat = flatten(doc, ['proxies', 'visitors']);
  const TOP_HANDLED = new Set(['serverAddr', 'serverPort', 'auth.token', 'auth.method', 'transport.tls.enable', 'transport.protocol', 'includes', 'user', 'start']);
  if (flat.has('includes')) {
    const inc = flat.get('includes');
    warnings.push(`${file}: includes ${Array.isArray(inc) ? inc.map((s) => `"${String(s)}"`).join(', ') : describe(inc)}: included files are not read; import them separately`);
  }
  const method = flat.get('auth.method');
  if (method !== undefined && method !== 'token' && method !== '') warnings.push(`${file}: auth.method ${describe(method)} is not supported (Porthole's relay uses a shared token)`);
  const protocol = flat.get('transport.protocol');
  if (protocol !== undefined && protocol !== 'tcp') warnings.push(`${file}: transport.protocol ${describe(protocol)} is not supported; Porthole connects over TCP (TLS)`);
  if (flat.has('user')) warnings.push(`${file}: user ${describe(flat.get('user'))}: frps prefixes proxy names with it; Porthole imports the names as written`);
  if (flat.has('start')) warnings.push(`${file}: start ${describe(flat.get('start'))}: the list of proxies to start is not applied; every enabled proxy is imported`);
  const other = [...flat.keys()].filter((k) => !TOP_HANDLED.has(k));
  if (other.length > 0) warnings.push(`${file}: ${other.join(', ')}: not supported by Porthole; ignored`);

  const rows = text.split('\n');
  const TOML_KEYS = { serverAddr: /^\s*serverAddr\s*=/, serverPort: /^\s*serverPort\s*=/, token: /^\s*(auth\.)?token\s*=/, tls: /^\s*(transport\.tls\.)?enable\s*=/ };
  const keyAt = (key: keyof typeof TOML_KEYS) => {
    const i = rows.findIndex((l) => TOML_KEYS[key].test(l));
    return i < 0 ? file : `${file}:${i + 1}`;
  };
  const common: CommonIn = { where: file, at: keyAt, serverAddr: flat.get('serverAddr'), serverPort: flat.get('serverPort'), token: flat.get('auth.token'), tls: flat.get('transport.tls.enable') };

  const proxies: ProxyIn[] = [];
  const rawProxies = doc.proxies;
  if (rawProxies !== undefined && !Array.isArray(rawProxies)) throw new ProfileError(`${file}: proxies: expected [[proxies]] tables, found ${describe(rawProxies)}`);
  for (const [i, p] of (rawProxies ?? []).entries()) {
    const where = `${file}:${proxyLines[i] ?? 1}`;
    if (!isTable(p)) throw new ProfileError(`${where}: [[proxies]] entry ${i + 1}: expected a table, found ${describe(p)}`);
    const pf = flatten(p, ['plugin']);
    const handled = new Set(['name', 'type', 'localIP', 'localPort', 'remotePort', 'enabled']);
    if (typeof p.name !== 'string' || p.name.trim() === '') {
      throw new ProfileError(`${where}: [[proxies]] entry ${i + 1}: ${p.name === undefined ? 'missing "name"' : typeof p.name !== 'string' ? `"name" must be text, found ${describe(p.name)}` : '"name" is empty'} — frp needs a unique name for each proxy`);
    }
    if (p.type !== undefined && typeof p.type !== 'string') throw new ProfileError(`${where}: proxy "${p.name}": type: expected a string, found ${describe(p.type)}`);
    if (p.enabled !== undefined && typeof p.enabled !== 'boolean') throw new ProfileError(`${where}: proxy "${p.name}": enabled: expected true or false, found ${describe(p.enabled)}`);
    proxies.push({
      where,
      name: p.name,
      type: (p.type ?? 'tcp').trim().toLowerCase(),
      localIP: p.localIP,
      localPort: p.localPort,
      remotePort: p.remotePort,
      enabled: p.enabled !== false,
      plugin: p.plugin !== undefined,
      ignored: [...pf.keys()].filter((k) => !handled.has(k)),
    });
  }
  const rawVisitors = doc.visitors;
  if (rawVisitors !== undefined && !Array.isArray(rawVisitors)) throw new ProfileError(`${file}: visitors: expected [[visitors]] tables, found ${describe(rawVisitors)}`);
  for (const [i, v] of (rawVisitors ?? []).entries()) {
    const name = isTable(v) && typeof v.name === 'string' ? `"${v.name}"` : `${i + 1}`;
    const type = isTable(v) && typeof v.type === 'string' ? ` (${v.type})` : '';
    warnings.push(`${file}:${visitorLines[i] ?? 1}: visitor ${name}${type} skipped: Porthole has no frp visitor side (it connects to another client's secret proxy through frps)`);
  }
  return build('frpc-toml', file, common, proxies, warnings);
}

/** Dotted keys of nested tables (auth.token, transport.tls.enable); the `skip` top-level keys are left out. */
function flatten(t: Table, skip: string[], prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  for (const [k, v] of Object.entries(t)) {
    if (prefix === '' && skip.includes(k)) continue;
    const key = prefix + k;
    if (isTable(v)) flatten(v, [], `${key}.`, out);
    else out.set(key, v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// frpc.ini (legacy)

interface IniSection {
  name: string;
  line: number;
  values: Map<string, { value: string; line: number }>;
}

/**
 * The INI dialect of gopkg.in/ini.v1 as frp loads it: `;` and `#` start a comment only at the
 * start of a line (IgnoreInlineComment), `key = value` or `key: value`, values may be quoted,
 * section names are kept as written (dots included), keys without a value are booleans.
 */
function scanIni(text: string, file: string, warnings: string[]): IniSection[] {
  const sections: IniSection[] = [];
  let cur: IniSection | undefined;
  const rows = text.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const line = i + 1;
    const t = rows[i]!.trim();
    if (t === '' || t.startsWith(';') || t.startsWith('#')) continue;
    if (t.startsWith('[')) {
      const m = /^\[([^\]]*)\]\s*([;#].*)?$/.exec(t);
      if (!m) throw new ProfileError(`${file}:${line}: not valid INI: a section header is not closed with ]`);
      const name = m[1]!.trim();
      if (name === '') throw new ProfileError(`${file}:${line}: not valid INI: empty section name`);
      const dup = sections.find((s) => s.name === name);
      if (dup) throw new ProfileError(`${file}:${line}: section [${name}] appears twice (first at line ${dup.line})`);
      cur = { name, line, values: new Map() };
      sections.push(cur);
      continue;
    }
    const m = /^([^=:]+?)\s*(?:[=:]\s*(.*))?$/.exec(t);
    if (!m) throw new ProfileError(`${file}:${line}: not valid INI: expected key = value`);
    const key = m[1]!.trim();
    let value = m[2] ?? 'true';
    const q = /^"(.*)"$/.exec(value) ?? /^'(.*)'$/.exec(value) ?? /^`(.*)`$/.exec(value);
    if (q) value = q[1]!;
    else if (/\s[;#]/.test(value)) warnings.push(`${file}:${line}: ${key}: frp keeps inline ";" and "#" as part of the value (it does not strip comments after a value); read as "${value}"`);
    if (!cur) {
      warnings.push(`${file}:${line}: ${key} is outside any [section]; ignored`);
      continue;
    }
    cur.values.set(key, { value, line });
  }
  return sections;
}

export function readFrpcIniText(raw: string, file: string): ImportResult {
  const text = normalizeProfileText(raw, file, WHAT_INI);
  const warnings: string[] = [];
  const sections = scanIni(text, file, warnings);
  const common = sections.find((s) => s.name === 'common');
  if (!common) throw new ProfileError(`${file}: no [common] section — not an frpc.ini file`);
  const cv = common.values;
  const get = (k: string) => cv.get(k);
  const COMMON_HANDLED = new Set(['server_addr', 'server_port', 'token', 'privilege_token', 'tls_enable', 'authentication_method', 'protocol', 'includes', 'user', 'start']);
  const method = get('authentication_method');
  if (method && method.value !== 'token' && method.value.trim() !== '') warnings.push(`${file}:${method.line}: authentication_method "${method.value}" is not supported (Porthole's relay uses a shared token)`);
  const protocol = get('protocol');
  if (protocol && protocol.value !== 'tcp') warnings.push(`${file}:${protocol.line}: protocol "${protocol.value}" is not supported; Porthole connects over TCP (TLS)`);
  const includes = get('includes');
  if (includes) warnings.push(`${file}:${includes.line}: includes "${includes.value}": included files are not read; import them separately`);
  const user = get('user');
  if (user) warnings.push(`${file}:${user.line}: user "${user.value}": frps prefixes proxy names with it; Porthole imports the names as written`);
  const start = get('start');
  if (start) warnings.push(`${file}:${start.line}: start "${start.value}": the list of proxies to start is not applied; every proxy is imported`);
  const other = [...cv.keys()].filter((k) => !COMMON_HANDLED.has(k));
  if (other.length > 0) warnings.push(`${file}:${common.line}: [common] ${other.join(', ')}: not supported by Porthole; ignored`);

  const tokenE = get('token') ?? get('privilege_token');
  const intOf = (e: { value: string; line: number } | undefined, field: string): unknown => {
    if (!e) return undefined;
    if (hasTemplate(e.value)) return e.value;
    if (!/^\d{1,9}$/.test(e.value.trim())) throw new ProfileError(`${file}:${e.line}: ${field} "${e.value}": not a whole number${/\s[;#]/.test(e.value) ? ' (frp does not strip a ; or # comment after a value)' : ''}`);
    return Number(e.value.trim());
  };
  const boolOf = (e: { value: string; line: number } | undefined, field: string): boolean | undefined => {
    if (!e) return undefined;
    const v = e.value.trim().toLowerCase();
    if (['true', '1', 'yes', 'on', 't'].includes(v)) return true;
    if (['false', '0', 'no', 'off', 'f'].includes(v)) return false;
    throw new ProfileError(`${file}:${e.line}: ${field} "${e.value}": expected true or false`);
  };
  const INI_KEYS = { serverAddr: 'server_addr', serverPort: 'server_port', token: 'token', tls: 'tls_enable' } as const;
  const commonIn: CommonIn = {
    where: `${file}:${common.line}`,
    at: (key) => {
      const e = get(INI_KEYS[key]) ?? (key === 'token' ? get('privilege_token') : undefined);
      return `${file}:${e?.line ?? common.line}`;
    },
    serverAddr: get('server_addr')?.value,
    serverPort: intOf(get('server_port'), 'server_port'),
    token: tokenE?.value,
    tls: boolOf(get('tls_enable'), 'tls_enable'),
  };

  const proxies: ProxyIn[] = [];
  const PROXY_HANDLED = new Set(['type', 'local_ip', 'local_port', 'remote_port', 'role']);
  for (const s of sections) {
    if (s.name === 'common') continue;
    const where = `${file}:${s.line}`;
    if (/^range:/.test(s.name)) {
      const lp = s.values.get('local_port')?.value;
      const rp = s.values.get('remote_port')?.value;
      warnings.push(`${where}: [${s.name}] skipped: port ranges (local_port ${lp ?? '?'}, remote_port ${rp ?? '?'}) are not expanded; write one proxy per port`);
      continue;
    }
    const role = s.values.get('role')?.value;
    if (role === 'visitor') {
      warnings.push(`${where}: visitor [${s.name}] (${s.values.get('type')?.value ?? 'stcp'}) skipped: Porthole has no frp visitor side (it connects to another client's secret proxy through frps)`);
      continue;
    }
    const v = (k: string) => s.values.get(k);
    proxies.push({
      where,
      name: s.name,
      type: (v('type')?.value ?? 'tcp').trim().toLowerCase(),
      localIP: v('local_ip')?.value,
      localPort: intOf(v('local_port'), 'local_port'),
      remotePort: intOf(v('remote_port'), 'remote_port'),
      enabled: true,
      plugin: s.values.has('plugin'),
      ignored: [...s.values.keys()].filter((k) => !PROXY_HANDLED.has(k) && k !== 'plugin' && !k.startsWith('plugin_')),
    });
  }
  return build('frpc-ini', file, commonIn, proxies, warnings);
}

// ---------------------------------------------------------------------------------------------

function build(format: 'frpc-toml' | 'frpc-ini', file: string, c: CommonIn, proxies: ProxyIn[], warnings: string[]): ImportResult {
  const field = (toml: string, ini: string) => (format === 'frpc-toml' ? toml : ini);
  const tmpl = (name: string, v: unknown, key: 'serverAddr' | 'serverPort' | 'token') => {
    if (typeof v === 'string' && hasTemplate(v)) {
      warnings.push(`${c.at(key)}: ${name} "${v}" is a Go template; Porthole does not render templates`);
      return true;
    }
    return false;
  };
  // The relay.
  const addrTemplated = tmpl(field('serverAddr', 'server_addr'), c.serverAddr, 'serverAddr');
  const portTemplated = tmpl(field('serverPort', 'server_port'), c.serverPort, 'serverPort');
  const tokenTemplated = tmpl(field('auth.token', 'token'), c.token, 'token');
  if (c.serverAddr !== undefined && typeof c.serverAddr !== 'string') throw new ProfileError(`${c.at('serverAddr')}: ${field('serverAddr', 'server_addr')}: expected a string, found ${describe(c.serverAddr)}`);
  if (c.serverPort !== undefined && !portTemplated && (typeof c.serverPort !== 'number' || !Number.isInteger(c.serverPort))) {
    throw new ProfileError(`${c.at('serverPort')}: ${field('serverPort', 'server_port')}: expected a port number, found ${describe(c.serverPort)}`);
  }
  if (c.token !== undefined && typeof c.token !== 'string') throw new ProfileError(`${c.at('token')}: ${field('auth.token', 'token')}: expected a string, found ${describe(c.token)}`);
  if (c.tls !== undefined && typeof c.tls !== 'boolean') throw new ProfileError(`${c.at('tls')}: transport.tls.enable: expected true or false, found ${describe(c.tls)}`);
  if (addrTemplated || portTemplated) {
    warnings.push(`${file}: the frps address is a template, so no relay is imported${proxies.length > 0 ? ` and its ${proxies.length} ${proxies.length === 1 ? 'proxy is' : 'proxies are'} skipped` : ''}`);
    return { format, relays: [], exposes: [], warnings };
  }
  let host = (c.serverAddr as string | undefined)?.trim() ?? DEFAULT_SERVER_ADDR;
  if (/^\[.*\]$/.test(host)) host = host.slice(1, -1);
  if (c.serverAddr === undefined) warnings.push(`${file}: no ${field('serverAddr', 'server_addr')}: frp's default ${DEFAULT_SERVER_ADDR} is used; set the relay's address`);
  if (!isValidHost(host)) throw new ProfileError(`${c.at('serverAddr')}: ${field('serverAddr', 'server_addr')} "${host}": not a valid host name or IP address`);
  const port = (c.serverPort as number | undefined) ?? DEFAULT_SERVER_PORT;
  const tls = (c.tls as boolean | undefined) ?? true;
  if (!tls) warnings.push(`${c.at('tls')}: TLS is off: Porthole connects to a relay without TLS only with its explicit insecure flag`);
  const token = tokenTemplated ? undefined : (c.token as string | undefined);
  if (token === undefined && !tokenTemplated) warnings.push(`${file}: no token: Porthole's relay needs a shared token; enter it before connecting`);
  const relay: ImportedRelay = validated(
    ImportedRelaySchema,
    {
      ref: relayRef(format, host, port),
      name: truncateName(`frps ${host.includes(':') ? `[${host}]` : host}:${port}`),
      host,
      port,
      ...(token !== undefined && token !== '' ? { token } : {}),
      tls,
    },
    c.where,
    'server',
  );

  // The exposes.
  const exposes: ImportedExpose[] = [];
  const names = new Set<string>();
  const remotes = new Map<string, string>();
  for (const p of proxies) {
    const label = `proxy "${p.name}"`;
    if (!p.enabled) {
      warnings.push(`${p.where}: ${label} skipped: enabled = false`);
      continue;
    }
    const why = UNSUPPORTED_TYPES[p.type];
    if (why) {
      warnings.push(`${p.where}: ${label} (${p.type}) skipped: ${why}`);
      continue;
    }
    if (p.type !== 'tcp' && p.type !== 'udp') throw new ProfileError(`${p.where}: ${label}: type "${p.type}" is not an frp proxy type`);
    if (p.plugin) {
      warnings.push(`${p.where}: ${label} skipped: frpc plugins (unix sockets, HTTP/SOCKS proxies, static files…) are not supported`);
      continue;
    }
    const templated = (['localIP', 'localPort', 'remotePort'] as const).filter((k) => typeof p[k] === 'string' && hasTemplate(p[k]));
    if (templated.length > 0) {
      warnings.push(`${p.where}: ${label} skipped: ${templated.map((k) => `${field(k, k === 'localIP' ? 'local_ip' : k === 'localPort' ? 'local_port' : 'remote_port')} "${String(p[k])}"`).join(', ')} is a Go template; Porthole does not render templates`);
      continue;
    }
    if (p.localIP !== undefined && typeof p.localIP !== 'string') throw new ProfileError(`${p.where}: ${label}: ${field('localIP', 'local_ip')}: expected a string, found ${describe(p.localIP)}`);
    for (const k of ['localPort', 'remotePort'] as const) {
      const v = p[k];
      if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v))) throw new ProfileError(`${p.where}: ${label}: ${field(k, k === 'localPort' ? 'local_port' : 'remote_port')}: expected a port number, found ${describe(v)}`);
    }
    if (p.localPort === undefined) throw new ProfileError(`${p.where}: ${label}: missing ${field('localPort', 'local_port')}`);
    if (names.has(p.name)) throw new ProfileError(`${p.where}: ${label}: the name is used by an earlier proxy (frp requires unique names)`);
    names.add(p.name);
    if (p.ignored.length > 0) warnings.push(`${p.where}: ${label}: ${p.ignored.join(', ')}: not supported by Porthole; ignored`);
    let localHost = (p.localIP as string | undefined)?.trim() ?? DEFAULT_LOCAL_IP;
    if (/^\[.*\]$/.test(localHost)) localHost = localHost.slice(1, -1);
    const remotePort = (p.remotePort as number | undefined) ?? 0;
    if (remotePort !== 0) {
      const slot = `${p.type}/${remotePort}`;
      const earlier = remotes.get(slot);
      if (earlier !== undefined) {
        warnings.push(`${p.where}: ${label} skipped: remote port ${p.type} ${remotePort} is already used by proxy "${earlier}"`);
        continue;
      }
      remotes.set(slot, p.name);
    }
    exposes.push(
      validated(
        ImportedExposeSchema,
        { name: truncateName(p.name.trim()), relayRef: relay.ref, protocol: p.type, localHost, localPort: p.localPort, remotePort },
        p.where,
        label,
      ),
    );
  }
  return { format, relays: [relay], exposes, warnings };
}
