import net from 'node:net';
import type { Socket } from 'node:net';
import { BufferPool } from './buffer-pool';
import type { ByteMeter } from './byte-meter';
import type { EngineError } from './engine-error';
import { connectError, connectTimeout } from './engine-error';
import type { StreamTap } from './stream-tap';

export interface ConnectionInfo {
  id: number;
  /** The client's address as host:port (IPv6 bracketed). */
  client: string;
  openedAt: number;
}

export interface ForwardTarget {
  host: string;
  port: number;
  connectTimeoutMs: number;
  /** 0 disables TCP keepalive. */
  keepAliveMs: number;
  /** Close after this long with no traffic either way; 0 = never. */
  idleTimeoutMs: number;
  /** Header to send the target before any client byte (PROXY protocol), built per connection. */
  header?: (client: Socket) => Buffer;
}

export type ConnectionState = 'connecting' | 'open' | 'half-closed';

export interface ForwardHooks {
  /** At most once per connection, before onClose. */
  onError(conn: ForwardConnection, error: EngineError): void;
  /** Exactly once, when both sockets have closed. */
  onClose(conn: ForwardConnection): void;
}

/**
 * One accepted client spliced to one target socket. The client arrives paused (pauseOnConnect) and is
 * resumed only once the target is connected, so nothing it sends early is lost or buffered here.
 *
 * Lifecycle: each direction ends on its own (FIN is passed on with end(), never turned into a close),
 * so half-closed protocols keep working; a socket closes by itself (autoDestroy) once it has both
 * received and sent FIN. Any error or premature close on one side aborts the other with a RST, so
 * a peer never mistakes a failed connection for a complete exchange (a FIN would look like a clean end).
 */
export class ForwardConnection {
  bytesIn = 0;
  bytesOut = 0;
  private target: Socket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private openSockets = 2;
  private failed = false;
  private connected = false;

  constructor(
    readonly info: ConnectionInfo,
    private readonly client: Socket,
    private readonly to: ForwardTarget,
    private readonly meter: ByteMeter,
    private readonly hooks: ForwardHooks,
    /** Sees copies of the bytes both ways (the HTTP inspector). */
    private readonly tap?: StreamTap,
  ) {
    client.on('error', () => {
      // A client that resets or vanishes is ordinary traffic, not a fault of the rule: the 'close'
      // that follows tears the target down. The listener must exist so the error is never unhandled.
    });
    client.once('close', () => this.onSocketClose(client, this.target));
  }

  get state(): ConnectionState {
    if (!this.connected) return 'connecting';
    return this.client.readableEnded || this.client.writableEnded ? 'half-closed' : 'open';
  }

  /** Starts connecting to the target; call once, right after construction. */
  connect(): void {
    const { host, port, connectTimeoutMs, keepAliveMs } = this.to;
    const meter = this.meter;
    const reader = new TargetReader(
      this.client,
      (n) => {
        this.bytesOut += n;
        meter.bytesOut += n;
      },
      this.tap,
    );
    let target: Socket;
    try {
      target = net.connect({
        host,
        port,
        allowHalfOpen: true,
        noDelay: true,
        keepAlive: keepAliveMs > 0,
        keepAliveInitialDelay: keepAliveMs,
        // target → client bypasses the stream's data events (see TargetReader), so no per-read allocation.
        onread: { buffer: reader.next, callback: reader.onRead },
      });
    } catch (err) {
      // Only argument validation throws synchronously (e.g. a bad port); treat it like a failed connect.
      this.openSockets = 1;
      this.fail(connectError(err, host, port));
      return;
    }
    this.target = target;
    target.on('error', (err) => this.fail(connectError(err, host, port)));
    target.once('close', () => {
      reader.dispose();
      this.onSocketClose(target, this.client);
    });
    target.once('connect', () => this.onTargetConnect(target));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fail(connectError(connectTimeout(host, port, connectTimeoutMs), host, port));
    }, connectTimeoutMs);
  }

  /** Aborts both sides at once (RST, no FIN handshake); used by stop(). */
  destroy(): void {
    this.clearTimer();
    abort(this.client);
    if (this.target) abort(this.target);
  }

  private onTargetConnect(target: Socket): void {
    this.clearTimer();
    this.connected = true;
    const { client, meter } = this;
    if (this.to.header) target.write(this.to.header(client));
    if (this.to.idleTimeoutMs > 0) {
      // Every byte either way passes through the client socket (read from it, or written to it), so
      // its inactivity timer measures the whole connection's idleness.
      client.setTimeout(this.to.idleTimeoutMs, () => this.destroy());
    }
    pump(
      client,
      target,
      (n) => {
        this.bytesIn += n;
        meter.bytesIn += n;
      },
      this.tap,
    );
    // target → client: TargetReader writes to the client and pauses the target (returns false from
    // onread) when the client's buffer is full; resume it on drain, pass the FIN on like pump().
    client.on('drain', () => target.resume());
    target.once('end', () => client.end());
    client.resume();
  }

  private fail(error: EngineError): void {
    this.clearTimer();
    if (!this.failed) {
      this.failed = true;
      this.hooks.onError(this, error);
    }
    abort(this.client);
    if (this.target) abort(this.target);
  }

  private onSocketClose(closed: Socket, other: Socket | undefined): void {
    // A socket that closed after finishing both directions leaves the other one to flush what it
    // still holds and finish on its own; anything else (reset, destroy, error) aborts both.
    if (!(closed.readableEnded && closed.writableFinished)) {
      this.clearTimer();
      if (other) abort(other);
    }
    this.openSockets -= 1;
    if (this.openSockets === 0) {
      this.tap?.onEnd();
      this.hooks.onClose(this);
    }
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}

function abort(socket: Socket): void {
  if (socket.destroyed) return;
  // resetAndDestroy() on a socket still connecting would wait for the connect; just drop it instead.
  // Nor once end() was called: while that shutdown is under way libuv refuses the reset (EINVAL) and
  // Node 20 then never emits 'close', so the connection never counted as closed and stop() hung.
  if (socket.connecting || socket.writableEnded) socket.destroy();
  else socket.resetAndDestroy();
}

/**
 * Copies src → dst with backpressure: src is paused whenever dst's buffer is over its high-water
 * mark and resumed on 'drain', so a slow reader holds at most ~one highWaterMark per direction here.
 * Written by hand rather than with pipe() to count bytes in the same listener and to keep the
 * end/close policy in one place (pipe() unpipes on close and leaves the other side dangling).
 */
function pump(src: Socket, dst: Socket, count: (n: number) => void, tap: StreamTap | undefined): void {
  // Two listeners rather than a test per chunk: a connection without a tap runs exactly as before.
  src.on(
    'data',
    tap
      ? (chunk: Buffer) => {
          count(chunk.length);
          tap.onClientChunk(chunk);
          if (!dst.write(chunk)) src.pause();
        }
      : (chunk: Buffer) => {
          count(chunk.length);
          if (!dst.write(chunk)) src.pause();
        },
  );
  dst.on('drain', () => src.resume());
  src.once('end', () => dst.end());
}

const READ_SIZE = 64 * 1024;
/** A read at least this big suggests a bulk transfer: worth a buffer of the connection's own. */
const BULK_READ = 16 * 1024;
/**
 * Shared by every target socket that has no pool buffer: whatever is read into it is copied out before
 * the read callback returns, so the next read (by any socket) may overwrite it.
 */
const scratch = Buffer.allocUnsafeSlow(READ_SIZE);
/** Buffers written without a copy; 64 × 64 KiB = 4 MiB at most, beyond that reads use scratch + copy. */
const pool = new BufferPool(READ_SIZE, 64);

/**
 * The target → client direction, read with net.connect's `onread` option: Node reads into the buffer
 * next() returns and calls onRead(n, buf) instead of allocating a fresh 64 KiB buffer per read and
 * emitting 'data'. (Accepted sockets have no such option in Node 20, so client → target uses pump().)
 *
 * A socket reads into `installed`: the shared scratch buffer (small reads: copied out, cheap from
 * Node's slab), or during bulk transfers a pool buffer of its own whose bytes go to the client
 * without a copy. A pool buffer whose write the client could not take synchronously is still in
 * flight: it is replaced for the next read and returned to the pool by that write's callback, so no
 * buffer is ever read into while its bytes are being sent. Backpressure is pump()'s: onRead returns
 * dst.write()'s result, and false makes Node stop reading until the client drains.
 */
class TargetReader {
  private installed: Buffer = scratch;

  constructor(
    private readonly dst: Socket,
    private readonly count: (n: number) => void,
    private readonly tap?: StreamTap,
  ) {}

  readonly next = (): Buffer => this.installed;

  readonly onRead = (n: number, buf: Buffer): boolean => {
    this.count(n);
    // Before the write: the tap copies what it keeps while buf still holds this read.
    if (this.tap) this.tap.onTargetChunk(buf.subarray(0, n));
    const dst = this.dst;
    if (buf === scratch || buf !== this.installed) {
      // (Node always reads into what next() returned last, so the second test is only a safeguard.)
      const chunk = Buffer.allocUnsafe(n);
      buf.copy(chunk, 0, 0, n);
      if (n >= BULK_READ && this.installed === scratch) this.installed = pool.acquire() ?? scratch;
      return dst.write(chunk);
    }
    let inFlight = false;
    const ok = dst.write(buf.subarray(0, n), () => {
      if (inFlight) pool.release(buf);
    });
    if (dst.writableLength > 0) {
      // Queued (in Node or in libuv), not yet in the kernel: buf belongs to that write now.
      inFlight = true;
      this.installed = (n >= BULK_READ ? pool.acquire() : undefined) ?? scratch;
    } else if (n < BULK_READ) {
      // Written through and the transfer looks over: don't sit on a pool buffer while idle.
      pool.release(buf);
      this.installed = scratch;
    }
    return ok;
  };

  /** The socket has closed (no more reads): return a pool buffer it held for its next read. */
  dispose(): void {
    if (this.installed !== scratch) pool.release(this.installed);
    this.installed = scratch;
  }
}
