import { formatHostPort } from '../../src-shared/format/address';
import type { RawHandle, SockAddr } from './raw-tcp';

/** Dual-stack listeners report IPv4 clients as ::ffff:a.b.c.d; people (and CIDR lists) know them as a.b.c.d. */
export function plainAddress(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** An accepted raw handle's peer: its address as read (kept for a PROXY header), as filters see it, and as host:port. */
export function handlePeer(handle: RawHandle): { peer: SockAddr; remote: string; client: string } {
  const peer: SockAddr = {};
  handle.getpeername(peer);
  const remote = plainAddress(peer.address);
  return { peer, remote, client: formatHostPort(remote, peer.port ?? 0) };
}
