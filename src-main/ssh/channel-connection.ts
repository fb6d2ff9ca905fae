import type { Socket } from 'node:net';
import type { ClientChannel } from 'ssh2';
import { abortSocket } from '../engine/abort-socket';
import type { ByteMeter } from '../engine/byte-meter';
import type { EngineError } from '../engine/engine-error';
import type { ConnectionInfo, ConnectionState } from '../engine/forward-connection';
import type { StreamTap } from '../engine/stream-tap';

export interface ChannelConnectionHooks {
  /** At most once, before onClose. */
  onError(conn: ChannelConnection, error: EngineError): void;
  /** Exactly once, when the socket and the channel (if any) have both closed. */
  onClose(conn: ChannelConnection): void;
}

/**
 * A TCP socket spliced to an SSH channel: for -L the socket is the client and the channel leads to
 * the target; for -R the channel is the client and the socket is the local target. bytesIn always
 * counts client → target.
 *
 * Ends pass through as EOF/FIN both ways (half-close works). An SSH channel has no reset: when it
 * closes, the server is done with both directions, so the socket is finished with a FIN and then
 * closed. Failures (socket error, session lost: abort()) reset the socket and close the channel.
 */
export class ChannelConnection {
  bytesIn = 0;
  bytesOut = 0;
  private channel: ClientChannel | undefined;
  private openStreams = 1;
  private failed = false;
  private done = false;

  constructor(
    readonly info: ConnectionInfo,
    private readonly socket: Socket,
    private readonly socketIsClient: boolean,
    private readonly meter: ByteMeter,
    private readonly hooks: ChannelConnectionHooks,
    /** Sees copies of the bytes both ways (the HTTP inspector). */
    private readonly tap?: StreamTap,
  ) {
    socket.on('error', () => {
      // Resets and vanishing peers are ordinary traffic; 'close' (with hadError) does the rest.
    });
    socket.once('close', (hadError) => {
      if (hadError || !(socket.readableEnded && socket.writableFinished)) this.abortChannel();
      this.closedOne();
    });
  }

  get state(): ConnectionState {
    if (!this.channel) return 'connecting';
    return this.socket.readableEnded || this.socket.writableEnded ? 'half-closed' : 'open';
  }

  /** Starts the splice once the channel is open; the socket is resumed only now (it was accepted paused). */
  attach(channel: ClientChannel): void {
    if (this.done || this.socket.destroyed) {
      closeChannel(channel);
      return;
    }
    this.channel = channel;
    this.openStreams += 1;
    const socket = this.socket;
    channel.on('error', () => this.abort());
    channel.once('close', () => {
      // The server closes a channel only when it is finished both ways: flush, FIN, then close.
      if (!socket.destroyed) {
        if (!socket.writableEnded) socket.end();
        if (socket.writableFinished) socket.destroy();
        else socket.once('finish', () => socket.destroy());
      }
      this.closedOne();
    });
    const countIn = (n: number): void => {
      this.bytesIn += n;
      this.meter.bytesIn += n;
    };
    const countOut = (n: number): void => {
      this.bytesOut += n;
      this.meter.bytesOut += n;
    };
    const tap = this.tap;
    const fromClient = tap ? (c: Buffer) => tap.onClientChunk(c) : undefined;
    const fromTarget = tap ? (c: Buffer) => tap.onTargetChunk(c) : undefined;
    pump(socket, channel, this.socketIsClient ? countIn : countOut, this.socketIsClient ? fromClient : fromTarget);
    pump(channel, socket, this.socketIsClient ? countOut : countIn, this.socketIsClient ? fromTarget : fromClient);
    socket.resume();
  }

  /** Reports the failure (once) and aborts both sides. */
  fail(error: EngineError): void {
    if (!this.failed) {
      this.failed = true;
      this.hooks.onError(this, error);
    }
    this.abort();
  }

  /** Resets the socket and closes the channel (used by stop(), closeConnection() and a lost session). */
  abort(): void {
    abortSocket(this.socket);
    this.abortChannel();
  }

  private abortChannel(): void {
    if (this.channel) closeChannel(this.channel);
  }

  private closedOne(): void {
    this.openStreams -= 1;
    if (this.openStreams === 0 && !this.done) {
      this.done = true;
      this.tap?.onEnd();
      this.hooks.onClose(this);
    }
  }
}

/** ssh2's Channel.destroy() sends EOF + CLOSE but leaves the stream paused; resuming lets 'close' fire. */
export function closeChannel(channel: ClientChannel): void {
  channel.destroy();
  channel.resume();
}

/** src → dst with backpressure (pause on a full buffer, resume on drain) and FIN passed on as end(). */
function pump(src: Socket | ClientChannel, dst: Socket | ClientChannel, count: (n: number) => void, observe?: (chunk: Buffer) => void): void {
  src.on('data', (chunk: Buffer) => {
    count(chunk.length);
    observe?.(chunk);
    if (!dst.writable) return; // the other side is gone: drop what still arrives
    if (!dst.write(chunk)) src.pause();
  });
  dst.on('drain', () => src.resume());
  src.once('end', () => {
    if (dst.writable) dst.end();
  });
}
