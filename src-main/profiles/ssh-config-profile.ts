import { createHash } from 'node:crypto';
import os from 'node:os';
import SSHConfig, { LineType, type Directive, type Match, type Section } from 'ssh-config';
import type { z } from 'zod';
import { formatHostPort } from '../../src-shared/format/address';
import { type RuleDraftParsed, RuleDraftSchema } from '../../src-shared/model/rule';
import { type HostKeyPolicy, SshServerDraftSchema } from '../../src-shared/model/ssh';
import { UsageError } from '../headless/args';
import { type ConfigLine, expandIncludes, expandTilde, readConfigText, wildcardMatch } from './ssh-config-text';
import { type ForwardKind, type ForwardSpec, parseForwardSpec } from './ssh-forward-spec';

// Imports an OpenSSH client config (~/.ssh/config) as SSH servers and ssh-local / ssh-remote /
// ssh-dynamic rule drafts.
//
// Safety: nothing in an imported file ever runs. `Match exec` blocks are dropped before the
// ssh-config library sees them (and compute() is called with matchExec: false as well); ProxyCommand,
// LocalCommand, KnownHostsCommand and host-name canonicalization (which makes the library spawn
// nslookup) are never handed to the library either: only the options read below are.

export type ImportedSshServer = z.output<typeof SshServerDraftSchema> & { ref: string };

export interface SshConfigProfile {
  /** In dependency order: a jump host comes before the servers that jump through it. */
  servers: ImportedSshServer[];
  /** Each rule's `server` is the `ref` of one of `servers`. */
  rules: RuleDraftParsed[];
  warnings: string[];
}

export interface ReadSshConfigOptions {
  /** Home directory for `~`, `%d` and relative Includes (default: os.homedir()). */
  home?: string;
  /** Local user name: the default User and `%u` (default: os.userInfo().username). */
  user?: string;
}

/** The client keywords of ssh_config(5) (current and deprecated), lower case. */
const KNOWN_KEYWORDS = new Set(
  (
    'host match include addkeystoagent addressfamily batchmode bindaddress bindinterface canonicaldomains canonicalizefallbacklocal ' +
    'canonicalizehostname canonicalizemaxdots canonicalizepermittedcnames casignaturealgorithms certificatefile channeltimeout checkhostip ' +
    'ciphers clearallforwardings compression connectionattempts connecttimeout controlmaster controlpath controlpersist dynamicforward ' +
    'enableescapecommandline enablesshkeysign escapechar exitonforwardfailure fingerprinthash forkafterauthentication forwardagent ' +
    'forwardx11 forwardx11timeout forwardx11trusted gatewayports globalknownhostsfile gssapiauthentication gssapidelegatecredentials ' +
    'gssapikeyexchange gssapiclientidentity gssapiserveridentity gssapitrustdns gssapirenewalforcesrekey gssapikexalgorithms hashknownhosts ' +
    'hostbasedacceptedalgorithms hostbasedauthentication hostbasedkeytypes hostkeyalgorithms hostkeyalias hostname identitiesonly ' +
    'identityagent identityfile ignoreunknown ipqos kbdinteractiveauthentication kbdinteractivedevices kexalgorithms knownhostscommand ' +
    'localcommand localforward loglevel logverbose macs nohostauthenticationforlocalhost numberofpasswordprompts obscurekeystroketiming ' +
    'passwordauthentication permitlocalcommand permitremoteopen pkcs11provider port preferredauthentications proxycommand proxyjump ' +
    'proxyusefdpass pubkeyacceptedalgorithms pubkeyacceptedkeytypes pubkeyauthentication refuseconnection rekeylimit remotecommand ' +
    'remoteforward requesttty requiredrsasize revokedhostkeys securitykeyprovider sendenv serveralivecountmax serveraliveinterval ' +
    'sessiontype setenv stdinnull streamlocalbindmask streamlocalbindunlink stricthostkeychecking syslogfacility tag tcpkeepalive tunnel ' +
    'tunneldevice updatehostkeys usekeychain user userknownhostsfile verifyhostkeydns visualhostkey warnweakcrypto xauthlocation ' +
    'challengeresponseauthentication keepalive protocol cipher compressionlevel rsaauthentication rhostsrsaauthentication ' +
    'dsaauthentication useroaming useprivilegedport smartcarddevice fallbacktorsh usersh'
  ).split(' '),
);

/** The options handed to the library's compute(), in their canonical spelling. */
const COMPUTED: Record<string, string> = {
  hostname: 'HostName',
  port: 'Port',
  user: 'User',
  identityfile: 'IdentityFile',
  proxyjump: 'ProxyJump',
  proxycommand: 'ProxyCommand',
  serveraliveinterval: 'ServerAliveInterval',
  serveralivecountmax: 'ServerAliveCountMax',
  stricthostkeychecking: 'StrictHostKeyChecking',
  userknownhostsfile: 'UserKnownHostsFile',
  clearallforwardings: 'ClearAllForwardings',
  localforward: 'LocalForward',
  remoteforward: 'RemoteForward',
  dynamicforward: 'DynamicForward',
};
/** Options passed by value (the library reads HostName and User for Match host/user); the rest by reference. */
const BY_VALUE = new Set(['hostname', 'user']);
const FORWARD_KEYS: Record<string, ForwardKind> = { localforward: 'LocalForward', remoteforward: 'RemoteForward', dynamicforward: 'DynamicForward' };
const SINGLE_VALUE = new Set(['hostname', 'port', 'user', 'identityfile', 'proxyjump', 'serveraliveinterval', 'serveralivecountmax', 'stricthostkeychecking', 'clearallforwardings']);
const HOST_KEY_POLICIES: Record<string, HostKeyPolicy> = { yes: 'strict', true: 'strict', 'accept-new': 'accept-new', no: 'off', off: 'off', false: 'off', ask: 'ask' };
const MAX_KEEPALIVE_MS = 600_000;

/** OpenSSH time format: `30`, `30s`, `5m`, `1h30m`… → seconds; undefined if malformed. */
function convtime(text: string): number | undefined {
  if (!/^(\d+[smhdwSMHDW]?)+$/.test(text)) return undefined;
  const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  let total = 0;
  for (const m of text.matchAll(/(\d+)([smhdwSMHDW]?)/g)) {
    total += Number(m[1]) * (m[2] ? unit[m[2].toLowerCase()]! : 1);
    if (total > 2 ** 31) return undefined;
  }
  return total;
}

const at = (l: ConfigLine) => `${l.file}:${l.line}`;
const quoteArgs = (l: ConfigLine) => `"${l.args.join(' ')}"`;

/** Host patterns that name one host (no wildcards, no negation). */
function concreteAliases(l: ConfigLine): string[] {
  return l.args.filter((p) => p !== '' && !/[*?!]/.test(p));
}

function refFor(key: string, label: string): string {
  const slug = label.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'host';
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 8);
  return `ssh-${slug}-${hash}`;
}

function localUserName(opts: ReadSshConfigOptions): string | undefined {
  if (opts.user !== undefined) return opts.user;
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME;
  }
}

function truncateName(name: string): string {
  return name.length <= 80 ? name : `${name.slice(0, 79)}…`;
}

interface JumpSpec {
  user?: string;
  host: string;
  port?: number;
}

function parseJumpSpec(text: string): JumpSpec | undefined {
  let s = text;
  if (/^ssh:\/\//i.test(s)) s = s.slice(6).replace(/\/$/, '');
  let user: string | undefined;
  const atSign = s.lastIndexOf('@');
  if (atSign >= 0) {
    user = s.slice(0, atSign);
    s = s.slice(atSign + 1);
    if (user === '') return undefined;
  }
  let host = s;
  let portText: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) {
    host = v6[1]!;
    portText = v6[2];
  } else if (s.includes(':')) {
    const colon = s.lastIndexOf(':');
    host = s.slice(0, colon);
    portText = s.slice(colon + 1);
  }
  if (host === '') return undefined;
  let port: number | undefined;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) return undefined;
    port = Number(portText);
  }
  return { user, host, port };
}

type Built = { ok: true; server: ImportedSshServer } | { ok: false };

/**
 * Reads an OpenSSH client config as SSH servers and SSH rule drafts. Malformed input (a bad forward
 * spec, port, quote, or a file that is not an ssh_config at all) throws UsageError naming
 * `file:line`; anything that is valid for OpenSSH but cannot be imported faithfully is skipped or
 * approximated with a warning.
 */
export function readSshConfigProfile(file: string, opts: ReadSshConfigOptions = {}): SshConfigProfile {
  const home = opts.home ?? os.homedir();
  const localUser = localUserName(opts);
  const text = readConfigText(file);

  // Content check before anything strict: a file with no ssh_config keyword is the wrong file.
  const looksLikeSshConfig = text.split('\n').some((row) => {
    const kw = /^[ \t]*([^ \t=]+)/.exec(row)?.[1];
    return kw !== undefined && KNOWN_KEYWORDS.has(kw.toLowerCase());
  });
  if (!looksLikeSshConfig) throw new UsageError(`${file}: does not look like an ssh_config file (no Host, Match or other ssh_config keyword)`);

  const expanded = expandIncludes(file, text, home);
  const warnings = [...expanded.warnings];
  const lines = expanded.lines;

  const ignoreUnknown = lines.filter((l) => l.key === 'ignoreunknown').flatMap((l) => l.args.join(',').split(',')).filter((p) => p !== '');
  const ignored = (kw: string) => ignoreUnknown.some((p) => wildcardMatch(p.toLowerCase(), kw.toLowerCase()));

  // Pass 1: check every line as OpenSSH does (whether or not its block applies) and build the tree
  // the library computes over. Options are passed by reference (`\0<index>`) so the computed result
  // leads back to the line each value came from.
  const root = new SSHConfig();
  let section: SSHConfig | undefined = root;
  const refs: ConfigLine[] = [];
  const forwards = new Map<number, ForwardSpec>();
  const aliases: string[] = [];
  const aliasSeen = new Set<string>();

  for (const l of lines) {
    if (l.key === 'host') {
      if (l.args.length === 0) throw new UsageError(`${at(l)}: Host: missing host pattern`);
      const sec: Section = {
        type: LineType.DIRECTIVE,
        param: 'Host',
        separator: ' ',
        value: l.args.map((val, i) => ({ val, separator: i === 0 ? '' : ' ' })),
        before: '',
        after: '\n',
        config: new SSHConfig(),
      };
      root.push(sec);
      section = sec.config;
      if (!l.synthetic) {
        for (const a of concreteAliases(l)) {
          if (!aliasSeen.has(a)) {
            aliasSeen.add(a);
            aliases.push(a);
          }
        }
      }
      continue;
    }
    if (l.key === 'match') {
      const criteria = matchCriteria(l, warnings);
      if (criteria === undefined) {
        section = undefined;
        continue;
      }
      const m: Match = {
        type: LineType.DIRECTIVE,
        param: 'Match',
        separator: ' ',
        value: l.args.map((val, i) => ({ val, separator: i === 0 ? '' : ' ' })),
        before: '',
        after: '\n',
        config: new SSHConfig(),
        criteria,
      };
      root.push(m);
      section = m.config;
      continue;
    }
    if (!KNOWN_KEYWORDS.has(l.key)) {
      if (!ignored(l.key)) warnings.push(`${at(l)}: unknown keyword "${l.keyword}" ignored`);
      continue;
    }
    const param = COMPUTED[l.key];
    if (param === undefined) continue;
    checkOption(l);
    const forwardKind = FORWARD_KEYS[l.key];
    let spec: ForwardSpec | undefined;
    if (forwardKind) {
      const r = parseForwardSpec(forwardKind, l.args);
      if (!r.ok) throw new UsageError(`${at(l)}: ${forwardKind} ${quoteArgs(l)}: ${r.error}`);
      if (r.spec.kind === 'unsupported') {
        warnings.push(`${at(l)}: ${forwardKind} ${quoteArgs(l)}: ${r.spec.reason}; skipped`);
      } else if (r.spec.kind === 'RemoteForward' && r.spec.remote.allInterfaces) {
        warnings.push(`${at(l)}: ${forwardKind} ${quoteArgs(l)} asks the SSH server to listen on all its interfaces`);
      } else if (r.spec.kind !== 'RemoteForward' && r.spec.listen.allInterfaces) {
        warnings.push(`${at(l)}: ${forwardKind} ${quoteArgs(l)} listens on all interfaces, reachable from other machines`);
      }
      spec = r.spec;
    }
    if (l.key === 'gatewayports' || section === undefined) continue;
    if (spec) forwards.set(refs.length, spec);
    const directive: Directive = {
      type: LineType.DIRECTIVE,
      param,
      separator: ' ',
      value: BY_VALUE.has(l.key) ? l.args[0]! : `\0${refs.length}`,
      before: '',
      after: '\n',
    };
    refs.push(l);
    section.push(directive);
  }
  for (const l of lines) {
    if (l.key === 'gatewayports' && /^(yes|clientspecified)$/i.test(l.args[0] ?? '')) {
      warnings.push(`${at(l)}: GatewayPorts ${l.args[0]} is not applied: forwards without a bind address listen on 127.0.0.1 (write *:PORT to listen on all interfaces)`);
    }
  }
  if (aliases.length === 0) warnings.push(`${file}: no Host entry names a single host (only patterns such as "Host *"); nothing to import`);

  const computeFor = (alias: string): Record<string, string | string[]> => {
    try {
      return root.compute(alias, { matchExec: false, ignoreCase: true });
    } catch (err) {
      throw new UsageError(`${file}: cannot evaluate Host ${alias} (${(err as Error).message})`);
    }
  };
  const deref = (v: string | string[] | undefined): ConfigLine | undefined => {
    const s = Array.isArray(v) ? v[0] : v;
    if (s === undefined || !s.startsWith('\0')) return undefined;
    return refs[Number(s.slice(1))];
  };
  const refIndexes = (v: string | string[] | undefined): number[] =>
    (v === undefined ? [] : Array.isArray(v) ? v : [v]).filter((s) => s.startsWith('\0')).map((s) => Number(s.slice(1)));

  const servers: ImportedSshServer[] = [];
  const rules: RuleDraftParsed[] = [];
  const built = new Map<string, Built>();
  const building = new Set<string>();
  const concrete = new Set(aliases);

  const buildServer = (key: string, alias: string, name: string, override: JumpSpec | undefined): Built => {
    const memo = built.get(key);
    if (memo) return memo;
    const fail = (why: string): Built => {
      warnings.push(`${name}: skipped: ${why}`);
      const r: Built = { ok: false };
      built.set(key, r);
      return r;
    };
    if (building.has(key)) {
      warnings.push(`${name}: its ProxyJump chain loops back to itself`);
      return { ok: false };
    }
    building.add(key);
    try {
      const c = computeFor(alias);
      const w = (msg: string) => warnings.push(`${name}: ${msg}`);

      // HostName may use %h (the alias) and %%.
      let host = alias;
      if (typeof c.hostname === 'string') {
        const raw = c.hostname;
        host = raw.replace(/%([%h])/g, (_m, t: string) => (t === '%' ? '%' : alias));
        if (/%/.test(raw.replace(/%[%h]/g, ''))) return fail(`HostName "${raw}": only %h and %% can be expanded`);
      }
      const portLine = deref(c.port);
      const port = override?.port ?? (portLine ? Number(portLine.args[0]) : 22);
      const user = override?.user ?? (typeof c.user === 'string' ? c.user : localUser);
      if (user === undefined) return fail('no User and the local user name is unknown');

      const expandTokens = (what: string, value: string): string => {
        const unknown = new Set<string>();
        const out = expandTilde(value, home).replace(/%(.)/gs, (m, t: string) => {
          switch (t) {
            case '%':
              return '%';
            case 'd':
              return home;
            case 'u':
              return localUser ?? m;
            case 'h':
              return host;
            case 'r':
              return user;
            case 'n':
              return alias;
            case 'p':
              return String(port);
            default:
              unknown.add(m);
              return m;
          }
        });
        if (out.startsWith('~')) w(`${what} "${value}": ~user paths are not expanded`);
        if (unknown.size > 0) w(`${what} "${value}": ${[...unknown].join(', ')} not expanded`);
        return out;
      };

      // Authentication: the first IdentityFile, else the agent.
      const identities = refIndexes(c.identityfile)
        .map((i) => refs[i]!.args[0]!)
        .filter((f) => f.toLowerCase() !== 'none');
      let auth: ImportedSshServer['auth'] = { method: 'agent' };
      if (identities.length > 0) {
        auth = { method: 'key', keyPath: expandTokens('IdentityFile', identities[0]!), hasPassphrase: false };
        if (new Set(identities).size > 1) w(`only the first IdentityFile (${identities[0]}) is used; ${identities.length - 1} more ignored`);
      }

      // Jump hosts: ProxyJump, unless a ProxyCommand came first (OpenSSH uses whichever is first).
      const jumpLine = deref(c.proxyjump);
      const commandLine = deref(c.proxycommand);
      const commandIdx = commandLine ? refs.indexOf(commandLine) : Infinity;
      const jumpIdx = jumpLine ? refs.indexOf(jumpLine) : Infinity;
      const jump: string[] = [];
      if (commandLine && commandIdx < jumpIdx && commandLine.args[0]?.toLowerCase() !== 'none') {
        w(`ProxyCommand is not supported (Porthole never runs commands from an imported file): connecting directly to ${host}`);
      } else if (jumpLine && jumpLine.args[0]!.toLowerCase() !== 'none') {
        const specs = jumpLine.args[0]!.split(',');
        for (const [i, specText] of specs.entries()) {
          const spec = parseJumpSpec(specText);
          if (!spec) return fail(`ProxyJump "${specText}" is not [user@]host[:port] (${at(jumpLine)})`);
          const byAlias = spec.user === undefined && spec.port === undefined && concrete.has(spec.host);
          const j = byAlias ? buildServer(`host:${spec.host}`, spec.host, spec.host, undefined) : buildServer(`jump:${specText}`, spec.host, specText, spec);
          if (!j.ok) return fail(`its jump host "${specText}" could not be imported`);
          // Porthole walks one flat chain; the first jump host's own ProxyJump comes before it.
          if (i === 0) jump.push(...j.server.jump);
          jump.push(j.server.ref);
        }
        if (new Set(jump).size !== jump.length) return fail('its ProxyJump chain goes through the same host twice');
        if (jump.length > 8) return fail('its ProxyJump chain has more than 8 hops');
      }

      // Host keys.
      const policyLine = deref(c.stricthostkeychecking);
      const hostKeyPolicy: HostKeyPolicy = policyLine ? HOST_KEY_POLICIES[policyLine.args[0]!.toLowerCase()]! : 'ask';
      if (hostKeyPolicy === 'off') w('StrictHostKeyChecking no: any host key is accepted, even a changed one');
      let knownHostsFile: string | undefined;
      const khLine = deref(c.userknownhostsfile);
      const kh = khLine?.args[0];
      if (kh !== undefined) {
        if (kh === '/dev/null' || kh.toLowerCase() === 'none') {
          if (hostKeyPolicy !== 'off') w(`UserKnownHostsFile ${kh}: no host keys are remembered, so the host key is asked every time unless StrictHostKeyChecking says otherwise`);
        } else {
          knownHostsFile = expandTokens('UserKnownHostsFile', kh);
        }
      }

      // Keepalives.
      let keepaliveIntervalMs: number | undefined;
      const kaLine = deref(c.serveraliveinterval);
      if (kaLine) {
        keepaliveIntervalMs = convtime(kaLine.args[0]!)! * 1000;
        if (keepaliveIntervalMs > MAX_KEEPALIVE_MS) {
          w(`ServerAliveInterval ${kaLine.args[0]} is longer than Porthole allows; using 600 seconds`);
          keepaliveIntervalMs = MAX_KEEPALIVE_MS;
        }
      }
      let keepaliveCountMax: number | undefined;
      const kcLine = deref(c.serveralivecountmax);
      if (kcLine) {
        const n = Number(kcLine.args[0]);
        keepaliveCountMax = Math.min(100, Math.max(1, n));
        if (keepaliveCountMax !== n) w(`ServerAliveCountMax ${n} is outside 1–100; using ${keepaliveCountMax}`);
      }

      const draft = {
        name: truncateName(name),
        host,
        port,
        user,
        auth,
        jump,
        ...(keepaliveIntervalMs !== undefined ? { keepaliveIntervalMs } : {}),
        ...(keepaliveCountMax !== undefined ? { keepaliveCountMax } : {}),
        hostKeyPolicy,
        ...(knownHostsFile !== undefined ? { knownHostsFile } : {}),
      };
      const parsed = SshServerDraftSchema.safeParse(draft);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = issue.path.join('.');
        const value = (draft as Record<string, unknown>)[String(issue.path[0])];
        return fail(`${field}${typeof value === 'string' ? ` "${value}"` : ''}: ${issue.message}`);
      }
      const server: ImportedSshServer = { ...parsed.data, ref: refFor(key, alias) };
      servers.push(server);
      const r: Built = { ok: true, server };
      built.set(key, r);
      return r;
    } finally {
      building.delete(key);
    }
  };

  for (const alias of aliases) {
    const b = buildServer(`host:${alias}`, alias, alias, undefined);
    const c = computeFor(alias);
    const fwdIdx = [...refIndexes(c.localforward), ...refIndexes(c.remoteforward), ...refIndexes(c.dynamicforward)].sort((a, z2) => a - z2);
    const usable = fwdIdx.filter((i) => forwards.get(i)?.kind !== 'unsupported');
    if (!b.ok) {
      if (usable.length > 0) warnings.push(`${alias}: ${usable.length} forward${usable.length === 1 ? '' : 's'} not imported because the server was skipped`);
      continue;
    }
    const clear = deref(c.clearallforwardings);
    if (clear && clear.args[0]!.toLowerCase() === 'yes') {
      if (usable.length > 0) warnings.push(`${alias}: ClearAllForwardings yes (${at(clear)}): its ${usable.length} forward(s) are not imported`);
      continue;
    }
    const taken = new Set<string>();
    for (const i of usable) {
      const spec = forwards.get(i)!;
      const l = refs[i]!;
      const rule = ruleFor(alias, b.server.ref, spec);
      if (!rule) continue;
      if (taken.has(rule.slot)) {
        warnings.push(`${alias}: ${l.keyword} ${quoteArgs(l)} (${at(l)}) uses the same ${rule.slot} as an earlier forward; skipped`);
        continue;
      }
      taken.add(rule.slot);
      const parsed = RuleDraftSchema.safeParse(rule.draft);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        warnings.push(`${alias}: ${l.keyword} ${quoteArgs(l)} (${at(l)}) skipped: ${issue.path.join('.')}: ${issue.message}`);
        continue;
      }
      rules.push(parsed.data);
    }
  }
  return { servers, rules, warnings };
}

/** Values OpenSSH itself would refuse (it refuses the whole file): errors, whichever block they are in. */
function checkOption(l: ConfigLine): void {
  const first = l.args[0];
  if (first === undefined) throw new UsageError(`${at(l)}: ${l.keyword}: missing value`);
  if (SINGLE_VALUE.has(l.key) && l.args.length > 1) throw new UsageError(`${at(l)}: ${l.keyword} ${quoteArgs(l)}: expected one value`);
  switch (l.key) {
    case 'port':
      if (!/^\d{1,5}$/.test(first) || Number(first) < 1 || Number(first) > 65535) throw new UsageError(`${at(l)}: Port "${first}": not a port number (1–65535)`);
      break;
    case 'serveraliveinterval':
      if (convtime(first) === undefined) throw new UsageError(`${at(l)}: ServerAliveInterval "${first}": not a time in seconds`);
      break;
    case 'serveralivecountmax':
      if (!/^\d{1,9}$/.test(first)) throw new UsageError(`${at(l)}: ServerAliveCountMax "${first}": not a whole number`);
      break;
    case 'stricthostkeychecking':
      if (HOST_KEY_POLICIES[first.toLowerCase()] === undefined) throw new UsageError(`${at(l)}: StrictHostKeyChecking "${first}": expected yes, accept-new, no, off or ask`);
      break;
    case 'clearallforwardings':
      if (!/^(yes|no)$/i.test(first)) throw new UsageError(`${at(l)}: ClearAllForwardings "${first}": expected yes or no`);
      break;
    case 'hostname':
    case 'user':
    case 'identityfile':
    case 'proxyjump':
      if (first === '') throw new UsageError(`${at(l)}: ${l.keyword}: empty value`);
      break;
  }
}

/**
 * Match criteria the library may evaluate safely and deterministically: `all`, `host`, `originalhost`.
 * Any other criterion (above all `exec`, which would run a command) drops the whole block.
 * Known approximation: `Match host` compares with the HostName as written, without expanding %h.
 */
function matchCriteria(l: ConfigLine, warnings: string[]): Match['criteria'] | undefined {
  const criteria: Match['criteria'] = {};
  const unsupported: string[] = [];
  let exec = false;
  for (let i = 0; i < l.args.length; ) {
    const kw = l.args[i]!.toLowerCase();
    if (kw === 'all' || kw === 'canonical' || kw === 'final') {
      if (kw === 'all') criteria.all = [];
      else unsupported.push(kw);
      i += 1;
      continue;
    }
    const value = l.args[i + 1];
    if (value === undefined) throw new UsageError(`${at(l)}: Match ${quoteArgs(l)}: "${l.args[i]}" needs a value`);
    if (kw === 'exec') exec = true;
    if (kw === 'host' || kw === 'originalhost') criteria[kw] = value;
    else unsupported.push(l.args[i]!);
    i += 2;
  }
  if (l.args.length === 0) throw new UsageError(`${at(l)}: Match: missing criteria`);
  if (exec) {
    warnings.push(`${at(l)}: Match exec is never run by Porthole; the options of this Match block are ignored`);
    return undefined;
  }
  if (unsupported.length > 0) {
    warnings.push(`${at(l)}: Match ${unsupported.join(', ')} is not supported; the options of this Match block are ignored`);
    return undefined;
  }
  return criteria;
}

function ruleFor(alias: string, server: string, spec: ForwardSpec): { draft: unknown; slot: string } | undefined {
  const show = (h: { host: string; port: number; defaulted: boolean }) => (h.defaulted || h.host === '127.0.0.1' ? String(h.port) : formatHostPort(h.host, h.port));
  switch (spec.kind) {
    case 'LocalForward':
      return {
        slot: `listen address ${formatHostPort(spec.listen.host, spec.listen.port)}`,
        draft: {
          type: 'ssh-local',
          name: truncateName(`${alias}: L ${show(spec.listen)} → ${formatHostPort(spec.target.host, spec.target.port)}`),
          enabled: true,
          server,
          listen: { host: spec.listen.host, port: spec.listen.port },
          target: spec.target,
        },
      };
    case 'RemoteForward':
      return {
        slot: `remote address ${formatHostPort(spec.remote.host, spec.remote.port)}`,
        draft: {
          type: 'ssh-remote',
          name: truncateName(`${alias}: R ${show(spec.remote)} → ${formatHostPort(spec.target.host, spec.target.port)}`),
          enabled: true,
          server,
          remote: { host: spec.remote.host, port: spec.remote.port },
          target: spec.target,
        },
      };
    case 'DynamicForward':
      return {
        slot: `listen address ${formatHostPort(spec.listen.host, spec.listen.port)}`,
        draft: {
          type: 'ssh-dynamic',
          name: truncateName(`${alias}: D ${show(spec.listen)} (SOCKS)`),
          enabled: true,
          server,
          listen: { host: spec.listen.host, port: spec.listen.port },
          socks: {},
        },
      };
    case 'unsupported':
      return undefined;
  }
}
