import os from 'node:os';
import type { RuleDraftParsed } from '../../src-shared/model/rule';
import { ProfileError } from './profile-error';
import { normalizeProfileText } from './profile-file';
import { KNOWN_KEYWORDS } from './ssh-config-options';
import { type TakenListen, forwardRules } from './ssh-config-rules';
import { type ImportedSshServer, serverBuilder } from './ssh-config-server';
import { expandIncludes, readConfigText } from './ssh-config-text';
import { readSshConfigTree } from './ssh-config-tree';
import { notCarriedOver } from './ssh-config-unsupported';

// Imports an OpenSSH client config (~/.ssh/config) as SSH servers and ssh-local / ssh-remote /
// ssh-dynamic rule drafts.
//
// Safety: nothing in an imported file ever runs. `Match exec` blocks are dropped before the
// ssh-config library sees them (and compute() is called with matchExec: false as well); ProxyCommand,
// LocalCommand, KnownHostsCommand and host-name canonicalization (which makes the library spawn
// nslookup) are never handed to the library either: only the options in COMPUTED (ssh-config-options.ts) are.

export type { ImportedSshServer } from './ssh-config-server';

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
  /** The file's text when it is already in memory (dropped or pasted); `file` then only names it. */
  text?: string;
  /**
   * Read the files its Include lines name. Only for a file the user named by its path (a CLI argument,
   * a file opened with the app, the desktop file dialog); text from anywhere else (pasted, dropped
   * into a page, the API, a porthole:// link) could otherwise pull any local file into the preview.
   * Default: true when the file is read from `file` here, false when `text` is given.
   */
  followIncludes?: boolean;
}

function localUserName(opts: ReadSshConfigOptions): string | undefined {
  if (opts.user !== undefined) return opts.user;
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME;
  }
}

/**
 * Reads an OpenSSH client config as SSH servers and SSH rule drafts. Malformed input (a bad forward
 * spec, port, quote, or a file that is not an ssh_config at all) throws ProfileError naming
 * `file:line`; anything that is valid for OpenSSH but cannot be imported faithfully is skipped or
 * approximated with a warning.
 */
export function readSshConfigProfile(file: string, opts: ReadSshConfigOptions = {}): SshConfigProfile {
  const home = opts.home ?? os.homedir();
  const localUser = localUserName(opts);
  const text = opts.text !== undefined ? normalizeProfileText(opts.text, file, 'an ssh_config file') : readConfigText(file);

  // Content check before anything strict: a file with no ssh_config keyword is the wrong file.
  const looksLikeSshConfig = text.split('\n').some((row) => {
    const kw = /^[ \t]*([^ \t=]+)/.exec(row)?.[1];
    return kw !== undefined && KNOWN_KEYWORDS.has(kw.toLowerCase());
  });
  if (!looksLikeSshConfig) throw new ProfileError(`${file}: does not look like an ssh_config file (no Host, Match or other ssh_config keyword)`);

  const expanded = expandIncludes(file, text, home, opts.followIncludes ?? opts.text === undefined);
  const warnings = [...expanded.warnings];
  const lines = expanded.lines;

  const tree = readSshConfigTree(file, lines, warnings);

  const servers: ImportedSshServer[] = [];
  const rules: RuleDraftParsed[] = [];
  // The same message for many hosts (one `Host *` option read for each) is said once, naming them all.
  const merged = new Map<string, { at: number; hosts: string[] }>();
  const hostWarn = (name: string, msg: string) => {
    const m = merged.get(msg);
    if (m) {
      if (!m.hosts.includes(name)) m.hosts.push(name);
      return;
    }
    merged.set(msg, { at: warnings.length, hosts: [name] });
    warnings.push(msg);
  };
  const buildServer = serverBuilder({ tree, home, localUser, warnings, servers, hostWarn });

  const listens: TakenListen[] = [];
  const computed = new Map<string, Record<string, string | string[]>>();
  for (const alias of tree.aliases) {
    computed.set(alias, tree.computeFor(alias));
    const b = buildServer(`host:${alias}`, alias, alias, undefined);
    rules.push(...forwardRules(alias, b, tree, warnings, listens));
  }
  for (const [msg, m] of merged) {
    const names = m.hosts.length <= 5 ? m.hosts.join(', ') : `${m.hosts.slice(0, 5).join(', ')} and ${m.hosts.length - 5} more`;
    warnings[m.at] = `${names}: ${msg}`;
  }
  warnings.push(...notCarriedOver(tree, computed));
  if (rules.length === 0) {
    warnings.push(
      tree.aliases.length === 0
        ? `${file}: no Host line names a single host (only patterns such as "Host *"), and no LocalForward, RemoteForward or DynamicForward: nothing to import`
        : `${file}: no LocalForward, RemoteForward or DynamicForward for the hosts named here: ${servers.length} SSH server${servers.length === 1 ? '' : 's'} imported, no mappings`,
    );
  }
  return { servers, rules, warnings };
}
