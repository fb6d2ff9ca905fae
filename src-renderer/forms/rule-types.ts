import type { RuleType } from '../../src-shared/model/rule';
import { t } from '../i18n/i18n';

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

/** Label and lead are read from the catalogue each time, so they follow the UI language. */
function info(value: RuleType, tag: string): RuleTypeInfo {
  return {
    value,
    tag,
    get label() {
      return t(`ruleTypes.${value}.label`);
    },
    get lead() {
      return t(`ruleTypes.${value}.lead`);
    },
  };
}

export const RULE_TYPE_INFO: readonly RuleTypeInfo[] = [
  info('tcp-forward', 'TCP'),
  info('udp-forward', 'UDP'),
  info('ssh-local', 'SSH -L'),
  info('ssh-remote', 'SSH -R'),
  info('ssh-dynamic', 'SSH -D'),
  info('socks', 'SOCKS'),
  info('relay-expose', 'RELAY'),
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
