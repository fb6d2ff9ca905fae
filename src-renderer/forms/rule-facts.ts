import { formatHostPort } from '../../src-shared/format/address';
import { formatDuration } from '../../src-shared/format/units';
import type { Rule } from '../../src-shared/model/rule';
import type { RuleStatus } from '../../src-shared/model/status';
import { relayPublicAddress } from './rule-describe';
import { ruleTypeInfo } from './rule-types';

// What the mapping detail pane lists about a rule, as label/value pairs. Pure, so it is tested here.

export interface Fact {
  label: string;
  value: string;
  /** An address or a code: shown in monospace. */
  mono?: boolean;
}

const seconds = (ms: number) => formatDuration(ms).replace(/^(\d+)s$/, '$1 s');
const list = (xs: readonly string[], none: string) => (xs.length > 0 ? xs.join(', ') : none);
const yesNo = (b: boolean) => (b ? 'yes' : 'no');

/** Where the mapping listens and where it forwards. `nameOf`: a saved SSH server's or relay's name by id. */
export function routeFacts(rule: Rule, status: RuleStatus | undefined, nameOf: (id: string) => string | undefined): Fact[] {
  const facts: Fact[] = [{ label: 'Type', value: ruleTypeInfo(rule.type).label }];
  const addr = (label: string, host: string, port: number) => facts.push({ label, value: formatHostPort(host, port), mono: true });
  if ('server' in rule) facts.push({ label: 'SSH server', value: nameOf(rule.server) ?? 'unknown server' });
  if (rule.type === 'relay-expose') {
    facts.push({ label: 'Relay', value: nameOf(rule.relay) ?? 'unknown relay' });
    const pub = relayPublicAddress(status);
    facts.push(
      pub
        ? { label: 'Public address', value: pub, mono: true }
        : { label: 'Public port', value: rule.remotePort === 0 ? 'any the relay allows' : String(rule.remotePort) },
    );
    facts.push({ label: 'Transport', value: rule.protocol.toUpperCase() + (rule.kind === 'http' ? ', HTTP requests logged' : '') });
  }
  if (rule.type === 'ssh-remote') {
    facts.push({
      label: 'Listens on the server',
      value: rule.remote.port === 0 ? `${rule.remote.host}, a port the server picks` : formatHostPort(rule.remote.host, rule.remote.port),
      mono: rule.remote.port !== 0,
    });
  }
  if ('listen' in rule) addr(rule.type === 'ssh-dynamic' || rule.type === 'socks' ? 'SOCKS5 on' : 'Listen', rule.listen.host, rule.listen.port);
  if (status?.state === 'running' && status.boundAddress && rule.type !== 'relay-expose') facts.push({ label: 'Bound to', value: status.boundAddress, mono: true });
  if ('target' in rule) addr('Target', rule.target.host, rule.target.port);
  return facts;
}

/** The type's options, in words (defaults included, so nothing is hidden). */
export function optionFacts(rule: Rule): Fact[] {
  const facts: Fact[] = [];
  switch (rule.type) {
    case 'tcp-forward': {
      const o = rule.options;
      facts.push(
        { label: 'Allowed sources', value: list(o.allow, 'everyone'), mono: o.allow.length > 0 },
        { label: 'Denied sources', value: list(o.deny, 'none'), mono: o.deny.length > 0 },
        { label: 'Max connections', value: o.maxConnections === 0 ? 'no limit' : String(o.maxConnections) },
        { label: 'Connect timeout', value: seconds(o.connectTimeoutMs) },
        { label: 'Idle timeout', value: o.idleTimeoutMs === 0 ? 'never' : seconds(o.idleTimeoutMs) },
        { label: 'TCP keep-alive', value: yesNo(o.keepAlive) },
        { label: 'PROXY protocol', value: o.proxyProtocol === 'off' ? 'off' : o.proxyProtocol },
      );
      break;
    }
    case 'udp-forward': {
      const o = rule.options;
      facts.push(
        { label: 'Allowed sources', value: list(o.allow, 'everyone'), mono: o.allow.length > 0 },
        { label: 'Denied sources', value: list(o.deny, 'none'), mono: o.deny.length > 0 },
        { label: 'Session idle timeout', value: seconds(o.idleTimeoutMs) },
        { label: 'Max sessions', value: String(o.maxSessions) },
      );
      break;
    }
    case 'ssh-dynamic':
    case 'socks':
      facts.push(
        { label: 'SOCKS user', value: rule.socks.username ?? 'none (no authentication)' },
        { label: 'SOCKS password', value: rule.socks.hasPassword ? 'set' : 'not set' },
        { label: 'Connect timeout', value: seconds(rule.socks.connectTimeoutMs) },
      );
      break;
    default:
      break;
  }
  facts.push({ label: 'Start at launch', value: rule.autoStart ? 'yes, if switched on' : 'no' });
  return facts;
}
