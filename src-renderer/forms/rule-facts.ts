import { formatHostPort } from '../../src-shared/format/address';
import type { Rule } from '../../src-shared/model/rule';
import type { RuleStatus } from '../../src-shared/model/status';
import { fmtDuration } from '../i18n/format';
import { t } from '../i18n/i18n';
import { relayPublicAddress } from './rule-describe';
import { ruleTypeInfo } from './rule-types';

// What the mapping detail pane lists about a rule, as label/value pairs in the UI language. Pure, so it is tested here.

export interface Fact {
  label: string;
  value: string;
  /** An address or a code: shown in monospace. */
  mono?: boolean;
}

const seconds = (ms: number) => fmtDuration(ms).replace(/^(\d+)s$/, '$1 s');
const list = (xs: readonly string[], none: string) => (xs.length > 0 ? xs.join(', ') : none);
const yesNo = (b: boolean) => (b ? t('mappings.facts.yes') : t('mappings.facts.no'));

/** Where the mapping listens and where it forwards. `nameOf`: a saved SSH server's or relay's name by id. */
export function routeFacts(rule: Rule, status: RuleStatus | undefined, nameOf: (id: string) => string | undefined): Fact[] {
  const facts: Fact[] = [{ label: t('mappings.facts.type'), value: ruleTypeInfo(rule.type).label }];
  const addr = (label: string, host: string, port: number) => facts.push({ label, value: formatHostPort(host, port), mono: true });
  if ('server' in rule) facts.push({ label: t('mappings.facts.sshServer'), value: nameOf(rule.server) ?? t('route.unknownServer') });
  if (rule.type === 'relay-expose') {
    facts.push({ label: t('mappings.facts.relay'), value: nameOf(rule.relay) ?? t('route.unknownRelay') });
    const pub = relayPublicAddress(status);
    facts.push(
      pub
        ? { label: t('mappings.facts.publicAddress'), value: pub, mono: true }
        : { label: t('mappings.facts.publicPort'), value: rule.remotePort === 0 ? t('mappings.facts.anyPort') : String(rule.remotePort) },
    );
    const protocol = rule.protocol.toUpperCase();
    facts.push({ label: t('mappings.facts.transport'), value: rule.kind === 'http' ? t('mappings.facts.transportHttp', { protocol }) : protocol });
  }
  if (rule.type === 'ssh-remote') {
    facts.push({
      label: t('mappings.facts.listensOnServer'),
      value: rule.remote.port === 0 ? t('mappings.facts.serverPicksPort', { host: rule.remote.host }) : formatHostPort(rule.remote.host, rule.remote.port),
      mono: rule.remote.port !== 0,
    });
  }
  if ('listen' in rule) addr(rule.type === 'ssh-dynamic' || rule.type === 'socks' ? t('mappings.facts.socksOn') : t('mappings.facts.listen'), rule.listen.host, rule.listen.port);
  if (status?.state === 'running' && status.boundAddress && rule.type !== 'relay-expose') facts.push({ label: t('mappings.facts.boundTo'), value: status.boundAddress, mono: true });
  if ('target' in rule) addr(t('mappings.facts.target'), rule.target.host, rule.target.port);
  return facts;
}

/** The type's options, in words (defaults included, so nothing is hidden). */
export function optionFacts(rule: Rule): Fact[] {
  const facts: Fact[] = [];
  switch (rule.type) {
    case 'tcp-forward': {
      const o = rule.options;
      facts.push(
        { label: t('mappings.facts.allowed'), value: list(o.allow, t('mappings.facts.everyone')), mono: o.allow.length > 0 },
        { label: t('mappings.facts.denied'), value: list(o.deny, t('mappings.facts.none')), mono: o.deny.length > 0 },
        { label: t('mappings.facts.maxConnections'), value: o.maxConnections === 0 ? t('mappings.facts.noLimit') : String(o.maxConnections) },
        { label: t('mappings.facts.connectTimeout'), value: seconds(o.connectTimeoutMs) },
        { label: t('mappings.facts.idleTimeout'), value: o.idleTimeoutMs === 0 ? t('mappings.facts.never') : seconds(o.idleTimeoutMs) },
        { label: t('mappings.facts.keepAlive'), value: yesNo(o.keepAlive) },
        { label: t('mappings.facts.proxyProtocol'), value: o.proxyProtocol === 'off' ? t('mappings.facts.off') : o.proxyProtocol },
      );
      break;
    }
    case 'udp-forward': {
      const o = rule.options;
      facts.push(
        { label: t('mappings.facts.allowed'), value: list(o.allow, t('mappings.facts.everyone')), mono: o.allow.length > 0 },
        { label: t('mappings.facts.denied'), value: list(o.deny, t('mappings.facts.none')), mono: o.deny.length > 0 },
        { label: t('mappings.facts.sessionIdleTimeout'), value: seconds(o.idleTimeoutMs) },
        { label: t('mappings.facts.maxSessions'), value: String(o.maxSessions) },
      );
      break;
    }
    case 'ssh-dynamic':
    case 'socks':
      facts.push(
        { label: t('mappings.facts.socksUser'), value: rule.socks.username ?? t('mappings.facts.noAuth') },
        { label: t('mappings.facts.socksPassword'), value: rule.socks.hasPassword ? t('mappings.facts.set') : t('mappings.facts.notSet') },
        { label: t('mappings.facts.connectTimeout'), value: seconds(rule.socks.connectTimeoutMs) },
      );
      break;
    default:
      break;
  }
  facts.push({ label: t('mappings.facts.startAtLaunch'), value: rule.autoStart ? t('mappings.facts.yesIfOn') : t('mappings.facts.no') });
  return facts;
}
