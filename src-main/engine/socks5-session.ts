import type { Socket } from 'node:net';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { formatHostPort } from '../../src-shared/format/address';
import { EngineError, connectError, errnoCode } from './engine-error';
import {
  CMD_CONNECT,
  METHOD_NONE_ACCEPTABLE,
  METHOD_NO_AUTH,
  METHOD_USERPASS,
  Reply,
  commandName,
  encodeMethodSelection,
  encodeReply,
  encodeUserPassReply,
  parseGreeting,
  parseRequest,
  parseUserPass,
  replyForError,
} from './socks5-protocol';
import type { SocksDestination } from './socks5-protocol';
import type { Socks5Server, SocksConnectionInfo, SocksConnectionState } from './socks5-server';
import { abort, pump } from './socks5-splice';

/** Bytes a client may send after its CONNECT before the reply, held here until the dial completes. */
const MAX_EARLY_DATA = 64 * 1024;

type Phase = 'greeting' | 'auth' | 'request' | 'connecting' | 'spliced' | 'done';

/** One client: the handshake, read incrementally from whatever chunks arrive, then the splice. */
export class SocksSession {
  bytesIn = 0;
  bytesOut = 0;
  private phase: Phase = 'greeting';
  private pending: Buffer = Buffer.alloc(0);
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
    this.timeoutMs = server.handshakeTimeoutMs;
    this.timer = setTimeout(() => this.onTimeout(), this.timeoutMs);
    client.on('data', this.onHandshakeData);
    client.once('end', () => {
      // A FIN mid-handshake means the request can never complete (a port probe, a health check):
      // close quietly. Once spliced, pump() passes the FIN on instead.
      if (!this.opened && this.phase !== 'done') {
        this.phase = 'done';
        this.client.end();
      }
    });
    client.once('close', () => this.onClientClose());
  }

  get state(): SocksConnectionState {
    if (!this.opened) return 'handshake';
    if (this.phase !== 'spliced') return 'connecting';
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
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    // A chunk may hold several messages (pipelining), so keep going while each one completes.
    while (this.pending.length > 0 && this.step()) {
      // step() consumed one message.
    }
  };

  /** Handles the message at the front of `pending`; true if it consumed one and there may be more. */
  private step(): boolean {
    const { client } = this;
    switch (this.phase) {
      case 'greeting': {
        const r = parseGreeting(this.pending);
        if (r.kind === 'incomplete') return false;
        if (r.kind === 'error') return this.reject(new EngineError('INTERNAL', `${r.message} (from ${this.info.client})`));
        this.consume(r.length);
        const wanted = this.server.requiresAuth ? METHOD_USERPASS : METHOD_NO_AUTH;
        if (!r.methods.includes(wanted)) {
          client.write(encodeMethodSelection(METHOD_NONE_ACCEPTABLE));
          const message = this.server.requiresAuth
            ? `SOCKS client ${this.info.client} did not offer username/password authentication, which this proxy requires — set a username and password in the client`
            : `SOCKS client ${this.info.client} insists on authentication, but this proxy has none configured — connect without credentials`;
          if (this.server.requiresAuth) this.refuseAuth(message);
          else this.reject(new EngineError('INTERNAL', message));
          return false;
        }
        client.write(encodeMethodSelection(wanted));
        this.phase = wanted === METHOD_USERPASS ? 'auth' : 'request';
        return true;
      }
      case 'auth': {
        const r = parseUserPass(this.pending);
        if (r.kind === 'incomplete') return false;
        if (r.kind === 'error') {
          client.write(encodeUserPassReply(false));
          return this.reject(new EngineError('INTERNAL', `${r.message} (from ${this.info.client})`));
        }
        this.consume(r.length);
        if (!this.server.checkCredentials(r.username, r.password)) {
          client.write(encodeUserPassReply(false));
          this.refuseAuth(`SOCKS client ${this.info.client} gave a wrong username or password`);
          return false;
        }
        client.write(encodeUserPassReply(true));
        this.phase = 'request';
        return true;
      }
      case 'request': {
        const r = parseRequest(this.pending);
        if (r.kind === 'incomplete') return false;
        if (r.kind === 'error') {
          if (r.reply !== undefined) client.write(encodeReply(r.reply));
          return this.reject(new EngineError('INTERNAL', `${r.message} (from ${this.info.client})`));
        }
        this.consume(r.length);
        const where = formatHostPort(r.destination.host, r.destination.port);
        if (r.command !== CMD_CONNECT) {
          client.write(encodeReply(Reply.COMMAND_NOT_SUPPORTED));
          const msg = `SOCKS client ${this.info.client} asked for ${commandName(r.command)} to ${where}; only CONNECT is supported`;
          return this.reject(new EngineError('INTERNAL', msg), where);
        }
        this.startDial(r.destination, where);
        return false;
      }
      case 'connecting':
        // Early data, kept for the destination; past a bound, let TCP flow control hold the rest.
        if (this.pending.length >= MAX_EARLY_DATA) client.pause();
        return false;
      default:
        // After a refusal: whatever else the client sends is read and dropped until it goes away.
        this.pending = Buffer.alloc(0);
        return false;
    }
  }

  private consume(n: number): void {
    this.pending = this.pending.subarray(n);
  }

  private startDial(dest: SocksDestination, where: string): void {
    const { client, server } = this;
    this.clearTimer();
    this.phase = 'connecting';
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
    this.phase = 'spliced';
    const bound = stream instanceof net.Socket && stream.localAddress ? { address: stream.localAddress, port: stream.localPort ?? 0 } : undefined;
    client.write(encodeReply(Reply.SUCCEEDED, bound));
    client.removeListener('data', this.onHandshakeData);
    if (this.pending.length > 0) {
      this.count('in', this.pending.length);
      stream.write(this.pending);
      this.pending = Buffer.alloc(0);
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
  private reject(error: EngineError, destination?: string): false {
    this.phase = 'done';
    this.server.emit('connection-error', { client: this.info.client, ...(destination ? { destination } : {}), error });
    this.client.end();
    this.linger();
    return false;
  }

  /** After a refusal the FIN is sent; a client that never closes its side is reset when the timer fires. */
  private linger(): void {
    this.timer ??= setTimeout(() => this.onTimeout(), this.timeoutMs);
  }

  private refuseAuth(message: string): void {
    this.reject(new EngineError('AUTH_FAILED', message));
    this.server.emit('connection-refused', { client: this.info.client, reason: 'auth-failed' });
  }

  private fail(error: EngineError): void {
    if (this.errored) return;
    this.errored = true;
    this.phase = 'done';
    this.server.emit('connection-error', { client: this.info.client, destination: this.info.destination, error });
  }

  private onTimeout(): void {
    this.timer = undefined;
    if (this.phase !== 'done') {
      this.phase = 'done';
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
