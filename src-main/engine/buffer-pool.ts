/**
 * A bounded set of equally sized read buffers, shared by every connection of the process.
 *
 * Node allocates a fresh 64 KiB buffer for every socket read by default (malloc, external-memory
 * accounting, and eventually major GCs). A socket created with `net.connect({ onread })` can read into
 * a caller-supplied buffer instead; this pool hands those out. A buffer is lent by acquire() and stays
 * the borrower's until it calls release() — typically from the write callback of the chunk it holds —
 * so it is never handed out twice while bytes in it are still on their way.
 *
 * `limit` caps how many buffers exist at once (lent + free). When all are lent, acquire() returns
 * undefined and the caller falls back to another path (it must not wait on the pool: waiting could
 * deadlock connections that each hold a buffer). Free buffers are kept for reuse, at most `keep`: a
 * buffer released while that many are free is let go (the garbage collector frees it), so a burst that
 * lent many leaves no more than `keep` behind once it is over.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];
  private readonly lent = new WeakSet<Buffer>();
  private count = 0;
  private lentCount = 0;

  constructor(
    readonly size: number,
    readonly limit: number,
    readonly keep = limit,
  ) {
    if (!(size > 0) || !(limit >= 0) || !(keep >= 0 && keep <= limit)) throw new RangeError(`BufferPool(${size}, ${limit}, ${keep})`);
  }

  /** Buffers currently lent out. */
  get inUse(): number {
    return this.lentCount;
  }

  /** Buffers that exist (lent + free). */
  get allocated(): number {
    return this.count;
  }

  /** A buffer no one else holds, or undefined when `limit` buffers are already lent out. */
  acquire(): Buffer | undefined {
    let buf = this.free.pop();
    if (buf === undefined) {
      if (this.count >= this.limit) return undefined;
      // Not from Node's shared slab: each pool buffer must own its memory.
      buf = Buffer.allocUnsafeSlow(this.size);
      this.count += 1;
    }
    this.lent.add(buf);
    this.lentCount += 1;
    return buf;
  }

  /** Gives a buffer back; it must come from acquire() and not have been released since. */
  release(buf: Buffer): void {
    if (!this.lent.delete(buf)) throw new Error('BufferPool.release: buffer is not lent out by this pool');
    this.lentCount -= 1;
    if (this.free.length < this.keep) this.free.push(buf);
    else this.count -= 1;
  }
}
