import { at } from './ssh-config-options';
import type { ConfigLine } from './ssh-config-text';
import type { SshConfigTree } from './ssh-config-tree';

// What an ssh_config holds that Porthole does not carry over, said once per file: each option with
// the hosts it applies to, and the Host patterns (`Host corp-*`, `Host gpu?`) that name no host of
// the file, above all those holding forwards, which would otherwise vanish without a word.

/** Why an option is not carried over, where that is worth saying. */
const WHY: Record<string, string> = {
  forwardagent: 'Porthole never forwards your agent',
  forwardx11: 'Porthole opens no sessions, only forwards',
  forwardx11trusted: 'Porthole opens no sessions, only forwards',
  remotecommand: 'Porthole runs no remote command, it only forwards',
  requesttty: 'Porthole opens no terminal, it only forwards',
  sessiontype: 'Porthole opens no session, it only forwards',
  localcommand: 'Porthole never runs commands from an imported file',
  permitlocalcommand: 'Porthole never runs commands from an imported file',
  knownhostscommand: 'Porthole never runs commands from an imported file',
  hostkeyalgorithms: "Porthole offers its SSH library's algorithms",
  kexalgorithms: "Porthole offers its SSH library's algorithms",
  ciphers: "Porthole offers its SSH library's algorithms",
  macs: "Porthole offers its SSH library's algorithms",
  pubkeyacceptedalgorithms: "Porthole offers its SSH library's algorithms",
  pubkeyacceptedkeytypes: "Porthole offers its SSH library's algorithms",
  controlmaster: 'each Porthole server keeps one connection of its own',
  controlpath: 'each Porthole server keeps one connection of its own',
  controlpersist: 'each Porthole server keeps one connection of its own',
  exitonforwardfailure: 'a forward that fails is reported on its own mapping',
  addkeystoagent: 'Porthole adds no keys to the agent',
  certificatefile: 'certificates are not supported; the key itself is offered',
  pkcs11provider: 'hardware tokens are only reached through an agent',
  securitykeyprovider: 'security keys are only reached through an agent',
};

/** Values that turn an option off, which is what Porthole does anyway: not worth a word. */
const OFF = new Set(['no', 'none', 'false', 'off']);

function hostList(hosts: string[], all: number): string {
  if (hosts.length === all && all > 1) return `every host (${all})`;
  return hosts.length <= 5 ? hosts.join(', ') : `${hosts.slice(0, 5).join(', ')} and ${hosts.length - 5} more`;
}

/** One warning per option keyword not carried over, with the hosts whose settings it is part of. */
export function notCarriedOver(tree: SshConfigTree, computed: Map<string, Record<string, string | string[]>>): string[] {
  const byKey = new Map<string, { first: ConfigLine; hosts: string[] }>();
  for (const alias of tree.aliases) {
    const c = computed.get(alias) ?? {};
    const seen = new Set<string>();
    for (const [k, v] of Object.entries(c)) {
      if (!k.startsWith('portholeopt')) continue;
      const l = tree.deref(v);
      // OpenSSH uses the first value it finds for each option: later ones for the same key change nothing.
      if (!l || seen.has(l.key)) continue;
      seen.add(l.key);
      if (OFF.has((l.args[0] ?? '').toLowerCase())) continue;
      const entry = byKey.get(l.key) ?? { first: l, hosts: [] };
      entry.hosts.push(alias);
      byKey.set(l.key, entry);
    }
  }
  return [...byKey.values()].map(({ first, hosts }) => {
    const why = WHY[first.key];
    return `${at(first)}: ${first.keyword} is not carried over${why ? ` (${why})` : ''} — set for ${hostList(hosts, tree.aliases.length)}`;
  });
}

/** OpenSSH host patterns: `*` and `?`, case-insensitive, over the whole name. */
export function hostPatternMatch(pattern: string, name: string): boolean {
  let re = '^';
  for (const ch of pattern) re += ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${re}$`, 'is').test(name);
}

/**
 * A Host line whose patterns (wildcards, not `*` alone) match no host named in the file: nothing of
 * its block is imported. Said loudly when the block holds forwards. Patterns of included files are
 * not quoted (file:line only).
 */
export function patternReports(lines: ConfigLine[], aliases: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.key !== 'host' || l.synthetic) continue;
    const patterns = l.args.filter((p) => !p.startsWith('!') && /[*?]/.test(p) && p !== '*');
    if (patterns.length === 0 || l.args.some((p) => !p.startsWith('!') && !/[*?]/.test(p))) continue;
    if (aliases.some((a) => patterns.some((p) => hostPatternMatch(p, a)))) continue;
    let forwards = 0;
    for (let j = i + 1; j < lines.length && lines[j]!.key !== 'host' && lines[j]!.key !== 'match'; j++) {
      if (/^(local|remote|dynamic)forward$/.test(lines[j]!.key)) forwards++;
    }
    const shown = l.included ? 'this Host pattern' : `Host ${patterns.join(' ')}`;
    out.push(
      forwards > 0
        ? `${at(l)}: ${shown} holds ${forwards} forward${forwards === 1 ? '' : 's'} but names no single host, and no host named in this config matches it: the forwards are not imported — add a Host line naming each host (Host db1 db2) to import them`
        : `${at(l)}: ${shown} matches no host named in this config: its options are not imported — name each host in a Host line of its own`,
    );
  }
  return out;
}
