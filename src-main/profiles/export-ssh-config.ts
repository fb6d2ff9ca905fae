import { formatHostPort } from '../../src-shared/format/address';
import type { Rule } from '../../src-shared/model/rule';
import type { HostKeyPolicy, SshServer } from '../../src-shared/model/ssh';
import type { ExportResult, Selection } from './export-profile';

// The SSH tunnels of an export as an OpenSSH client config: one Host block per server (jump hosts
// too, so their keys and settings come along), each with the forwards of the rules that use it.
// What Porthole's importer (ssh-config-profile.ts) reads back is what was written. Secrets never
// appear: ssh_config has no form for them.

/** User text on one line: control characters (newlines above all) become spaces. */
export function oneLine(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ');
}

/** User text in a message: quoted, on one line. */
export function quoted(text: string): string {
  return `"${oneLine(text)}"`;
}

const POLICY: Record<HostKeyPolicy, string> = { ask: 'ask', 'accept-new': 'accept-new', strict: 'yes', off: 'no' };

/** One ssh_config argument: bare when safe, else double-quoted; undefined if no quoting can hold it. */
function arg(value: string): string | undefined {
  if (/\p{Cc}/u.test(value)) return undefined;
  if (/^[A-Za-z0-9._/:@%+,~[\]-]+$/.test(value)) return value;
  // OpenSSH (argv_split) reads \" \' \\ as escapes and any other backslash as itself: double a
  // backslash only where it would start an escape, so Windows paths read the same by older clients.
  return `"${value.replace(/\\(?=["'\\]|$)/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** HostName, IdentityFile and UserKnownHostsFile expand %-tokens: a literal % is written %%. */
const percent = (value: string) => value.replace(/%/g, '%%');

function forwardLine(rule: Rule, warn: (msg: string) => void): string | undefined {
  switch (rule.type) {
    case 'ssh-local':
      return `LocalForward ${formatHostPort(rule.listen.host, rule.listen.port)} ${formatHostPort(rule.target.host, rule.target.port)}`;
    case 'ssh-remote':
      return `RemoteForward ${formatHostPort(rule.remote.host, rule.remote.port)} ${formatHostPort(rule.target.host, rule.target.port)}`;
    case 'ssh-dynamic': {
      const listen = formatHostPort(rule.listen.host, rule.listen.port);
      if (rule.socks.username || rule.socks.hasPassword) {
        warn(`${quoted(rule.name)}: ssh_config has no SOCKS username or password: its DynamicForward lets in anyone who can reach ${listen}`);
      }
      return `DynamicForward ${listen}`;
    }
    default:
      return undefined;
  }
}

export function renderSshConfig(sel: Selection, now: Date): Omit<ExportResult, 'fileName'> {
  const warnings = [...sel.warnings];
  const byId = new Map(sel.servers.map((s) => [s.id, s]));
  const alias = (id: string) => sel.serverRefs.get(id)!;
  const written = new Set<string>();
  const blocks: string[] = [];
  let forwards = 0;

  /**
   * The ProxyJump value for Porthole's flat chain of hops. OpenSSH connects to the FIRST hop with
   * that host's own ProxyJump (later hops get `-J`, which overrides theirs), so naming hops by alias
   * from index k is exact when hop k's own chain is the hops before it. Otherwise the first hop is
   * written as user@host:port, which ssh reaches directly.
   */
  const proxyJump = (s: SshServer, warn: (m: string) => void): string | undefined => {
    const chain = s.jump.map((id) => byId.get(id)!);
    for (let k = 0; k < chain.length; k++) {
      const own = chain[k]!.jump;
      if (own.length === k && own.every((id, i) => id === s.jump[i])) return chain.slice(k).map((h) => alias(h.id)).join(',');
    }
    const first = chain[0]!;
    warn(
      `its first jump host ${quoted(first.name)} has jump hosts of its own that this route does not use, so ProxyJump names it as ${first.user}@${formatHostPort(first.host, first.port)}; its key and host key settings in this file do not apply on that hop`,
    );
    if (first.user.includes(',')) return undefined;
    return [`${first.user}@${formatHostPort(first.host, first.port)}`, ...chain.slice(1).map((h) => alias(h.id))].join(',');
  };

  for (const s of sel.servers) {
    const label = `SSH server ${quoted(s.name)}`;
    const warn = (msg: string) => warnings.push(`${label}: ${msg}`);
    const fail = (why: string) => warnings.push(`${label} left out: ${why}`);
    if (!s.jump.every((id) => written.has(id))) {
      fail('one of its jump hosts could not be written');
      continue;
    }
    const lines = [`# ${oneLine(s.name)}`, `Host ${alias(s.id)}`, `  HostName ${arg(percent(s.host))!}`];
    if (s.port !== 22) lines.push(`  Port ${s.port}`);
    const user = arg(s.user);
    if (user === undefined) {
      fail('its user name has control characters');
      continue;
    }
    if (s.user.includes('%')) warn('newer OpenSSH versions expand %-tokens in User: check the user name');
    lines.push(`  User ${user}`);
    if (s.auth.method === 'key') {
      const key = arg(percent(s.auth.keyPath));
      if (key === undefined) {
        fail('its key file path has control characters');
        continue;
      }
      lines.push(`  IdentityFile ${key}`);
    } else if (s.auth.method === 'password') {
      warn('uses password authentication: ssh_config cannot hold a password, so ssh will ask for it');
    }
    if (s.jump.length > 0) {
      const jump = proxyJump(s, warn);
      if (jump === undefined) {
        fail('its first jump host\'s user name has a comma, which ProxyJump cannot hold');
        continue;
      }
      lines.push(`  ProxyJump ${arg(jump)!}`);
    }
    const seconds = Math.ceil(s.keepaliveIntervalMs / 1000);
    if (seconds * 1000 !== s.keepaliveIntervalMs) warn(`keepalive interval ${s.keepaliveIntervalMs} ms written as ${seconds} s (ssh_config counts whole seconds)`);
    lines.push(`  ServerAliveInterval ${seconds}`, `  ServerAliveCountMax ${s.keepaliveCountMax}`, `  StrictHostKeyChecking ${POLICY[s.hostKeyPolicy]}`);
    if (s.knownHostsFile !== undefined) {
      const kh = arg(percent(s.knownHostsFile));
      if (kh === undefined) {
        fail('its known_hosts path has control characters');
        continue;
      }
      lines.push(`  UserKnownHostsFile ${kh}`);
    }
    for (const rule of sel.rules) {
      if (!('server' in rule) || rule.server !== s.id) continue;
      const line = forwardLine(rule, (m) => warnings.push(m));
      if (line === undefined) continue;
      lines.push(`  # ${oneLine(rule.name)}${rule.enabled ? '' : ' (switched off in Porthole)'}`, `  ${line}`);
      forwards++;
    }
    written.add(s.id);
    blocks.push(lines.join('\n'));
  }
  for (const rule of sel.rules) {
    if ('server' in rule && !written.has(rule.server) && byId.has(rule.server)) warnings.push(`${quoted(rule.name)} left out: its SSH server could not be written`);
  }
  if (forwards === 0) warnings.push('No SSH tunnel to export: the file has no forwards');

  const header = [
    `# OpenSSH client config exported by Porthole on ${now.toISOString()}: ${forwards} SSH tunnel${forwards === 1 ? '' : 's'}, ${written.size} host${written.size === 1 ? '' : 's'}.`,
    '# Use it with `ssh -F <this file> <host>`, or add `Include <this file>` at the top of ~/.ssh/config.',
    '# No secrets: ssh asks for passwords and key passphrases itself.',
  ].join('\n');
  return { text: `${[header, ...blocks].join('\n\n')}\n`, warnings, counts: { rules: forwards, servers: written.size, relays: 0 } };
}
