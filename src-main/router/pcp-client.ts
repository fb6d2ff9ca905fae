import { randomBytes } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { PCP_RESULT_TEXT } from './router-error';
import { udpExchange } from './udp-exchange';

// PCP (RFC 6887), NAT-PMP's successor on the same port 5351: MAP requests for IPv4 mappings, and
// ANNOUNCE to learn whether the gateway speaks it at all. Each mapping has a random 96-bit nonce that
// renewals and the deletion must repeat (section 11.1): the caller keeps it (the journal too, so a run
// killed before it could unmap is cleaned up by the next one).

const VERSION = 2;
const OP_ANNOUNCE = 0;
const OP_MAP = 1;
const RESPONSE = 0x80;
const HEADER = 24;
const MAP_PAYLOAD = 36;
const IANA_PROTOCOL = { tcp: 6, udp: 17 } as const;

/** The gateway answered with a non-zero result code (section 7.4). */
export class PcpResultError extends Error {
  override name = 'PcpResultError';
  constructor(
    readonly resultCode: number,
    what: string,
  ) {
    super(`PCP ${what} refused: result ${resultCode} (${PCP_RESULT_TEXT[resultCode] ?? 'unknown result'})`);
  }
}

export interface PcpMapping {
  externalAddress: string;
  externalPort: number;
  internalPort: number;
  lifetimeSeconds: number;
  /** 24 hex digits: what a renewal or the deletion of this mapping must send again. */
  nonce: string;
}

/** IPv4 as an IPv4-mapped IPv6 address (::ffff:a.b.c.d), the form PCP carries addresses in. */
export function mappedV4(ip: string): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16BE(0xffff, 10);
  ip.split('.').forEach((o, i) => b.writeUInt8(Number(o), 12 + i));
  return b;
}

/** The IPv4 address in an IPv4-mapped IPv6 field, or '' for anything else (the router gave none). */
export function unmapV4(b: Buffer): string {
  const mapped = b.subarray(0, 10).every((x) => x === 0) && b.readUInt16BE(10) === 0xffff;
  return mapped ? [...b.subarray(12, 16)].join('.') : '';
}

export function newNonce(): string {
  return randomBytes(12).toString('hex');
}

/** The 24-byte request header (section 7.1): version, opcode, lifetime, the client's own address. */
function header(op: number, lifetimeSeconds: number, clientAddress: string): Buffer {
  const h = Buffer.alloc(HEADER);
  h.writeUInt8(VERSION, 0);
  h.writeUInt8(op, 1);
  h.writeUInt32BE(lifetimeSeconds, 4);
  mappedV4(clientAddress).copy(h, 8);
  return h;
}

export class PcpClient {
  constructor(
    readonly gateway: string,
    /** Requests leave from here, and the header names it: a NAT in between makes the router answer 12. */
    private readonly localAddress: string,
    private readonly timeoutMs = 2000,
  ) {
    if (!isIPv4(localAddress)) throw new Error(`PCP from ${localAddress}: only IPv4 mappings are made`);
  }

  /** Resolves when the gateway speaks PCP; throws PcpResultError or GatewayNoAnswerError otherwise. */
  async announce(): Promise<void> {
    await this.request(header(OP_ANNOUNCE, 0, this.localAddress), OP_ANNOUNCE, HEADER, 'announce request', () => true);
  }

  /**
   * Asks for (or, with the same nonce, renews) a mapping; `lifetimeSeconds` 0 deletes it. The router may
   * grant another external port or another lifetime (section 11.3).
   */
  async map(req: { protocol: 'tcp' | 'udp'; internalPort: number; externalPort: number; lifetimeSeconds: number; nonce?: string }): Promise<PcpMapping> {
    const nonce = req.nonce ?? newNonce();
    const payload = Buffer.alloc(MAP_PAYLOAD);
    Buffer.from(nonce, 'hex').copy(payload, 0);
    payload.writeUInt8(IANA_PROTOCOL[req.protocol], 12);
    payload.writeUInt16BE(req.internalPort, 16);
    payload.writeUInt16BE(req.externalPort, 18);
    // Suggested external address: ::ffff:0.0.0.0, "no preference" for IPv4 (section 11.1).
    mappedV4('0.0.0.0').copy(payload, 20);
    const packet = Buffer.concat([header(OP_MAP, req.lifetimeSeconds, this.localAddress), payload]);
    const what = req.lifetimeSeconds === 0 ? 'unmap' : 'mapping request';
    const r = await this.request(packet, OP_MAP, HEADER + MAP_PAYLOAD, what, (msg) =>
      // The answer to this request repeats its nonce, protocol and internal port (section 11.4).
      msg.subarray(HEADER, HEADER + 12).equals(payload.subarray(0, 12)) && msg[HEADER + 12] === payload[12] && msg.readUInt16BE(HEADER + 16) === req.internalPort,
    );
    return {
      lifetimeSeconds: r.readUInt32BE(4),
      internalPort: r.readUInt16BE(HEADER + 16),
      externalPort: r.readUInt16BE(HEADER + 18),
      externalAddress: unmapV4(r.subarray(HEADER + 20, HEADER + 36)),
      nonce,
    };
  }

  private request(packet: Buffer, op: number, size: number, what: string, mine: (msg: Buffer) => boolean): Promise<Buffer> {
    return udpExchange({
      gateway: this.gateway,
      localAddress: this.localAddress,
      timeoutMs: this.timeoutMs,
      packet,
      what: `PCP ${what}`,
      answer: (msg) => {
        // A NAT-PMP-only gateway answers version 0 with result 1 (RFC 6886 section 3.5; RFC 6887 section 9).
        if (msg.length >= 4 && msg[0] === 0) throw new PcpResultError(1, what);
        if (msg.length < 4 || msg[0] !== VERSION || msg[1] !== (RESPONSE | op)) return undefined;
        const result = msg[3]!;
        // An error answer may be shorter or carry the request's payload as sent; it is still the answer.
        if (result !== 0) throw new PcpResultError(result, what);
        if (msg.length < size) throw new Error(`PCP ${what}: short answer (${msg.length} bytes)`);
        return mine(msg) ? msg : undefined;
      },
    });
  }
}
