import { formatHostPort, isLoopbackHost } from '../../src-shared/format/address';
import type { ImportItem } from '../../src-shared/model/import';
import { type ImportBundle, type ImportRule, socksUserWithoutPassword } from '../profiles/import-bundle';

// What an imported mapping would do once switched on: where it listens, whether other machines can
// reach that address, and whether "start after import" would start it. The preview shows this so
// that nothing starts unseen (issue 14: an import used to start everything at once, 0.0.0.0 included).

export type StartFacts = Pick<ImportItem, 'listenAt' | 'offLoopback' | 'startsOn' | 'cannotStart'>;

/** Where `rule` listens and who can reach it; the relay it exposes through is looked up in `bundle`. */
export function startFacts(rule: ImportRule, bundle: ImportBundle): StartFacts {
  const user = socksUserWithoutPassword(rule);
  const start: StartFacts = {
    // The importer switches off what cannot start safely (see lockSocksWithoutPassword).
    startsOn: rule.enabled && user === undefined,
    ...(user !== undefined ? { cannotStart: { reason: 'socks-password' as const, user } } : {}),
  };
  switch (rule.type) {
    case 'tcp-forward':
    case 'udp-forward':
    case 'ssh-local':
    case 'ssh-dynamic':
    case 'socks':
      return { ...start, listenAt: formatHostPort(rule.listen.host, rule.listen.port), offLoopback: !isLoopbackHost(rule.listen.host) };
    case 'ssh-remote':
      // The SSH server listens; off its loopback only if its GatewayPorts allows, but the file asks for it.
      return { ...start, listenAt: formatHostPort(rule.remote.host, rule.remote.port), offLoopback: !isLoopbackHost(rule.remote.host) };
    case 'relay-expose': {
      // A relay's public port: reachable from the internet by design.
      const relay = bundle.relays.find((r) => r.ref === rule.relay);
      const host = relay?.host ?? rule.relay;
      return { ...start, listenAt: rule.remotePort > 0 ? formatHostPort(host, rule.remotePort) : host, offLoopback: true };
    }
  }
}
