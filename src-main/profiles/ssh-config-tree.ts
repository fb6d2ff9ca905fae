import SSHConfig, { LineType, type Directive, type Match, type Section } from 'ssh-config';
import { ProfileError } from './profile-error';
import { BY_VALUE, COMPUTED, FORWARD_KEYS, HANDLED, KNOWN_KEYWORDS, at, checkOption, matchCriteria, shownArgs } from './ssh-config-options';
import { patternReports } from './ssh-config-unsupported';
import { type ConfigLine, wildcardMatch } from './ssh-config-text';
import { type ForwardSpec, parseForwardSpec } from './ssh-forward-spec';

/** The options of an ssh_config, checked line by line and resolvable per Host alias. */
export interface SshConfigTree {
  /** The Host aliases that name one host, in file order. */
  aliases: string[];
  /** The option lines handed to the library; a computed value `\0<index>` points into this. */
  refs: ConfigLine[];
  /** The parsed LocalForward / RemoteForward / DynamicForward specs, by index into `refs`. */
  forwards: Map<number, ForwardSpec>;
  /** The options that apply to `alias` (ssh -G), values by reference except HostName and User. */
  computeFor: (alias: string) => Record<string, string | string[]>;
  /** The line a computed (by-reference) value came from; the first one for a list. */
  deref: (v: string | string[] | undefined) => ConfigLine | undefined;
  /** Whether a by-value option (HostName, User) with this value is written in an included file: then it is never quoted. */
  fromIncluded: (key: 'hostname' | 'user', value: string) => boolean;
  /** Whether any line came from an included file. */
  hasIncluded: boolean;
}

const FORWARD_SYNTAX: Record<string, string> = {
  LocalForward: '[bind_address:]port host:hostport',
  RemoteForward: '[bind_address:]port host:hostport',
  DynamicForward: '[bind_address:]port',
};

/** Host patterns that name one host (no wildcards, no negation). */
function concreteAliases(l: ConfigLine): string[] {
  return l.args.filter((p) => p !== '' && !/[*?!]/.test(p));
}

/** The `refs` indexes of a computed value (a list for IdentityFile and the forwards). */
export const refIndexes = (v: string | string[] | undefined): number[] =>
  (v === undefined ? [] : Array.isArray(v) ? v : [v]).filter((s) => s.startsWith('\0')).map((s) => Number(s.slice(1)));

/**
 * Checks every line of an expanded ssh_config and builds the tree the ssh-config library computes
 * over. Malformed lines throw ProfileError naming `file:line`; anything else noteworthy goes to
 * `warnings`.
 */
export function readSshConfigTree(file: string, lines: ConfigLine[], warnings: string[]): SshConfigTree {
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
  const includedValues = new Set<string>();

  for (const l of lines) {
    if (l.key === 'host') {
      if (l.args.length === 0) throw new ProfileError(`${at(l)}: Host: missing host pattern`);
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
      // An included file may be anything (a key, a password list): its unknown words are not quoted.
      if (!ignored(l.key)) warnings.push(l.included ? `${at(l)}: unknown option, skipped` : `${at(l)}: unknown keyword "${l.keyword}" ignored`);
      continue;
    }
    // Options Porthole does not carry over go to the library too, each under a name of its own, so
    // that the hosts each one applies to can be listed (ssh-config-unsupported.ts).
    const param = COMPUTED[l.key] ?? (HANDLED.has(l.key) ? undefined : `PortholeOpt${refs.length}`);
    if (param === undefined) continue;
    if (COMPUTED[l.key] === undefined) {
      if (section === undefined) continue;
      refs.push(l);
      section.push({ type: LineType.DIRECTIVE, param, separator: ' ', value: `\0${refs.length - 1}`, before: '', after: '\n' });
      continue;
    }
    checkOption(l);
    const forwardKind = FORWARD_KEYS[l.key];
    let spec: ForwardSpec | undefined;
    if (forwardKind) {
      const r = parseForwardSpec(forwardKind, l.args);
      // The reader's reasons quote the fields, so a line of an included file gets a reason of its own.
      if (!r.ok) throw new ProfileError(`${at(l)}: ${forwardKind}${shownArgs(l)}: ${l.included ? `not a valid ${forwardKind} (expected ${FORWARD_SYNTAX[forwardKind]})` : r.error}`);
      if (r.spec.kind === 'unsupported') {
        warnings.push(`${at(l)}: ${forwardKind}${shownArgs(l)}: ${r.spec.reason}; skipped`);
      } else if (r.spec.kind === 'RemoteForward' && r.spec.remote.allInterfaces) {
        warnings.push(`${at(l)}: ${forwardKind}${shownArgs(l)} asks the SSH server to listen on all its interfaces`);
      } else if (r.spec.kind !== 'RemoteForward' && r.spec.listen.allInterfaces) {
        warnings.push(`${at(l)}: ${forwardKind}${shownArgs(l)} listens on all interfaces, reachable from other machines`);
      }
      spec = r.spec;
    }
    if (section === undefined) continue;
    if (spec) forwards.set(refs.length, spec);
    if (l.included && BY_VALUE.has(l.key)) includedValues.add(`${l.key}\0${l.args[0]!}`);
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
  warnings.push(...patternReports(lines, aliases));

  const computeFor = (alias: string): Record<string, string | string[]> => {
    try {
      return root.compute(alias, { matchExec: false, ignoreCase: true });
    } catch (err) {
      throw new ProfileError(`${file}: cannot evaluate Host ${alias} (${(err as Error).message})`);
    }
  };
  const deref = (v: string | string[] | undefined): ConfigLine | undefined => {
    const s = Array.isArray(v) ? v[0] : v;
    if (s === undefined || !s.startsWith('\0')) return undefined;
    return refs[Number(s.slice(1))];
  };

  const fromIncluded = (key: 'hostname' | 'user', value: string) => includedValues.has(`${key}\0${value}`);
  return { aliases, refs, forwards, computeFor, deref, fromIncluded, hasIncluded: lines.some((l) => l.included) };
}
