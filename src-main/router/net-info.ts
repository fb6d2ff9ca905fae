import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { isIPv4, isWildcardHost } from '../../src-shared/format/address';

// Where the home router is and which of this host's addresses faces it. NAT-PMP talks to the default
// gateway only (RFC 6886 section 3), and a mapping must name a LAN address, never loopback.

/** IPv4 addresses of this host that the LAN can reach (not loopback, not link-local). */
export function lanAddresses(): { address: string; iface: string }[] {
  const out: { address: string; iface: string }[] = [];
  for (const [iface, addrs] of Object.entries(networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.family === 'IPv4' && !a.internal && !a.address.startsWith('169.254.')) out.push({ address: a.address, iface });
    }
  }
  return out;
}

function interfaceOf(address: string): string | undefined {
  return lanAddresses().find((a) => a.address === address)?.iface;
}

/** Linux: /proc/net/route holds the routing table with addresses as little-endian hex. */
export function parseProcNetRoute(text: string): { iface: string; gateway: string }[] {
  const out: { iface: string; gateway: string }[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, dest, gw, flags, , , , mask] = f;
    // RTF_UP (1) and RTF_GATEWAY (2), destination and mask 0: a default route.
    if (dest !== '00000000' || mask !== '00000000' || (Number.parseInt(flags!, 16) & 3) !== 3) continue;
    const n = Number.parseInt(gw!, 16);
    out.push({ iface: iface!, gateway: [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.') });
  }
  return out;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 2000, windowsHide: true }, (err, stdout) => resolve(err ? '' : String(stdout)));
  });
}

/**
 * The default gateway, preferring the one on the interface that holds `localAddress`. Linux reads
 * /proc; macOS/BSD ask `route -n get default`, Windows `route print` (those two are untested here).
 */
export async function defaultGateway(localAddress?: string): Promise<string | undefined> {
  const want = localAddress ? interfaceOf(localAddress) : undefined;
  if (process.platform === 'linux') {
    const routes = parseProcNetRoute(await readFile('/proc/net/route', 'utf8').catch(() => ''));
    return (routes.find((r) => r.iface === want) ?? routes[0])?.gateway;
  }
  if (process.platform === 'win32') {
    const text = await run('route', ['print', '-4', '0.0.0.0']);
    const m = /^\s*0\.0\.0\.0\s+0\.0\.0\.0\s+(\d+\.\d+\.\d+\.\d+)/m.exec(text);
    return m?.[1];
  }
  const text = await run('route', ['-n', 'get', 'default']);
  const m = /gateway:\s*(\d+\.\d+\.\d+\.\d+)/.exec(text);
  return m?.[1];
}

/** The local address the kernel would use to reach `remote` (a connected UDP socket sends nothing). */
export function sourceAddressFor(remote: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const done = (v: string | undefined) => {
      s.close();
      resolve(v);
    };
    s.once('error', () => done(undefined));
    s.connect(9, remote, () => {
      try {
        done(s.address().address);
      } catch {
        done(undefined);
      }
    });
  });
}

export interface LanEndpoint {
  /** This host's address that the router forwards to. */
  address: string;
  gateway: string | undefined;
}

/**
 * Which of this host's addresses a mapping of `listenHost` forwards to: the listen address itself when it
 * is a LAN address, or, when listening on all interfaces, the address that faces the default gateway.
 */
export async function resolveLanEndpoint(listenHost: string): Promise<LanEndpoint | undefined> {
  if (isIPv4(listenHost) && !isWildcardHost(listenHost)) {
    return { address: listenHost, gateway: await defaultGateway(listenHost) };
  }
  // UPnP IGD and NAT-PMP map IPv4 only; an IPv6 or named listen address has no IPv4 LAN address to name.
  if (!isWildcardHost(listenHost)) return undefined;
  const gateway = await defaultGateway();
  const address = gateway ? await sourceAddressFor(gateway) : lanAddresses()[0]?.address;
  return address ? { address, gateway } : undefined;
}
