import { isIPv4, isIPv6 } from '../../src-shared/format/address';

// PROXY protocol (haproxy.org/download/2.9/doc/proxy-protocol.txt): a header sent to the target first,
// so it sees the real client address instead of Porthole's.

export interface ProxyAddresses {
  srcAddress: string;
  srcPort: number;
  dstAddress: string;
  dstPort: number;
}

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

/** Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d; the header carries them as TCP4. */
function unmap(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function family(a: ProxyAddresses): 4 | 6 | undefined {
  const s = unmap(a.srcAddress);
  const d = unmap(a.dstAddress);
  if (isIPv4(s) && isIPv4(d)) return 4;
  if (isIPv6(s) && isIPv6(d)) return 6;
  return undefined;
}

export function proxyHeaderV1(a: ProxyAddresses): Buffer {
  const f = family(a);
  if (!f) return Buffer.from('PROXY UNKNOWN\r\n', 'latin1');
  const src = f === 4 ? unmap(a.srcAddress) : a.srcAddress;
  const dst = f === 4 ? unmap(a.dstAddress) : a.dstAddress;
  return Buffer.from(`PROXY TCP${f} ${src} ${dst} ${a.srcPort} ${a.dstPort}\r\n`, 'latin1');
}

function v4Bytes(a: string): number[] {
  return a.split('.').map(Number);
}

function v6Bytes(a: string): number[] {
  const addr = a.includes('%') ? a.slice(0, a.indexOf('%')) : a;
  const [head = '', tail] = addr.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  // An embedded IPv4 tail counts as two groups.
  const expand = (groups: string[]) =>
    groups.flatMap((g) => {
      if (!g.includes('.')) return [parseInt(g, 16)];
      const [b0 = 0, b1 = 0, b2 = 0, b3 = 0] = v4Bytes(g);
      return [(b0 << 8) | b1, (b2 << 8) | b3];
    });
  const l = expand(left);
  const r = expand(right);
  const groups = [...l, ...Array<number>(8 - l.length - r.length).fill(0), ...r];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

export function proxyHeaderV2(a: ProxyAddresses): Buffer {
  const f = family(a);
  if (!f) {
    // LOCAL command, UNSPEC family: the target uses the real connection's addresses.
    return Buffer.concat([V2_SIGNATURE, Buffer.from([0x20, 0x00, 0x00, 0x00])]);
  }
  const addrLen = f === 4 ? 12 : 36;
  const head = Buffer.from([0x21, f === 4 ? 0x11 : 0x21, addrLen >> 8, addrLen & 0xff]);
  const body = Buffer.alloc(addrLen);
  const bytes = f === 4 ? [...v4Bytes(unmap(a.srcAddress)), ...v4Bytes(unmap(a.dstAddress))] : [...v6Bytes(a.srcAddress), ...v6Bytes(a.dstAddress)];
  body.set(bytes, 0);
  body.writeUInt16BE(a.srcPort, bytes.length);
  body.writeUInt16BE(a.dstPort, bytes.length + 2);
  return Buffer.concat([V2_SIGNATURE, head, body]);
}
