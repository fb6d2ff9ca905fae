import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { FrameError, MAX_HANDSHAKE_FRAME } from './data-wire';
import type { HandshakeErrorBody } from './protocol';

// Frame reading shared by the handshake and data connections, free of zod: the data plane worker and the
// relay's worker read frames with it, checked by hand (data-wire.ts, protocol-checks.ts).

export type HandshakeFailure = HandshakeErrorBody['code'] | 'TIMEOUT' | 'CLOSED';

export class HandshakeError extends Error {
  constructor(
    readonly code: HandshakeFailure,
    message: string,
  ) {
    super(message);
    this.name = 'HandshakeError';
  }
}

/**
 * Reads exact byte counts from a socket during the handshake, then gives the socket back with any
 * bytes read past the handshake pushed back (the peer's HTTP/2 preface may arrive in the same chunk).
 * Data connections (data-protocol.ts) read their frames with it too.
 */
export class RawReader {
  private chunks: Buffer[] = [];
  private have = 0;
  private waiter: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;
  private readonly onData = (d: Buffer) => {
    this.chunks.push(d);
    this.have += d.length;
    this.pump();
  };
  private readonly onEnd = () => this.fail(new HandshakeError('CLOSED', 'the peer closed the connection during the handshake'));
  private readonly onError = (e: Error) => this.fail(new HandshakeError('CLOSED', `connection error during the handshake: ${e.message}`));
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly socket: Socket,
    timeoutMs: number,
  ) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
    this.timer = setTimeout(() => this.fail(new HandshakeError('TIMEOUT', `no complete handshake within ${timeoutMs} ms`)), timeoutMs);
  }

  read(n: number): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = { n, resolve, reject };
      this.pump();
    });
  }

  /** A frame checked by a plain function (which throws FrameError); no zod. */
  async readChecked<T>(check: (json: unknown) => T, what: string): Promise<T> {
    const json = await this.readJson(what);
    try {
      return check(json);
    } catch (err) {
      if (err instanceof FrameError) throw new HandshakeError('PROTOCOL', `${what}: ${err.message}`);
      throw err;
    }
  }

  private async readJson(what: string): Promise<unknown> {
    const head = await this.read(4);
    const len = head.readUInt32BE(0);
    if (len === 0 || len > MAX_HANDSHAKE_FRAME) throw new HandshakeError('PROTOCOL', `${what}: frame length ${len} is out of range`);
    const body = await this.read(len);
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HandshakeError('PROTOCOL', `${what}: not JSON`);
    }
    return json;
  }

  /** Stops reading; unread bytes go back to the socket for the next reader (HTTP/2). */
  detach(): void {
    clearTimeout(this.timer);
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onError);
    this.socket.pause();
    const rest = this.take(this.have);
    if (rest.length > 0) this.socket.unshift(rest);
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.have = rest.length;
    return out;
  }

  private pump(): void {
    const w = this.waiter;
    if (!w || this.have < w.n) return;
    this.waiter = undefined;
    w.resolve(Buffer.from(this.take(w.n)));
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    clearTimeout(this.timer);
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(err);
  }
}

/** TLS channel binding: keying material exported from this TLS session (empty on plain TCP). */
export function channelBinding(socket: Socket): Buffer {
  if (socket instanceof TLSSocket) return socket.exportKeyingMaterial(32, 'EXPORTER-porthole-relay', Buffer.from('porthole-relay-v1'));
  return Buffer.alloc(0);
}
