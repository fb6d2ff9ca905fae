import { NATPMP_RESULT_TEXT } from './router-error';
import { GatewayNoAnswerError, udpExchange } from './udp-exchange';

// NAT-PMP (RFC 6886): UDP to the default gateway's port 5351 (the exchange and its retransmissions
// are in udp-exchange.ts, shared with PCP).

/** The gateway answered with a non-zero result code. */
export class NatPmpResultError extends Error {
  override name = 'NatPmpResultError';
  constructor(
    readonly resultCode: number,
    what: string,
  ) {
    super(`NAT-PMP ${what} refused: result ${resultCode} (${NATPMP_RESULT_TEXT[resultCode] ?? 'unknown result'})`);
  }
}

/** Nobody answered on port 5351 (or the gateway said the port is closed). */
export { GatewayNoAnswerError as NatPmpNoAnswerError };

export interface NatPmpMapping {
  externalPort: number;
  internalPort: number;
  lifetimeSeconds: number;
}

export class NatPmpClient {
  constructor(
    readonly gateway: string,
    /** Requests leave from here: the gateway maps to the address a request came from. */
    private readonly localAddress: string,
    private readonly timeoutMs = 2000,
  ) {}

  async externalAddress(): Promise<string> {
    const r = await this.request(Buffer.from([0, 0]), 0, 12, 'external address request');
    return `${r[8]}.${r[9]}.${r[10]}.${r[11]}`;
  }

  /** Asks for (or renews) a mapping; the gateway may grant another external port or a shorter lifetime. */
  async map(protocol: 'tcp' | 'udp', internalPort: number, externalPort: number, lifetimeSeconds: number): Promise<NatPmpMapping> {
    const op = protocol === 'udp' ? 1 : 2;
    const req = Buffer.alloc(12);
    req.writeUInt8(0, 0);
    req.writeUInt8(op, 1);
    req.writeUInt16BE(internalPort, 4);
    req.writeUInt16BE(externalPort, 6);
    req.writeUInt32BE(lifetimeSeconds, 8);
    const what = lifetimeSeconds === 0 ? 'unmap' : 'mapping request';
    const r = await this.request(req, op, 16, what);
    return { internalPort: r.readUInt16BE(8), externalPort: r.readUInt16BE(10), lifetimeSeconds: r.readUInt32BE(12) };
  }

  /** Deletes this host's mapping of `internalPort` (RFC 6886 section 3.4: lifetime 0, external port 0). */
  async unmap(protocol: 'tcp' | 'udp', internalPort: number): Promise<void> {
    await this.map(protocol, internalPort, 0, 0);
  }

  private request(packet: Buffer, op: number, size: number, what: string): Promise<Buffer> {
    return udpExchange({
      gateway: this.gateway,
      localAddress: this.localAddress,
      timeoutMs: this.timeoutMs,
      packet,
      what: `NAT-PMP ${what}`,
      answer: (msg) => {
        if (msg.length < 4 || msg[0] !== 0 || msg[1] !== 128 + op) return undefined;
        const result = msg.readUInt16BE(2);
        if (result !== 0) throw new NatPmpResultError(result, what);
        if (msg.length < size) throw new Error(`NAT-PMP ${what}: short answer (${msg.length} bytes)`);
        return msg;
      },
    });
  }
}
