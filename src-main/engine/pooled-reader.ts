import type { Socket } from 'node:net';
import { setReadBuffer } from './adopt-accepted';
import { BufferPool } from './buffer-pool';
import type { ByteMeter } from './byte-meter';

/**
 * Reads of up to 256 KiB: under a bulk transfer a loopback or LAN socket has that much queued, and each
 * read costs a syscall, a JS callback and a write request whatever its size. `porthole forward` under
 * iperf3, A/B of three builds (5 rounds, 3 s, medians, client → target / target → client): 64 KiB
 * reads 7.9 / 8.2 Gbit/s at 0.94 / 0.89 CPU-s/GB, 128 KiB 10.0 / 10.6 at 0.69 / 0.66, 256 KiB 11.4 /
 * 11.5 at 0.59 / 0.55. (Relay data connections: no change; TLS and its 16 KiB records bound them.)
 */
const READ_SIZE = 256 * 1024;
/** A read at least this big suggests a bulk transfer: worth a buffer of the connection's own. */
const BULK_READ = 16 * 1024;
/** The most cleartext one TLS record carries: Node's TLS socket reads one record per callback. */
const TLS_RECORD = 16 * 1024;
/**
 * Shared by every reading socket that has no pool buffer: whatever is read into it is copied out before
 * the read callback returns, so the next read (by any socket) may overwrite it.
 */
const scratch = Buffer.allocUnsafeSlow(READ_SIZE);
/**
 * Buffers written without a copy: up to 256 × 256 KiB = 64 MiB lent at once, beyond that reads use
 * scratch + copy; 32 (8 MiB) kept for reuse when free. A bulk connection holds one or two per direction
 * (the read being written, the next read's), so a pool of 32 ran dry at ~16 bulk streams and every read
 * after that was copied into a buffer of its own. `porthole forward` under iperf3, 4 s, interleaved, 32
 * → 256 lent at most: -P 128 -R 6.7–8.6 → 10.2–11.8 Gbit/s at 1.13–1.28 → 0.62–0.74 CPU-s/GB, ~120 →
 * ~14 minor GCs, 2 → 1 full GC; -P 128 9.0–9.3 → 11.5–13.3 at 0.80–0.91 → 0.62–0.64; -P 32 both ways
 * 0.70–0.81 → 0.57–0.67 CPU-s/GB; -P 4 unchanged. (512 measured the same as 256.)
 */
const pool = new BufferPool(READ_SIZE, 256, 32);

/**
 * Where a reader's bytes go: a Socket, or the write side of a raw TCP handle (raw-tcp.ts). After a
 * write, writableLength > 0 means the chunk is still queued (the write holds its buffer until cb).
 */
export interface ByteSink {
  write(chunk: Uint8Array, cb?: () => void): boolean;
  readonly writableLength: number;
}

/** A raw TCP handle's read side (raw-tcp.ts): reads land in what it was last pointed at. */
export interface RawReadSource {
  /** Points the next reads at buf (outside a read callback); false: closed. */
  repoint(buf: Buffer): boolean;
  pause(): void;
}

/** Pool buffers lent out now (for tests and diagnostics). */
export function readBuffersInUse(): number {
  return pool.inUse;
}

/**
 * How often idle readers are looked at: one that holds a pool buffer for its next read and has read
 * nothing since the last look gives it back when the pool is short (see shed()).
 */
const SWEEP_MS = 2000;
/**
 * How many times one reader gives its buffer back: each time leaves a small native read listener on its
 * socket until it closes (see setReadBuffer), so a connection that alternates bursts and pauses for
 * hours keeps its buffer after this many.
 */
const MAX_SHEDS = 16;
/** Readers whose socket reads into a pool buffer of their own, with the byte count seen at the last sweep. */
const holding = new Map<PooledReader, number>();
let sweeper: NodeJS.Timeout | undefined;

/**
 * One look at the readers holding a pool buffer: while more than `spare` buffers are lent (the pool
 * keeps that many when they come back, so below it giving one back frees nothing), those that read
 * nothing since the previous look give theirs back. Runs on a timer while any reader holds one;
 * exported for tests, which pass 0.
 */
export function sweepIdleReaders(spare = pool.keep): void {
  for (const [reader, seen] of holding) {
    if (reader.bytes !== seen) holding.set(reader, reader.bytes);
    else if (pool.inUse > spare) reader.shed();
  }
  if (holding.size === 0 && sweeper !== undefined) {
    clearInterval(sweeper);
    sweeper = undefined;
  }
}

/**
 * One direction of a forwarded connection, read with the `onread` socket option (net.connect's, and
 * an accepted socket's through adoptWithOnread): Node reads into the buffer next() returns and calls
 * onRead(n, buf) instead of allocating a fresh 64 KiB buffer per read and emitting 'data'.
 *
 * A socket reads into `installed`: the shared scratch buffer (small reads: copied out, cheap from
 * Node's slab), or during bulk transfers a pool buffer of its own whose bytes go to dst
 * without a copy. A pool buffer whose write the other side could not take synchronously is still in
 * flight: it is replaced for the next read and returned to the pool by that write's callback, so no
 * buffer is ever read into while its bytes are being sent. Backpressure is pump()'s: onRead returns
 * dst.write()'s result, and false makes Node stop reading until dst drains.
 */
export class PooledReader {
  /** Bytes read so far. */
  bytes = 0;
  private installed: Buffer = scratch;
  /** What the next read goes into: `installed`, or while records are being gathered the rest of it. */
  private readInto: Buffer = scratch;
  /** Bytes gathered at the start of `installed`, not yet written (coalescing only). */
  private fill = 0;
  private flushQueued = false;
  /** Times shed() gave the buffer back. */
  private sheds = 0;
  /** dispose() ran: the socket is closed and the buffers are back in the pool. */
  private disposed = false;
  /** A read callback is running: when it returns, Node moves the socket to what next() returns. */
  private inRead = false;
  /**
   * A buffer whose gathered bytes a deferred flush (outside a read callback) sent while the socket still
   * points into its tail: it goes back to the pool only once a read callback has moved the socket off
   * it and its write is done — released earlier, the pool could lend it to another connection while
   * this socket's next read lands in it.
   */
  private held: Buffer | undefined;
  private heldWritten = false;
  private dst: ByteSink | undefined;
  private src: Socket | RawReadSource | undefined;

  constructor(
    /** Also counted here (a field, not a callback: one closure less per reader and connection); none: the tap counts. */
    private readonly meter: ByteMeter | undefined,
    /** true: client → target (the meter's bytesIn); false: target → client (bytesOut). */
    private readonly fromClient: boolean,
    /** Sees each read before it is written (the HTTP inspector's tap): it copies what it keeps. */
    private readonly tap?: (chunk: Buffer) => void,
    /**
     * For a TLS source: Node hands its cleartext over one record (≤ 16 KiB) per read callback, several
     * in a row from one socket read. Full records are gathered side by side in the pool buffer and
     * written with one write (up to 16 records) when it is full, when a short record ends the run, or
     * at the end of this turn of the event loop (setImmediate) — a write per socket read instead of one
     * per record during bulk transfers; a lone short record (a reply, a keystroke) is written at once.
     */
    private readonly coalesce = false,
  ) {}

  /**
   * Where the bytes go, and the socket they are read from (given `onread` with next and onRead); set
   * before it starts reading. Without `src` an idle reader keeps its pool buffer until it reads again
   * or closes, and gathered records are flushed without pausing anything.
   */
  attach(dst: ByteSink, src?: Socket | RawReadSource): void {
    this.dst = dst;
    this.src = src;
  }

  readonly next = (): Buffer => this.readInto;

  readonly onRead = (n: number, buf: Buffer): boolean => {
    this.inRead = true;
    let ok: boolean;
    try {
      ok = this.take(n, buf);
    } finally {
      this.inRead = false;
    }
    // Node moves the socket to next() as this returns: a held buffer is no longer read into.
    if (this.held !== undefined) this.letGo();
    return ok;
  };

  private take(n: number, buf: Buffer): boolean {
    this.bytes += n;
    const meter = this.meter;
    if (meter) {
      if (this.fromClient) meter.bytesIn += n;
      else meter.bytesOut += n;
    }
    // Before the write: the tap copies what it keeps while buf still holds this read.
    if (this.tap) this.tap(buf.subarray(0, n));
    if (buf === scratch || buf !== this.readInto) {
      // (Node always reads into what next() returned last, so the second test is only a safeguard.)
      const ok = this.flush();
      const own = n >= BULK_READ && this.installed === scratch ? pool.acquire() : undefined;
      if (own !== undefined) {
        // A bulk read in the shared buffer (the connection gave its own back after a short read): copied
        // into a pool buffer, which then takes the next reads. A fresh buffer per such read was 5–10 MiB/s
        // of new ArrayBuffers in a single-stream transfer — external memory, which V8 counts against the
        // old generation's limit until its next full collection, and which brought one on mid-transfer.
        buf.copy(own, 0, 0, n);
        this.installed = this.readInto = own;
        this.track();
        this.fill = n;
        return this.flush() && ok;
      }
      const chunk = Buffer.allocUnsafe(n);
      buf.copy(chunk, 0, 0, n);
      return this.dst!.write(chunk) && ok;
    }
    this.fill += n;
    if (this.coalesce && n >= TLS_RECORD && this.installed.length - this.fill >= TLS_RECORD) {
      this.readInto = this.installed.subarray(this.fill);
      if (!this.flushQueued) {
        this.flushQueued = true;
        setImmediate(this.flushLater);
      }
      return true;
    }
    return this.flush();
  }

  /** Writes what is gathered in `installed` (everything, without coalescing: the read just made). */
  private flush(): boolean {
    const n = this.fill;
    if (n === 0) return true;
    this.fill = 0;
    const buf = this.installed;
    const dst = this.dst!;
    let inFlight = false;
    const ok = dst.write(buf.subarray(0, n), () => {
      if (!inFlight) return;
      if (buf === this.held) this.heldWritten = true;
      else pool.release(buf);
    });
    // A write that failed at once can close the connection within it, and with it this reader (a raw
    // connection disposes its readers as its handles close): dispose() has returned its buffers.
    if (this.disposed) return false;
    if (dst.writableLength > 0) {
      // Queued (in Node or in libuv), not yet in the kernel: buf belongs to that write now.
      inFlight = true;
      if (!this.inRead) {
        if (this.held !== undefined) this.letGo();
        this.held = buf;
        this.heldWritten = false;
      }
      this.installed = (n >= BULK_READ ? pool.acquire() : undefined) ?? scratch;
      this.track();
    } else if (n < BULK_READ && this.inRead) {
      // Written through and the transfer looks over: don't sit on a pool buffer while idle. (Only in a
      // read callback, which moves the socket to next() as it returns; outside one — a gathered flush —
      // the socket may still point into this buffer's tail, so it stays installed: the sweep returns it
      // if the connection goes quiet.)
      pool.release(buf);
      this.installed = scratch;
      this.track();
    }
    this.readInto = this.installed;
    return ok;
  }

  /** Keeps `holding` true: this reader is in it while its socket reads into a pool buffer. */
  private track(): void {
    if (this.installed === scratch && this.held === undefined) {
      holding.delete(this);
    } else if (this.src !== undefined && this.sheds < MAX_SHEDS && !holding.has(this)) {
      // -1: the first sweep only takes note (a buffer just taken is not idle).
      holding.set(this, -1);
      sweeper ??= setInterval(sweepIdleReaders, SWEEP_MS).unref();
    }
  }

  /**
   * The connection went quiet after a bulk read (a download done, a keep-alive connection waiting) and
   * the pool is short: points its socket back at the shared scratch buffer and returns the pool buffer,
   * which it would otherwise keep until its next read or its close — 256 KiB for each such connection,
   * and with 256 of them no connection could read without a copy. A buffer whose gathered bytes are still being sent
   * (`held`) goes back once they are. Not while bytes are gathered (the next sweep tries again); the
   * next bulk read takes a pool buffer again.
   */
  shed(): void {
    if (this.fill > 0 || this.inRead) return;
    holding.delete(this);
    const src = this.src;
    if (this.installed === scratch && this.held === undefined) return;
    // A closed socket: dispose() returns its buffers.
    if (src === undefined || !('repoint' in src ? src.repoint(scratch) : setReadBuffer(src, scratch))) return;
    this.sheds += 1;
    if (this.held !== undefined) this.letGo();
    if (this.installed !== scratch) pool.release(this.installed);
    this.installed = this.readInto = scratch;
  }

  /** The socket reads elsewhere now: the held buffer goes back once its write is done (at once if it is). */
  private letGo(): void {
    const h = this.held!;
    this.held = undefined;
    if (this.heldWritten) pool.release(h);
  }

  private readonly flushLater = (): void => {
    this.flushQueued = false;
    if (this.fill > 0 && !this.flush()) this.src?.pause();
  };

  /** The source ended (its FIN): write what is gathered before the caller ends dst. */
  drain(): void {
    if (this.fill > 0) this.flush();
  }

  /** The socket has closed (no more reads): return a pool buffer it held for its next read (gathered bytes are dropped). */
  dispose(): void {
    this.disposed = true;
    this.fill = 0;
    holding.delete(this);
    if (this.held !== undefined) this.letGo();
    if (this.installed !== scratch) pool.release(this.installed);
    this.installed = this.readInto = scratch;
  }
}
