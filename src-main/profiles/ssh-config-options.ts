import type { Match } from 'ssh-config';
import type { HostKeyPolicy } from '../../src-shared/model/ssh';
import { ProfileError } from './profile-error';
import type { ConfigLine } from './ssh-config-text';
import type { ForwardKind } from './ssh-forward-spec';

// The ssh_config(5) vocabulary the importer knows, and the per-line checks OpenSSH itself applies.

/** The client keywords of ssh_config(5) (current and deprecated), lower case. */
export const KNOWN_KEYWORDS = new Set(
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
export const COMPUTED: Record<string, string> = {
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
  identityagent: 'IdentityAgent',
  identitiesonly: 'IdentitiesOnly',
  gatewayports: 'GatewayPorts',
  localforward: 'LocalForward',
  remoteforward: 'RemoteForward',
  dynamicforward: 'DynamicForward',
};
/** Options passed by value (the library reads HostName and User for Match host/user); the rest by reference. */
export const BY_VALUE = new Set(['hostname', 'user']);
export const FORWARD_KEYS: Record<string, ForwardKind> = { localforward: 'LocalForward', remoteforward: 'RemoteForward', dynamicforward: 'DynamicForward' };
export const SINGLE_VALUE = new Set([
  'hostname',
  'port',
  'user',
  'identityfile',
  'proxyjump',
  'serveraliveinterval',
  'serveralivecountmax',
  'stricthostkeychecking',
  'clearallforwardings',
  'identityagent',
  'identitiesonly',
  'gatewayports',
]);
/** Options Porthole reads itself (or reports on their own): never listed as "not carried over". */
export const HANDLED = new Set([...Object.keys(COMPUTED), 'host', 'match', 'include', 'ignoreunknown']);
export const HOST_KEY_POLICIES: Record<string, HostKeyPolicy> = { yes: 'strict', true: 'strict', 'accept-new': 'accept-new', no: 'off', off: 'off', false: 'off', ask: 'ask' };

/** OpenSSH time format: `30`, `30s`, `5m`, `1h30m`… → seconds; undefined if malformed. */
export function convtime(text: string): number | undefined {
  if (!/^(\d+[smhdwSMHDW]?)+$/.test(text)) return undefined;
  const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  let total = 0;
  for (const m of text.matchAll(/(\d+)([smhdwSMHDW]?)/g)) {
    total += Number(m[1]) * (m[2] ? unit[m[2].toLowerCase()]! : 1);
    if (total > 2 ** 31) return undefined;
  }
  return total;
}

export const at = (l: ConfigLine) => `${l.file}:${l.line}`;
/**
 * ` "the arguments"` of a line, for a message — or nothing for a line of an included file, which is
 * never quoted (see ConfigLine.included): the message's file:line says where it is.
 */
export const shownArgs = (l: ConfigLine) => (l.included ? '' : ` "${l.args.join(' ')}"`);
/** ` "value"` (one value of the line `l`) for a message, or nothing if `l` is from an included file. */
export const shownValue = (l: ConfigLine, value: string) => (l.included ? '' : ` "${value}"`);

/** Match criteria OpenSSH knows (a word of an included file is named only if it is one of these). */
const MATCH_CRITERIA = new Set(['all', 'canonical', 'final', 'exec', 'localnetwork', 'host', 'originalhost', 'tagged', 'user', 'localuser', 'version', 'sessiontype', 'command']);

/** Values OpenSSH itself would refuse (it refuses the whole file): errors, whichever block they are in. */
export function checkOption(l: ConfigLine): void {
  const first = l.args[0];
  if (first === undefined) throw new ProfileError(`${at(l)}: ${l.keyword}: missing value`);
  if (SINGLE_VALUE.has(l.key) && l.args.length > 1) throw new ProfileError(`${at(l)}: ${l.keyword}${shownArgs(l)}: expected one value`);
  switch (l.key) {
    case 'port':
      if (!/^\d{1,5}$/.test(first) || Number(first) < 1 || Number(first) > 65535) throw new ProfileError(`${at(l)}: Port${shownValue(l, first)}: not a port number (1–65535)`);
      break;
    case 'serveraliveinterval':
      if (convtime(first) === undefined) throw new ProfileError(`${at(l)}: ServerAliveInterval${shownValue(l, first)}: not a time in seconds`);
      break;
    case 'serveralivecountmax':
      if (!/^\d{1,9}$/.test(first)) throw new ProfileError(`${at(l)}: ServerAliveCountMax${shownValue(l, first)}: not a whole number`);
      break;
    case 'stricthostkeychecking':
      if (HOST_KEY_POLICIES[first.toLowerCase()] === undefined) throw new ProfileError(`${at(l)}: StrictHostKeyChecking${shownValue(l, first)}: expected yes, accept-new, no, off or ask`);
      break;
    case 'clearallforwardings':
      if (!/^(yes|no)$/i.test(first)) throw new ProfileError(`${at(l)}: ClearAllForwardings${shownValue(l, first)}: expected yes or no`);
      break;
    case 'identitiesonly':
      if (!/^(yes|no)$/i.test(first)) throw new ProfileError(`${at(l)}: IdentitiesOnly${shownValue(l, first)}: expected yes or no`);
      break;
    case 'gatewayports':
      // clientspecified is an sshd_config value: ssh refuses it in a client config.
      if (!/^(yes|no)$/i.test(first)) throw new ProfileError(`${at(l)}: GatewayPorts${shownValue(l, first)}: expected yes or no`);
      break;
    case 'hostname':
    case 'user':
    case 'identityfile':
    case 'identityagent':
    case 'proxyjump':
      if (first === '') throw new ProfileError(`${at(l)}: ${l.keyword}: empty value`);
      break;
  }
}

/**
 * Match criteria the library may evaluate safely and deterministically: `all`, `host`, `originalhost`.
 * Any other criterion (above all `exec`, which would run a command) drops the whole block.
 * Known approximation: `Match host` compares with the HostName as written, without expanding %h.
 */
export function matchCriteria(l: ConfigLine, warnings: string[]): Match['criteria'] | undefined {
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
    if (value === undefined) throw new ProfileError(`${at(l)}: Match${shownArgs(l)}:${shownValue(l, l.args[i]!) || ' a criterion'} needs a value`);
    // `!exec` runs the command just the same (and negates its result).
    if (kw === 'exec' || kw === '!exec') exec = true;
    if (kw === 'host' || kw === 'originalhost') criteria[kw] = value;
    else unsupported.push(l.args[i]!);
    i += 2;
  }
  if (l.args.length === 0) throw new ProfileError(`${at(l)}: Match: missing criteria`);
  if (exec) {
    warnings.push(`${at(l)}: Match exec is never run by Porthole; the options of this Match block are ignored`);
    return undefined;
  }
  if (unsupported.length > 0) {
    const named = l.included ? unsupported.filter((c) => MATCH_CRITERIA.has(c.toLowerCase())) : unsupported;
    const what = named.length === unsupported.length ? `Match ${named.join(', ')} is` : 'this Match criterion is';
    warnings.push(`${at(l)}: ${what} not supported; the options of this Match block are ignored`);
    return undefined;
  }
  return criteria;
}
