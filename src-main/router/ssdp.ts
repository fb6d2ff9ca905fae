import dgram from 'node:dgram';

// SSDP search for an Internet Gateway Device (UPnP Device Architecture 1.1, section 1.3). The search
// goes out of the interface that holds the mapping's LAN address, to the multicast group and, when the
// default gateway is known, straight to it (some routers answer only one of the two).

const SSDP_GROUP = '239.255.255.250';
const SSDP_PORT = 1900;
const TARGETS = [
  'urn:schemas-upnp-org:device:InternetGatewayDevice:1',
  'urn:schemas-upnp-org:device:InternetGatewayDevice:2',
  'urn:schemas-upnp-org:service:WANIPConnection:1',
];

export interface SsdpOptions {
  /** Bind here: the search leaves from (and the answer comes back to) this LAN address. */
  localAddress: string;
  /** Also ask this address directly (unicast M-SEARCH). */
  gateway?: string;
  timeoutMs?: number;
}

export interface SsdpAnswer {
  location: URL;
  /** Who answered. */
  from: string;
  st: string;
}

function searchMessage(st: string): Buffer {
  return Buffer.from(
    `M-SEARCH * HTTP/1.1\r\nHOST: ${SSDP_GROUP}:${SSDP_PORT}\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: ${st}\r\n\r\n`,
    'latin1',
  );
}

/** Parses an M-SEARCH answer; undefined for anything that is not a 200 with an http LOCATION. */
export function parseSsdpAnswer(text: string, from: string): SsdpAnswer | undefined {
  const lines = text.split(/\r?\n/);
  if (!/^HTTP\/1\.[01] 200\b/i.test(lines[0] ?? '')) return undefined;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  const loc = headers.get('location');
  if (!loc) return undefined;
  let location: URL;
  try {
    location = new URL(loc);
  } catch {
    return undefined;
  }
  if (location.protocol !== 'http:') return undefined;
  return { location, from, st: headers.get('st') ?? '' };
}

/**
 * Collects IGD answers until `timeoutMs`, or until the gateway itself has answered. Resolves with what
 * was heard (possibly nothing); rejects only when the socket cannot be bound to `localAddress`.
 */
export function ssdpSearch(opts: SsdpOptions): Promise<SsdpAnswer[]> {
  const timeoutMs = opts.timeoutMs ?? 2000;
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: false });
    const answers: SsdpAnswer[] = [];
    const seen = new Set<string>();
    const timers: NodeJS.Timeout[] = [];
    let finished = false;
    const finish = (err?: Error) => {
      if (finished) return;
      finished = true;
      for (const t of timers) clearTimeout(t);
      socket.close();
      if (err) reject(err);
      else resolve(answers);
    };
    socket.on('error', (err) => finish(err));
    socket.on('message', (msg, rinfo) => {
      const a = parseSsdpAnswer(msg.toString('latin1'), rinfo.address);
      if (!a || seen.has(a.location.href)) return;
      seen.add(a.location.href);
      answers.push(a);
      // The default gateway is the router NAT-PMP would also use: no need to wait for others.
      if (opts.gateway && a.from === opts.gateway) finish();
    });
    socket.bind(0, opts.localAddress, () => {
      try {
        socket.setMulticastInterface(opts.localAddress);
        socket.setMulticastTTL(2);
      } catch {
        // No multicast on this interface: the unicast search below may still work.
      }
      const send = () => {
        if (finished) return;
        for (const st of TARGETS) {
          const m = searchMessage(st);
          socket.send(m, SSDP_PORT, SSDP_GROUP, () => undefined);
          if (opts.gateway) socket.send(m, SSDP_PORT, opts.gateway, () => undefined);
        }
      };
      // UDP may lose a search: repeat it, as the spec advises.
      send();
      timers.push(setTimeout(send, Math.min(400, timeoutMs / 4)));
      timers.push(setTimeout(send, Math.min(1000, timeoutMs / 2)));
      timers.push(setTimeout(() => finish(), timeoutMs));
    });
  });
}
