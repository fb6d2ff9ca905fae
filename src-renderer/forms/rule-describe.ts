import { formatHostPort } from '../../src-shared/format/address';
import type { Rule } from '../../src-shared/model/rule';
import type { RuleStatus } from '../../src-shared/model/status';
import { t } from '../i18n/i18n';
import { ruleTypeInfo } from './rule-types';

// What a mapping row says about where traffic goes, per type, as segments the row renders (addresses
// in monospace) and as one line of plain text (for titles and tests).

export interface RouteSegment {
  kind: 'addr' | 'text' | 'arrow' | 'server';
  text: string;
  /** Extra detail for a tooltip. */
  title?: string;
  /** A test id for the segment (e.g. a relay mapping's public address). */
  testId?: string;
}

export interface RouteDescription {
  tag: string;
  segments: RouteSegment[];
  text: string;
}

/** The English texts (tests compare with them); the UI shows route.unknownServer / route.unknownRelay. */
export const UNKNOWN_SERVER = 'unknown server';
export const UNKNOWN_RELAY = 'unknown relay';

/** The port of a bound address such as `127.0.0.1:8080` or `[::1]:8080`. */
export function portOfAddress(address: string | undefined): number | undefined {
  const m = address ? /:(\d{1,5})$/.exec(address) : null;
  return m ? Number(m[1]) : undefined;
}

/** `auto` until the server has assigned a port, then `auto (port N)`. */
export function remotePortLabel(port: number, status: RuleStatus | undefined): string {
  if (port !== 0) return String(port);
  const bound = status?.state === 'running' ? portOfAddress(status.boundAddress) : undefined;
  return bound !== undefined ? t('route.autoPort', { port: bound }) : t('route.auto');
}

/**
 * The public address of a running relay-expose rule. Its bound address reads `relay HOST:PORT PUBLIC`
 * (the relay, then the public address); until the relay has opened the port the last word is no address.
 */
export function relayPublicAddress(status: RuleStatus | undefined): string | undefined {
  if (status?.state !== 'running' || !status.boundAddress) return undefined;
  const words = status.boundAddress.trim().split(/\s+/);
  const last = words[words.length - 1];
  return words.length >= 3 && last !== undefined && /^(\[[0-9A-Fa-f:.]+\]|[^\s:]+):\d{1,5}$/.test(last) ? last : undefined;
}

/** `serverName`: the name of a saved SSH server or relay by id (undefined when unknown). */
export function describeRoute(rule: Rule, status: RuleStatus | undefined, serverName: (id: string) => string | undefined): RouteDescription {
  const addr = (host: string, port: number): RouteSegment => ({ kind: 'addr', text: formatHostPort(host, port) });
  const arrow: RouteSegment = { kind: 'arrow', text: '→' };
  const via = (id: string): RouteSegment[] => [
    { kind: 'text', text: t('route.via') },
    { kind: 'server', text: serverName(id) ?? t('route.unknownServer') },
  ];
  let segments: RouteSegment[];
  switch (rule.type) {
    case 'tcp-forward':
    case 'udp-forward':
      segments = [addr(rule.listen.host, rule.listen.port), arrow, addr(rule.target.host, rule.target.port)];
      break;
    case 'ssh-local':
      segments = [addr(rule.listen.host, rule.listen.port), arrow, addr(rule.target.host, rule.target.port), ...via(rule.server)];
      break;
    case 'ssh-remote': {
      const name = serverName(rule.server) ?? t('route.unknownServer');
      const address = formatHostPort(rule.remote.host, rule.remote.port);
      const title = rule.remote.port === 0 ? t('route.remoteTitleAuto', { address }) : t('route.remoteTitle', { address });
      segments = [{ kind: 'server', text: `${name}:${remotePortLabel(rule.remote.port, status)}`, title }, arrow, addr(rule.target.host, rule.target.port)];
      break;
    }
    case 'ssh-dynamic':
      segments = [{ kind: 'text', text: t('route.socksOn') }, addr(rule.listen.host, rule.listen.port), ...via(rule.server)];
      break;
    case 'socks':
      segments = [{ kind: 'text', text: t('route.socksOn') }, addr(rule.listen.host, rule.listen.port)];
      break;
    case 'relay-expose': {
      const name = serverName(rule.relay) ?? t('route.unknownRelay');
      const publicAddress = relayPublicAddress(status);
      const port = rule.remotePort === 0 ? t('route.anyPort') : `:${rule.remotePort}`;
      segments = [
        { kind: 'server', text: name, title: t('route.relayTitle', { name }) },
        publicAddress
          ? { kind: 'addr', text: publicAddress, title: t('route.publicAddress'), testId: 'public-address' }
          : { kind: 'text', text: port, title: rule.remotePort === 0 ? t('route.anyPortTitle') : t('route.publicPortTitle') },
        arrow,
        addr(rule.target.host, rule.target.port),
        ...(rule.protocol === 'udp' ? [{ kind: 'text' as const, text: '(UDP)' }] : rule.kind === 'http' ? [{ kind: 'text' as const, text: t('route.httpLog') }] : []),
      ];
      break;
    }
  }
  return { tag: ruleTypeInfo(rule.type).tag, segments, text: segments.map((s) => s.text).join(' ') };
}
