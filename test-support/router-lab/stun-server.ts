import dgram from 'node:dgram';

// A tiny RFC 3489 STUN server for the WAN namespace of the router lab. miniupnpd (ext_perform_stun)
// learns its external address from it and checks for filtering with CHANGE-REQUEST: the answer must
// come from the other address and/or port asked for. So it listens on two addresses × two ports.
// Usage: node lab.mjs stun ADDR1 ADDR2 PORT1 PORT2; prints "stun ready" when listening.

const COOKIE = 0x2112a442;

function addressAttr(type: number, ip: string, port: number, xor: boolean): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(type, 0);
  b.writeUInt16BE(8, 2);
  b.writeUInt8(1, 5); // family IPv4
  const octets = ip.split('.').map(Number);
  let addr = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  if (xor) {
    port ^= COOKIE >>> 16;
    addr = (addr ^ COOKIE) >>> 0;
  }
  b.writeUInt16BE(port, 6);
  b.writeUInt32BE(addr, 8);
  return b;
}

/** The CHANGE-REQUEST flags of a binding request (0x04 change IP, 0x02 change port). */
function changeFlags(msg: Buffer): number {
  let off = 20;
  const end = Math.min(msg.length, 20 + msg.readUInt16BE(2));
  while (off + 4 <= end) {
    const type = msg.readUInt16BE(off);
    const len = msg.readUInt16BE(off + 2);
    if (type === 0x0003 && len >= 4 && off + 8 <= end) return msg.readUInt32BE(off + 4);
    off += 4 + ((len + 3) & ~3);
  }
  return 0;
}

export async function runStunServer(args: string[]): Promise<void> {
  const [a1, a2, p1s, p2s] = args;
  const ips = [a1!, a2!];
  const ports = [Number(p1s), Number(p2s)];
  const sockets = new Map<string, dgram.Socket>();
  const key = (ip: string, port: number) => `${ip}:${port}`;
  for (const ip of ips) {
    for (const port of ports) {
      const s = dgram.createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.bind(port, ip, () => resolve());
      });
      sockets.set(key(ip, port), s);
      s.on('message', (msg, from) => {
        if (msg.length < 20 || msg.readUInt16BE(0) !== 0x0001) return;
        const flags = changeFlags(msg);
        const rip = flags & 4 ? ips.find((x) => x !== ip)! : ip;
        const rport = flags & 2 ? ports.find((x) => x !== port)! : port;
        const otherIp = ips.find((x) => x !== rip)!;
        const otherPort = ports.find((x) => x !== rport)!;
        const attrs = [
          addressAttr(0x0001, from.address, from.port, false), // MAPPED-ADDRESS
          addressAttr(0x0004, rip, rport, false), // SOURCE-ADDRESS
          addressAttr(0x0005, otherIp, otherPort, false), // CHANGED-ADDRESS
        ];
        if (msg.readUInt32BE(4) === COOKIE) attrs.push(addressAttr(0x0020, from.address, from.port, true));
        const body = Buffer.concat(attrs);
        const head = Buffer.alloc(20);
        head.writeUInt16BE(0x0101, 0);
        head.writeUInt16BE(body.length, 2);
        msg.copy(head, 4, 4, 20); // cookie + transaction id, echoed
        sockets.get(key(rip, rport))!.send(Buffer.concat([head, body]), from.port, from.address);
      });
    }
  }
  process.stdout.write('stun ready\n');
}
