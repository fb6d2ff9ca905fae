import { ROUTER_METHODS, type RouterMethod, isPrivateIPv4 } from '../../src-shared/model/router';
import type { PortMappingEntry } from '../router/igd-client';
import { findGateway } from '../router/gateway';
import { resolveLanEndpoint } from '../router/net-info';
import { RouterError } from '../router/router-error';
import { UsageError, parseArgs } from './args';

// `porthole upnp status [--from ADDRESS] [--protocol auto|upnp|natpmp|pcp] [--json]`: which router this
// host would use, its external address, and the mappings Porthole holds on it.

const PORTHOLE_PREFIX = 'Porthole ';

export async function cmdUpnp(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['data-dir', 'from', 'protocol'], booleans: ['json'] });
  const [sub, ...extra] = args.positionals;
  if (sub !== 'status' || extra.length > 0) throw new UsageError(`expected: porthole upnp status [--from ADDRESS] [--protocol ${ROUTER_METHODS.join('|')}] [--json]`);
  const method = (args.values.protocol ?? 'auto') as RouterMethod;
  if (!ROUTER_METHODS.includes(method)) throw new UsageError(`--protocol: expected one of ${ROUTER_METHODS.join(', ')}`);
  const from = args.values.from ?? '0.0.0.0';
  const lan = await resolveLanEndpoint(from);
  const fail = (message: string, code: string) => {
    process.stderr.write(`porthole upnp: ${message} [${code}]\n`);
    return 1;
  };
  if (!lan) return fail(`no IPv4 LAN address for ${from}`, 'ROUTER_ERROR');
  try {
    const gw = await findGateway({ localAddress: lan.address, gateway: lan.gateway, method });
    const external = await gw.externalAddress();
    const all: PortMappingEntry[] | undefined = gw.list ? await gw.list() : undefined;
    const mine = all?.filter((m) => m.description.startsWith(PORTHOLE_PREFIX));
    // PCP has no request for the external address alone: it comes with a mapping.
    const unknown = external === '' && gw.method === 'pcp';
    const doubleNat = !unknown && (isPrivateIPv4(external) || external === '');
    if (args.booleans.has('json')) {
      const out = { method: gw.method, gateway: gw.gateway, describe: gw.describe, localAddress: lan.address, externalAddress: unknown ? null : external, doubleNat, mappings: mine ?? null, otherMappings: all ? all.length - mine!.length : null };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return 0;
    }
    const lines = [
      `Gateway: ${gw.describe} (router ${gw.gateway}; this host ${lan.address})`,
      `External address: ${unknown ? '(PCP tells it only with a mapping)' : external || '(none)'}` +
        (doubleNat ? ' — private: the router is itself behind NAT (double NAT / carrier-grade NAT); mappings reach only that outer network, use a relay for the internet' : ''),
    ];
    if (!mine) {
      lines.push(`Mappings: ${gw.method === 'pcp' ? 'PCP' : 'NAT-PMP'} cannot list them; \`porthole forward --upnp\` and the app show their own`);
    } else {
      lines.push(`Porthole's mappings on it: ${mine.length === 0 ? 'none' : mine.length}`);
      for (const m of mine) {
        const lease = m.leaseSeconds > 0 ? `${m.leaseSeconds} s left` : 'permanent';
        lines.push(`  ${m.protocol} ${external}:${m.externalPort} → ${m.internalClient}:${m.internalPort}  ${lease}  "${m.description}"`);
      }
      lines.push(`Other mappings on the router: ${all!.length - mine.length}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } catch (err) {
    if (err instanceof RouterError) return fail(err.message, err.routerCode !== undefined ? `${err.code}, router code ${err.routerCode}` : err.code);
    throw err;
  }
}
