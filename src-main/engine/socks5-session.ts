import type { Socket } from 'node:net';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { EngineError, connectError, errnoCode } from './engine-error';
import { SocksHandshake, type SocksHandshakeHost } from './socks5-handshake';
import { Reply, encodeReply, replyForError } from './socks5-protocol';
import type { SocksDestination } from './socks5-protocol';
import type { Socks5Server, SocksConnectionInfo, SocksConnectionState } from './socks5-server';
import { abort, pump } from './socks5-splice';

/** One client on a net.Socket: the handshake (socks5-handshake.ts), then the dial and the splice. */
export class SocksSession implements SocksHandshakeHost {
  bytesIn = 0;
  bytesOut = 0;
  private readonly hs: SocksHandshake;
  private spliced = false;
  private timer: NodeJS.Timeout | undefined;
  private upstream: Duplex | undefined;
  /**
   * Made when the dial starts and aborted only while it runs: an AbortController costs a few µs, and
   * abort() builds a DOMException with a stack (~20 µs) — per connection, when every close aborted.
   */
  private dialAbort: AbortController | undefined;
  private dest: SocksDestination | undefined;
  private opened = false;
  private errored = false;
  private clientClosed = false;
  private upstreamClosed = true;
  private dialPending = false;
  /** destroy() was called (stop(), closeConnection()): what follows is teardown, not failure. */
  private destroyed = false;
  private readonly timeoutMs: number;

  constructor(
    private readonly server: Socks5Server,
    private readonly client: Socket,
    readonly info: SocksConnectionInfo,
    private readonly remote: string,
  ) {
    this.hs = new SocksHandshake(this, server, info.client);
    this.timeoutMs = server.handshakeTimeoutMs;
    this.timer = setTimeout(() => this.onTimeout(), this.timeoutMs);
    client.on('data', this.onHandshakeData);
    client.once('end', () => {
      // A FIN mid-handshake means the request can never complete (a port probe, a health check):
      // close quietly. Once spliced, pump() passes the FIN on instead.
      if (!this.opened && !this.hs.done) {
        this.hs.finish();
        this.client.end();
      }
    });
    client.once('close', () => this.onClientClose());
  }

  write(bytes: Buffer): void {
    this.client.write(bytes);
  }

  get state(): SocksConnectionState {
    if (!this.opened) return 'handshake';
    if (!this.spliced) return 'connecting';
    return this.client.readableEnded || this.client.writableEnded ? 'half-closed' : 'open';
  }

  destroy(): void {
    this.destroyed = true;
    this.clearTimer();
    this.cancelDial();
    abort(this.client);
    if (this.upstream) abort(this.upstream);
  }

  private readonly onHandshakeData = (chunk: Buffer): void => {
    // Early data past the bound: let TCP flow control hold the rest until the dial completes.
    if (!this.hs.push(chunk)) this.client.pause();
  };

  connect(dest: SocksDestination, where: string): void {
    this.startDial(dest, where);
  }

  private startDial(dest: SocksDestination, where: string): void {
    const { client, server } = this;
    this.clearTimer();
    this.dest = dest;
    this.info.destination = where;
    // The client stays read while the dial runs, so a reset or FIN from it is seen at once (a paused
    // socket notices neither). What it sends meanwhile joins `pending`, which goes to the destination first.
    this.opened = true;
    // Pending from here: a listener of 'connection-open' that closes the connection aborts the dial
    // before it starts (the dialer then refuses at once).
    const abort = new AbortController();
    this.dialAbort = abort;
    this.upstreamClosed = false;
    this.dialPending = true;
    // A copy (the session's own info changes no more, but listeners may keep it), field by field: see closedConnection.
    const { id, client: from, destination, openedAt } = this.info;
    server.emit('connection-open', { id, client: from, destination, openedAt });
    let dialing: Promise<Duplex>;
    try {
      dialing = server.dial(dest, { address: this.remote, port: client.remotePort ?? 0 }, abort.signal);
    } catch (err) {
      dialing = Promise.reject(err);
    }
    dialing.then(
      (stream) => this.onDialed(stream),
      (err: unknown) => this.onDialFailed(err),
    );
  }

  private onDialFailed(err: unknown): void {
    const dest = this.dest!;
    const error = err instanceof EngineError ? err : connectError(err, dest.host, dest.port);
    this.dialPending = false;
    this.upstreamClosed = true;
    if (this.clientClosed || this.destroyed) {
      // Cancelled because the client left or the server is stopping: not a failure of the destination.
      this.finish();
      return;
    }
    this.client.end(encodeReply(replyForError(error.code, errnoCode(error.cause))));
    this.fail(error);
    // The reply is on its way with a FIN; the client's own FIN (or the linger timer) closes the socket.
    this.client.resume();
    this.linger();
  }

  private onDialed(stream: Duplex): void {
    const { client } = this;
    this.dialPending = false;
    this.upstream = stream;
    if (this.clientClosed || this.destroyed) {
      // The client left while this dialer (which ignored the abort signal) was still connecting.
      stream.on('error', () => undefined);
      abort(stream);
      return;
    }
    stream.on('error', (err) => {
      const dest = this.dest!;
      this.fail(err instanceof EngineError ? err : connectError(err, dest.host, dest.port));
      this.destroy();
    });
    stream.once('close', () => this.onUpstreamClose(stream));
    this.spliced = true;
    const bound = stream instanceof net.Socket && stream.localAddress ? { address: stream.localAddress, port: stream.localPort ?? 0 } : undefined;
    client.write(encodeReply(Reply.SUCCEEDED, bound));
    client.removeListener('data', this.onHandshakeData);
    const early = this.hs.takeEarly();
    if (early.length > 0) {
      this.count('in', early.length);
      stream.write(early);
    }
    // A client that already sent its FIN during the dial gets it passed on now, after its data.
    if (client.readableEnded) stream.end();
    else pump(client, stream, (n) => this.count('in', n));
    pump(stream, client, (n) => this.count('out', n));
    client.resume();
  }

  private count(direction: 'in' | 'out', n: number): void {
    const meter = this.server.meter;
    if (direction === 'in') {
      this.bytesIn += n;
      meter.bytesIn += n;
    } else {
      this.bytesOut += n;
      meter.bytesOut += n;
    }
  }

  /** Ends the handshake with an error: the client is closed after whatever reply was written. */
  reject(error: EngineError, destination?: string): void {
    this.hs.finish();
    this.server.emit('connection-error', { client: this.info.client, ...(destination ? { destination } : {}), error });
    this.client.end();
    this.linger();
  }

  /** After a refusal the FIN is sent; a client that never closes its side is reset when the timer fires. */
  private linger(): void {
    this.timer ??= setTimeout(() => this.onTimeout(), this.timeoutMs);
  }

  refuseAuth(message: string): void {
    this.reject(new EngineError('AUTH_FAILED', message));
    this.server.emit('connection-refused', { client: this.info.client, reason: 'auth-failed' });
  }

  private fail(error: EngineError): void {
    if (this.errored) return;
    this.errored = true;
    this.hs.finish();
    this.server.emit('connection-error', { client: this.info.client, destination: this.info.destination, error });
  }

  private onTimeout(): void {
    this.timer = undefined;
    if (!this.hs.done) {
      this.hs.finish();
      const msg = `SOCKS client ${this.info.client} did not finish the SOCKS5 handshake within ${this.timeoutMs} ms — dropped it`;
      this.server.emit('connection-error', { client: this.info.client, error: new EngineError('INTERNAL', msg) });
    }
    abort(this.client);
  }

  private onClientClose(): void {
    this.clientClosed = true;
    this.clearTimer();
    this.cancelDial();
    // Don't wait on a dialer that ignores the abort: a stream it yields later is destroyed on arrival.
    if (this.dialPending) this.upstreamClosed = true;
    const { client, upstream } = this;
    // A client that finished both directions leaves the upstream to flush and finish on its own.
    if (upstream && !(client.readableEnded && client.writableFinished)) abort(upstream);
    this.finish();
  }

  private onUpstreamClose(stream: Duplex): void {
    this.upstreamClosed = true;
    if (!(stream.readableEnded && stream.writableFinished)) abort(this.client);
    this.finish();
  }

  private finish(): void {
    if (this.clientClosed && this.upstreamClosed) this.server.sessionClosed(this, this.opened);
  }

  /** Tells a dial still running that nobody waits for it (a finished one has nothing to cancel). */
  private cancelDial(): void {
    if (this.dialPending) this.dialAbort?.abort();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
