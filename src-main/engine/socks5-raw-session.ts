import { isIP } from 'node:net';
import { EngineError, errnoCode } from './engine-error';
import type { Spliced, SplicedHooks } from './forward-connection';
import { RawConnection, type RawOpening } from './raw-connection';
import { closeHandle, UV_EOF } from './raw-tcp';
import type { RawHandle, RawTcp, SockAddr } from './raw-tcp';
import { SocksHandshake, type SocksHandshakeHost } from './socks5-handshake';
import { Reply, encodeReply, replyForError } from './socks5-protocol';
import type { SocksDestination } from './socks5-protocol';
import { KEEPALIVE_MS } from './socks5-dialer';
import type { Socks5Server, SocksConnectionInfo, SocksConnectionState } from './socks5-server';

/**
 * Where every session's handshake reads land (a greeting, auth and request are at most ~1 KiB; more is
 * early data): each read is copied out before its callback returns, so one buffer serves them all.
 */
const handshakeReads = Buffer.allocUnsafeSlow(4096);

/**
 * One client of the `socks` rule on a raw TCP handle (raw-tcp.ts), as TcpForwarder's fast path does:
 * the handshake is read straight from the handle (socks5-handshake.ts), the destination is dialled by
 * a RawConnection, which then answers the client and splices the two handles. Behaves as SocksSession
 * does on net.Socket: the client is read while the dial runs (a reset cancels it, a FIN is passed on
 * after the early data), a failed dial or a refused handshake is answered with its reply and a FIN,
 * after which the client is read and ignored until it closes (or is reset after the handshake
 * timeout), and a handshake that stalls is dropped after the handshake timeout.
 */
export class RawSocksSession implements SocksHandshakeHost, SplicedHooks, RawOpening {
  private readonly hs: SocksHandshake;
  private conn: RawConnection | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The client's FIN arrived (libuv stops reading by itself). */
  clientEnded = false;
  /** The handle is being read (until the early data's bound, a FIN or an error stops it). */
  clientReading = false;
  /** The handle was closed here (before any RawConnection had it). */
  private closed = false;
  /** Our FIN was asked for: until it is out libuv refuses a reset (and a refused one leaves the handle half-closed). */
  private shutting = false;
  private shutDone = false;
  private destroyed = false;

  constructor(
    private readonly server: Socks5Server,
    private readonly raw: RawTcp,
    private readonly handle: RawHandle,
    readonly info: SocksConnectionInfo,
    /** The client's address as accepted. */
    private readonly peer: SockAddr,
    private readonly connectTimeoutMs: number,
  ) {
    this.hs = new SocksHandshake(this, server, info.client);
  }

  /** Starts reading the handshake; call once the server counts the session (a failure here closes it). */
  start(): void {
    this.timer = setTimeout(() => this.onTimeout(), this.server.handshakeTimeoutMs);
    this.handle.useUserBuffer(handshakeReads);
    this.handle.onread = this.onRead;
    if (this.handle.readStart() === 0) this.clientReading = true;
    else this.close(true);
  }

  get bytesIn(): number {
    return this.conn?.bytesIn ?? 0;
  }

  get bytesOut(): number {
    return this.conn?.bytesOut ?? 0;
  }

  get state(): SocksConnectionState {
    if (!this.conn) return 'handshake';
    return this.conn.state;
  }

  /** Aborts the connection (both sides, RST where possible): stop() and closeConnection(). */
  destroy(): void {
    this.destroyed = true;
    this.clearTimer();
    if (this.conn) this.conn.destroy();
    else this.close(true);
  }

  private readonly onRead = (): undefined => {
    const n = this.raw.readResult();
    if (n > 0) {
      // The buffer is read into again: what the handshake keeps must be a copy.
      if (!this.hs.push(Buffer.from(handshakeReads.subarray(0, n)))) {
        this.clientReading = false;
        this.handle.readStop();
      }
      return undefined;
    }
    if (n === 0) return undefined;
    this.clientReading = false;
    if (n === UV_EOF) {
      this.clientEnded = true;
      // While the dial runs the FIN is passed on once the destination answers; after a failed dial it
      // lets the connection close.
      if (this.conn) this.conn.clientEnded();
      // A FIN mid-handshake means the request can never complete (a port probe, a health check):
      // close quietly.
      else if (!this.hs.done) {
        this.hs.finish();
        this.clearTimer();
        this.endClient();
      } else if (this.shutDone) this.close(false);
      return undefined;
    }
    // A reset or read error: the client is gone. A dial still running is abandoned, with no error.
    if (this.conn) this.conn.destroy();
    else this.close(true);
    return undefined;
  };

  write(bytes: Buffer): void {
    if (this.closed) return;
    const req = this.raw.writeReq();
    req.handle = this.handle;
    // A failed write shows up as a failed read (or the handshake timer): nothing to do here.
    if (this.handle.writeBuffer(req, bytes) === 0 && this.raw.lastWriteWasAsync()) {
      req.buffer = bytes;
      req.oncomplete = () => undefined;
    }
  }

  reject(error: EngineError, destination?: string): void {
    this.server.emit('connection-error', { client: this.info.client, ...(destination ? { destination } : {}), error });
    this.endClient();
  }

  refuseAuth(message: string): void {
    this.reject(new EngineError('AUTH_FAILED', message));
    this.server.emit('connection-refused', { client: this.info.client, reason: 'auth-failed' });
  }

  connect(dest: SocksDestination, where: string): void {
    this.clearTimer();
    this.info.destination = where;
    const family = isIP(dest.host);
    const conn = new RawConnection(
      this.info,
      this.raw,
      this.handle,
      { host: dest.host, port: dest.port, family, connectTimeoutMs: this.connectTimeoutMs, keepAliveMs: KEEPALIVE_MS, idleTimeoutMs: 0 },
      this.server.meter,
      this,
      this.peer,
      this,
    );
    this.conn = conn;
    // A copy (the session's own info changes no more, but listeners may keep it), field by field: see closedConnection.
    const { id, client, destination, openedAt } = this.info;
    // A listener that closes the connection here leaves nothing dialled (connect() sees the client closed).
    this.server.emit('connection-open', { id, client, destination, openedAt });
    conn.connect();
  }

  // RawOpening: what RawConnection asks once the destination answered or failed.

  connected(bound: SockAddr): Uint8Array {
    return encodeReply(Reply.SUCCEEDED, bound.address ? { address: bound.address, port: bound.port ?? 0 } : undefined);
  }

  takeEarly(): Uint8Array {
    return this.hs.takeEarly();
  }

  /**
   * The connection answers the client with this reply and a FIN, and closes once the client's FIN is
   * in too: until then what it sends is read and dropped (an unread byte would turn our close into a
   * reset that can cost the client the reply), and a client that never closes is reset in time.
   */
  failed(error: EngineError): Uint8Array {
    this.lingerThenReset();
    if (!this.clientReading && !this.clientEnded && this.handle.readStart() === 0) this.clientReading = true;
    return encodeReply(replyForError(error.code, errnoCode(error.cause)));
  }

  // SplicedHooks

  onError(_conn: Spliced, error: EngineError): void {
    this.hs.finish();
    if (this.destroyed) return;
    this.server.emit('connection-error', { client: this.info.client, destination: this.info.destination, error });
  }

  onClose(): void {
    this.clearTimer();
    this.server.sessionClosed(this, true);
  }

  /**
   * After a refusal: our FIN follows the reply; the handle closes once the client's FIN is in too (it
   * is read and ignored meanwhile), or with a reset when the handshake timeout runs out first.
   */
  private endClient(): void {
    if (this.closed || this.shutting) return;
    this.shutting = true;
    this.lingerThenReset();
    const req = this.raw.shutdownReq();
    req.handle = this.handle;
    req.oncomplete = () => {
      this.shutDone = true;
      if (this.clientEnded) this.close(false);
    };
    if (this.handle.shutdown(req) !== 0) this.close(false);
  }

  /** (Re)starts the handshake timer, which resets a client that has not closed by then. */
  private lingerThenReset(): void {
    this.clearTimer();
    this.timer = setTimeout(() => this.onTimeout(), this.server.handshakeTimeoutMs);
  }

  private onTimeout(): void {
    this.timer = undefined;
    if (!this.hs.done) {
      this.hs.finish();
      const msg = `SOCKS client ${this.info.client} did not finish the SOCKS5 handshake within ${this.server.handshakeTimeoutMs} ms — dropped it`;
      this.server.emit('connection-error', { client: this.info.client, error: new EngineError('INTERNAL', msg) });
    }
    if (this.conn) this.conn.destroy();
    else this.close(true);
  }

  /** Closes the handle before the handshake produced a connection (with a RST when `reset`). */
  private close(reset: boolean): void {
    if (this.closed || this.conn) return;
    this.closed = true;
    this.clearTimer();
    this.hs.finish();
    closeHandle(this.handle, reset, this.shutting && !this.shutDone);
    this.server.sessionClosed(this, false);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
