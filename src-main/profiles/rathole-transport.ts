import { ProfileError } from './profile-error';
import { describe } from './relay-import';

// rathole's transports (`[client.transport]` / `[server.transport]`), reported the same way whether
// the type is written or implied (rathole's default is plain TCP). Porthole's relay always speaks TLS
// and pins the relay's certificate on first use, so every rathole transport maps to that; what differs
// is what the warning says. A proxy setting is about how the client reaches the server, not about TLS.

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

const WHY: Record<string, string> = {
  tcp: "rathole's transport here is plain TCP; Porthole's relay always uses TLS (the agent pins the relay's certificate on first use), so the relay you run in its place provides it",
  tls: "rathole's TLS settings (trusted_root, hostname, pkcs12) are not used: Porthole's relay makes its own certificate and the agent pins it on first use",
  noise: "rathole's Noise transport is not supported: Porthole's relay uses TLS with a pinned certificate instead (the Noise keys are not used)",
  websocket: "rathole's WebSocket transport is not supported: Porthole connects to its relay over TLS directly, so a path that only passes WebSocket (a CDN, an HTTP reverse proxy) will not carry it",
};

export function ratholeTransport(t: unknown, half: 'client' | 'server', tAt: string, sectionAt: string, warnings: string[]): void {
  if (t === undefined) {
    warnings.push(`${sectionAt}: ${WHY.tcp}`);
    return;
  }
  if (!isTable(t)) throw new ProfileError(`${tAt}: ${half}.transport: expected a table, found ${describe(t)}`);
  const type = t.type ?? 'tcp';
  if (typeof type !== 'string') throw new ProfileError(`${tAt}: ${half}.transport.type: expected a string, found ${describe(type)}`);
  const why = WHY[type];
  warnings.push(`${tAt}: ${why ?? `rathole's transport "${type}" is not supported: Porthole connects to its relay over TLS`}`);
  const tcp = t.tcp;
  if (isTable(tcp) && tcp.proxy !== undefined) {
    // Never quoted: the proxy URL may hold a user name and password.
    warnings.push(`${tAt}: ${half}.transport.tcp.proxy: reaching the server through a SOCKS5 or HTTP proxy is not supported; Porthole dials the relay directly`);
  }
  const others = Object.keys(t).filter((k) => k !== 'type' && k !== 'tcp' && k !== type && !(type === 'websocket' && k === 'tls'));
  if (others.length > 0) warnings.push(`${tAt}: ${half}.transport ${others.join(', ')}: not used by Porthole; ignored`);
}
