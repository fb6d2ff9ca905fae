import type { PooledReader } from './pooled-reader';
import type { ByteSink, RawReadSource } from './pooled-reader';
import { closeHandle, UV_EOF } from './raw-tcp';
import type { RawHandle, RawTcp } from './raw-tcp';

/**
 * What an end's reads go to and its writes come from: the other end of a raw connection, or a stream
 * (relay/raw-splice.ts). Its resume() is called when a write it fed has left libuv's queue.
 */
export interface RawPeer extends ByteSink {
  resume(): void;
  /** Our peer sent its FIN: pass it on. */
  shutdown(): void;
}

/** What an end tells the connection it belongs to (raw-connection.ts, relay/raw-splice.ts). */
export interface RawEndOwner {
  /** A read, write or shutdown on `end` failed with libuv status `status`. */
  endFailed(end: RawEnd, status: number, syscall: string): void;
  /** One of the connection's handles is closed. */
  handleClosed(): void;
}

/**
 * One end of a spliced connection on a raw TCP handle: its reads go through a PooledReader to the
 * other end's writes. At most one write per direction is queued in libuv: a write the kernel could not
 * take at once stops reading from the other end until it completes (the backpressure net.Socket's
 * high-water mark gives the socket path), so a slow reader holds at most one read buffer here.
 */
export class RawEnd implements RawPeer, RawReadSource {
  /** Bytes of writes still queued in libuv. */
  writableLength = 0;
  /** The buffer the handle reads into (what it was last pointed at). */
  private current: Buffer;
  private reading = false;
  /** Reading stopped for backpressure: the other end's queued write resumes it. */
  private paused = false;
  /** Its peer's FIN arrived (libuv stops reading by itself). */
  eof = false;
  /** A shutdown (our FIN) was asked for: from then on libuv refuses a reset, so it closes plainly. */
  shutting = false;
  shutDone = false;
  closed = false;
  other!: RawPeer;

  constructor(
    private readonly raw: RawTcp,
    readonly handle: RawHandle,
    readonly reader: PooledReader,
    private readonly conn: RawEndOwner,
    /** The target end: its failures are the connection's errors; the client's are ordinary traffic. */
    readonly isTarget: boolean,
    /** false: the owner still reads the handle (a SOCKS handshake); takeReads() later. */
    reads = true,
  ) {
    this.current = reader.next();
    if (reads) this.takeReads();
  }

  /**
   * Reads land in this end's pooled buffers from now on (start() starts them). `ownerReading`: the
   * handle is being read already, and goes on being read here without a stop and a start (two
   * epoll_ctl calls; libuv would refuse a second readStart with EALREADY anyway).
   */
  takeReads(ownerReading = false): void {
    this.handle.useUserBuffer(this.current);
    this.handle.onread = this.onRead;
    this.reading = ownerReading;
  }

  /** Relays what arrives to the other end; `read` false: only hooks the reader up (its input had ended). */
  start(read = true): void {
    this.reader.attach(this.other, this);
    if (!read || this.reading) return;
    this.reading = true;
    const err = this.handle.readStart();
    if (err !== 0) this.conn.endFailed(this, err, 'read');
  }

  private readonly onRead = (): Uint8Array | undefined => {
    const n = this.raw.readResult();
    if (n > 0) {
      const buf = this.current;
      if (!this.reader.onRead(n, buf) && !this.closed) this.pause();
      const next = this.reader.next();
      if (next === buf) return undefined;
      // Returned to Node, this is where the next read lands (no new native listener, unlike repoint).
      this.current = next;
      return next;
    }
    // 0: libuv filled the buffer and the next read found nothing yet; it is still reading.
    if (n === 0) return undefined;
    this.reading = false;
    if (n === UV_EOF) this.inputEnded();
    else if (n < 0) this.conn.endFailed(this, n, 'read');
    return undefined;
  };

  write(chunk: Uint8Array, cb?: () => void): boolean {
    if (this.closed) return false;
    const req = this.raw.writeReq();
    req.handle = this.handle;
    const err = this.handle.writeBuffer(req, chunk);
    if (err !== 0) {
      this.conn.endFailed(this, err, 'write');
      return false;
    }
    if (!this.raw.lastWriteWasAsync()) return true;
    const n = chunk.length;
    req.buffer = chunk;
    this.writableLength += n;
    // Called only for a write libuv had to queue, and never before writeBuffer() returned (it runs
    // from the loop), so it is set only for those.
    req.oncomplete = (status: number) => {
      this.writableLength -= n;
      cb?.();
      if (this.closed) return;
      if (status < 0) this.conn.endFailed(this, status, 'write');
      else if (this.writableLength === 0) this.other.resume();
    };
    return false;
  }

  /** Its peer sent its FIN: passes it on (after what is still gathered), and closes if ours is out too. */
  inputEnded(): void {
    this.eof = true;
    this.reader.drain();
    this.other.shutdown();
    this.finishIfDone();
  }

  /** Closes once it has both received and sent a FIN (the other end finishes on its own). */
  finishIfDone(): void {
    if (this.eof && this.shutDone) this.close(false);
  }

  /** Sends our FIN once the queued writes are out (libuv orders it after them). */
  shutdown(): void {
    if (this.shutting || this.closed) return;
    this.shutting = true;
    const req = this.raw.shutdownReq();
    req.handle = this.handle;
    req.oncomplete = (status: number) => {
      this.shutDone = true;
      if (this.closed) return;
      if (status < 0) this.conn.endFailed(this, status, 'shutdown');
      else this.finishIfDone();
    };
    const err = this.handle.shutdown(req);
    if (err !== 0) this.conn.endFailed(this, err, 'shutdown');
  }

  pause(): void {
    if (!this.reading) return;
    this.reading = false;
    this.paused = true;
    this.handle.readStop();
  }

  resume(): void {
    if (!this.paused || this.closed || this.eof) return;
    this.paused = false;
    this.reading = true;
    const err = this.handle.readStart();
    if (err !== 0) this.conn.endFailed(this, err, 'read');
  }

  repoint(buf: Buffer): boolean {
    if (this.closed) return false;
    this.handle.useUserBuffer(buf);
    this.current = buf;
    return true;
  }

  /**
   * Closes the handle: with a RST when `reset` (connected) and libuv takes one — not while our FIN is
   * still pending (libuv refuses a reset then; after it went out, a RST is what tells the peer the rest
   * of the exchange failed, as abortSocket does on the socket path).
   */
  close(reset: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.reading = false;
    closeHandle(this.handle, reset, this.shutting && !this.shutDone);
    // libuv closes the socket itself (fd and port) right away, and only frees the handle a loop turn
    // later: the connection counts it closed now, which spares a callback into JS per handle. Writes
    // still queued are cancelled then, and their callbacks (which return pool buffers) still run.
    this.conn.handleClosed();
  }
}
