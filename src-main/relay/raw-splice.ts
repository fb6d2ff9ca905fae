import type { Http2Stream } from 'node:http2';
import { PooledReader } from '../engine/pooled-reader';
import { RawEnd, type RawEndOwner, type RawPeer } from '../engine/raw-end';
import type { RawHandle, RawTcp } from '../engine/raw-tcp';
import { abortStream, type SpliceHooks, streamWasReset } from './splice';

/**
 * splice() (splice.ts) for a connection on a raw TCP handle (engine/raw-tcp.ts) rather than a
 * net.Socket: the relay's public connections that go to the agent on an HTTP/2 stream, and the
 * agent's connections to a target given as an IP address. The same behaviour — backpressure both ways,
 * a FIN becomes END_STREAM and back, a reset or error on one side aborts the other — without the
 * socket's two stream objects, event emitters and per-connection setsockopt calls (a listener's options
 * are inherited): net.Socket's constructor, onconnection, setKeepAlive, _getpeername and pipe() were
 * about a sixth of the relay's CPU per short connection (`--cpu-prof`, 32 concurrent 1-byte
 * connections).
 *
 * The handle's reads go through a PooledReader into stream.write() (whose 'drain' resumes them); the
 * stream's chunks are written to the handle as they come, and a write libuv has to queue pauses the
 * stream until it is out.
 */
export class RawStreamSplice implements RawEndOwner, RawPeer {
  private readonly end: RawEnd;
  private aborted = false;
  private open = 2;
  /** Bytes from the stream (the handle's reader counts the other way). */
  private bytesOut = 0;
  private idle: { timer: NodeJS.Timeout; seen: number; activeAt: number } | undefined;

  constructor(
    raw: RawTcp,
    handle: RawHandle,
    private readonly stream: Http2Stream,
    private readonly hooks: SpliceHooks,
    /** Closes the connection (as kill()) once no byte moved either way for this long (0: never). */
    private readonly idleTimeoutMs = 0,
  ) {
    this.end = new RawEnd(raw, handle, new PooledReader(undefined, true, (chunk) => hooks.fromSocket(chunk.length, chunk)), this, false);
    this.end.other = this;
    stream.on('data', this.onStreamData);
    stream.on('end', this.onStreamEnd);
    stream.on('drain', () => this.end.resume());
    stream.on('error', () => {
      this.aborted = true;
    });
    stream.on('close', this.onStreamClose);
    if (idleTimeoutMs > 0) this.idle = { timer: setTimeout(this.checkIdle, idleTimeoutMs / 4), seen: 0, activeAt: Date.now() };
    this.end.start();
  }

  /**
   * Closes both sides (the stream with a RST_STREAM) — also a stream still sending what the client
   * sent before its FIN after the handle closed cleanly, which could wait on the agent for good.
   */
  kill(): void {
    this.end.close(false);
    abortStream(this.stream);
  }

  /** As kill(), with a RST to the client. */
  abort(): void {
    this.end.close(true);
    abortStream(this.stream);
  }

  // RawPeer: where the handle's reads go.
  write(chunk: Uint8Array, cb?: () => void): boolean {
    return this.stream.write(chunk, cb);
  }

  get writableLength(): number {
    return this.stream.writableLength;
  }

  /** The handle's queued write is out: the stream may go on. */
  resume(): void {
    if (!this.end.closed) this.stream.resume();
  }

  /** The client's FIN: END_STREAM. */
  shutdown(): void {
    this.stream.end();
  }

  // RawEndOwner
  endFailed(end: RawEnd): void {
    this.aborted = true;
    end.close(true);
  }

  handleClosed(): void {
    const end = this.end;
    end.reader.dispose();
    if (this.idle) clearTimeout(this.idle.timer);
    // Closed before both directions ended cleanly (reset, error, kill): abort the stream.
    if (!(end.eof && end.shutDone)) {
      this.aborted = true;
      abortStream(this.stream);
    }
    this.sideClosed();
  }

  private readonly onStreamData = (chunk: Buffer): void => {
    this.bytesOut += chunk.length;
    this.hooks.fromStream(chunk.length, chunk);
    if (!this.end.write(chunk) && !this.end.closed) this.stream.pause();
  };

  /** END_STREAM: the client's FIN — unless a RST_STREAM came with it (Node ends a reset stream too). */
  private readonly onStreamEnd = (): void => {
    if (streamWasReset(this.stream)) this.endFailed(this.end);
    else this.end.shutdown();
  };

  private readonly onStreamClose = (): void => {
    // Reset by the agent, or closed without its END_STREAM: the client gets a RST.
    if (streamWasReset(this.stream) || !this.stream.readableEnded) {
      this.aborted = true;
      this.end.close(true);
    }
    this.sideClosed();
  };

  private readonly checkIdle = (): void => {
    const idle = this.idle!;
    const now = Date.now();
    const total = this.end.reader.bytes + this.bytesOut;
    if (total !== idle.seen) {
      idle.seen = total;
      idle.activeAt = now;
    }
    if (now - idle.activeAt >= this.idleTimeoutMs) this.kill();
    else idle.timer.refresh();
  };

  private sideClosed(): void {
    if (--this.open === 0) this.hooks.closed(this.aborted);
  }
}
