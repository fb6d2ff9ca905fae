import type { RuleType } from '../../src-shared/model/rule';

// The seven kinds of mapping as the UI names them, and which parts of the form each one uses.

export interface RuleTypeInfo {
  value: RuleType;
  /** The option text in the dialog's type select. */
  label: string;
  /** The short tag on a mapping row. */
  tag: string;
  /** One sentence under the dialog title. */
  lead: string;
}

export const RULE_TYPE_INFO: readonly RuleTypeInfo[] = [
  {
    value: 'tcp-forward',
    label: 'TCP port forward',
    tag: 'TCP',
    lead: 'Listen on a port of this machine and forward each connection to a target host and port.',
  },
  {
    value: 'udp-forward',
    label: 'UDP port forward',
    tag: 'UDP',
    lead: 'Listen on a UDP port of this machine and relay datagrams to a target host and port.',
  },
  {
    value: 'ssh-local',
    label: 'SSH local forward (-L)',
    tag: 'SSH -L',
    lead: 'Listen on a port of this machine; each connection goes through the SSH server, which connects to the target.',
  },
  {
    value: 'ssh-remote',
    label: 'SSH remote forward (-R)',
    tag: 'SSH -R',
    lead: 'The SSH server listens on a port; each connection to it comes back through the tunnel to a target reachable from here.',
  },
  {
    value: 'ssh-dynamic',
    label: 'SSH dynamic / SOCKS proxy (-D)',
    tag: 'SSH -D',
    lead: 'A SOCKS5 proxy on this machine whose connections leave through the SSH server.',
  },
  {
    value: 'socks',
    label: 'SOCKS5 proxy (direct)',
    tag: 'SOCKS',
    lead: 'A SOCKS5 proxy on this machine that connects directly, without SSH.',
  },
  {
    value: 'relay-expose',
    label: 'Expose through a relay',
    tag: 'RELAY',
    lead: 'A relay you run elsewhere listens on a public port; each connection to it comes back through the relay to a service on this machine.',
  },
];

export function ruleTypeInfo(type: RuleType): RuleTypeInfo {
  return RULE_TYPE_INFO.find((t) => t.value === type) ?? (RULE_TYPE_INFO[0] as RuleTypeInfo);
}

export function isRuleType(v: string): v is RuleType {
  return RULE_TYPE_INFO.some((t) => t.value === v);
}

/** Which groups of fields the form shows for a type. */
export interface TypeShape {
  /** A listen endpoint on this machine. */
  listen: boolean;
  /** A target endpoint. */
  target: boolean;
  /** A saved SSH server. */
  server: boolean;
  /** The bind address on the SSH server (ssh-remote). */
  remote: boolean;
  /** SOCKS5 options (username, connect timeout). */
  socks: boolean;
  /** A saved relay, its public port, TCP/UDP and HTTP logging (relay-expose). */
  relay: boolean;
  /** Which flavour of Advanced options, if any. */
  advanced: 'tcp' | 'udp' | 'socks' | null;
}

export function typeShape(type: RuleType): TypeShape {
  switch (type) {
    case 'tcp-forward':
      return { listen: true, target: true, server: false, remote: false, socks: false, relay: false, advanced: 'tcp' };
    case 'udp-forward':
      return { listen: true, target: true, server: false, remote: false, socks: false, relay: false, advanced: 'udp' };
    case 'ssh-local':
      return { listen: true, target: true, server: true, remote: false, socks: false, relay: false, advanced: null };
    case 'ssh-remote':
      return { listen: false, target: true, server: true, remote: true, socks: false, relay: false, advanced: null };
    case 'ssh-dynamic':
      return { listen: true, target: false, server: true, remote: false, socks: true, relay: false, advanced: 'socks' };
    case 'socks':
      return { listen: true, target: false, server: false, remote: false, socks: true, relay: false, advanced: 'socks' };
    case 'relay-expose':
      return { listen: false, target: true, server: false, remote: false, socks: false, relay: true, advanced: null };
  }
}
