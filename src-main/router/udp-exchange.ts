import dgram from 'node:dgram';

// One request/answer exchange with the gateway's port 5351, shared by NAT-PMP (RFC 6886) and PCP
// (RFC 6887), which both live there. Requests are retransmitted at 250 ms, doubling (RFC 6886 section
// 3.1), within the caller's deadline instead of the RFCs' 64 s / 1024 s, so that "no gateway" is known
// within seconds.

export const GATEWAY_PORT = 5351;

/** Nobody answered on port 5351 (or the gateway said the port is closed). */
export class GatewayNoAnswerError extends Error {
  override name = 'GatewayNoAnswerError';
}

export interface Exchange<T> {
  gateway: string;
  /** Requests leave from here: the gateway maps to the address a request came from. */
  localAddress: string;
  timeoutMs: number;
  packet: Buffer;
  /** For messages: "NAT-PMP external address request". */
  what: string;
  /**
   * Looks at one datagram from gateway:5351: undefined to keep waiting (not the answer to this
   * request), a value to resolve with, or throws to reject with that error.
   */
  answer(msg: Buffer): T | undefined;
}

export function udpExchange<T>(x: Exchange<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const timers: NodeJS.Timeout[] = [];
    let done = false;
    const finish = (err: Error | undefined, value?: T) => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      socket.close();
      if (err) reject(err);
      else resolve(value as T);
    };
    const noAnswer = (detail: string) => new GatewayNoAnswerError(`no answer from ${x.gateway}:${GATEWAY_PORT} to the ${x.what} (${detail})`);
    socket.on('error', (err: NodeJS.ErrnoException) => finish(err.code === 'ECONNREFUSED' ? noAnswer('the port is closed') : err));
    socket.on('message', (msg, rinfo) => {
      // Only the gateway's port 5351 speaks for it (RFC 6886 section 3.1, RFC 6887 section 8.3).
      if (rinfo.address !== x.gateway || rinfo.port !== GATEWAY_PORT) return;
      try {
        const v = x.answer(msg);
        if (v !== undefined) finish(undefined, v);
      } catch (err) {
        finish(err as Error);
      }
    });
    socket.bind(0, x.localAddress, () => {
      // Connected, so an ICMP "port unreachable" surfaces as ECONNREFUSED instead of a silent wait.
      socket.connect(GATEWAY_PORT, x.gateway, () => {
        let delay = 250;
        let at = 0;
        const send = () => {
          if (!done) socket.send(x.packet, (err) => err && finish(err));
        };
        while (at < x.timeoutMs) {
          timers.push(setTimeout(send, at));
          at += delay;
          delay *= 2;
        }
        timers.push(setTimeout(() => finish(noAnswer(`waited ${x.timeoutMs / 1000} s`)), x.timeoutMs));
      });
    });
  });
}
