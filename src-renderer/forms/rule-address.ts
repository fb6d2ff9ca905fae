import { formatHostPort, isWildcardHost } from '../../src-shared/format/address';
import type { Rule } from '../../src-shared/model/rule';
import type { RuleStatus } from '../../src-shared/model/status';
import { relayPublicAddress } from './rule-describe';

/**
 * The address a person connects to, for the copy button: the listen endpoint of a local mapping (a
 * wildcard bind is reached through loopback), or a relay mapping's public address once the relay has
 * opened it. An `ssh -R` mapping listens on the SSH server, whose address this rule does not hold.
 */
export function connectAddressOf(rule: Rule, status: RuleStatus | undefined): string | undefined {
  switch (rule.type) {
    case 'tcp-forward':
    case 'udp-forward':
    case 'ssh-local':
    case 'ssh-dynamic':
    case 'socks': {
      const { host, port } = rule.listen;
      if (!isWildcardHost(host)) return formatHostPort(host, port);
      return formatHostPort(host.includes(':') ? '::1' : '127.0.0.1', port);
    }
    case 'relay-expose':
      return relayPublicAddress(status);
    case 'ssh-remote':
      return undefined;
  }
}

/** Every address a rule mentions (listen, target, remote), for search. */
export function addressesOf(rule: Rule): string[] {
  const out: string[] = [];
  if ('listen' in rule) out.push(formatHostPort(rule.listen.host, rule.listen.port));
  if ('target' in rule) out.push(formatHostPort(rule.target.host, rule.target.port));
  if (rule.type === 'ssh-remote') out.push(formatHostPort(rule.remote.host, rule.remote.port));
  if (rule.type === 'relay-expose' && rule.remotePort !== 0) out.push(`:${rule.remotePort}`);
  return out;
}
