// Where the inspector keeps body bytes: one arena of fixed size written round and round (a capture
// ring, as packet capture tools keep one). Copying into memory that stays allocated costs a memcpy;
// a fresh buffer per body cost a megabyte allocation, its page faults and the garbage collection after
// it, which made inspection several times slower than forwarding for 1 MiB responses (npm run bench,
// BENCH_ONLY=http). When the arena wraps, the oldest bytes go, and with them the body they belonged to.

/** A body's bytes in the arena; `lost` once any of them was overwritten. */
export class KeptBody {
  /** Bytes kept (not counting what went past the limit). */
  length = 0;
  lost = false;
  /** Called once when the body is lost (the store then forgets `owner`, its exchange). */
  onLost: ((body: KeptBody) => void) | undefined;
  owner: unknown;
  readonly spans: Array<{ start: number; len: number }> = [];

  constructor(private readonly arena: BodyArena | undefined) {}

  /** A copy of the kept bytes (empty once lost). */
  bytes(): Buffer {
    if (this.lost || !this.arena || this.length === 0) return Buffer.alloc(0);
    const out = Buffer.allocUnsafe(this.length);
    let at = 0;
    for (const s of this.spans) at += this.arena.copyOut(s.start, s.len, out, at);
    return out;
  }

  /** @internal the arena overwrote some of it */
  evicted(): void {
    if (this.lost) return;
    this.lost = true;
    this.spans.length = 0;
    this.length = 0;
    try {
      this.onLost?.(this);
    } catch {
      // The forwarding path is the caller: never let this reach it.
    }
  }
}

interface Span {
  start: number;
  len: number;
  owner: KeptBody;
}

export class BodyArena {
  private buf: Buffer | undefined;
  private head = 0;
  /** Spans in the order written, which is also their order in the arena from `head` onwards. */
  private fifo: Span[] = [];
  private first = 0;

  constructor(readonly size: number) {}

  /** Bytes written since the start (for tests and statistics). */
  written = 0;

  /** Copies chunk[start, end) to the head of the arena for `owner`, overwriting the oldest bytes. */
  write(owner: KeptBody, chunk: Buffer, start: number, end: number): void {
    // Allocated on first use: a host with no inspected mapping never holds it.
    const buf = (this.buf ??= Buffer.allocUnsafeSlow(this.size));
    let from = start;
    while (from < end && !owner.lost) {
      if (this.head === this.size) this.head = 0;
      const take = Math.min(end - from, this.size - this.head);
      this.evict(this.head, this.head + take, owner);
      if (owner.lost) return;
      chunk.copy(buf, this.head, from, from + take);
      const last = owner.spans.at(-1);
      // A body written in one go stays one span (the common case), however many chunks it came in.
      if (last && last.start + last.len === this.head && this.fifoLast()?.owner === owner) {
        last.len += take;
        this.fifoLast()!.len += take;
      } else {
        owner.spans.push({ start: this.head, len: take });
        this.fifo.push({ start: this.head, len: take, owner });
      }
      owner.length += take;
      this.head += take;
      this.written += take;
      from += take;
    }
  }

  copyOut(start: number, len: number, into: Buffer, at: number): number {
    return this.buf ? this.buf.copy(into, at, start, start + len) : 0;
  }

  private fifoLast(): Span | undefined {
    return this.first < this.fifo.length ? this.fifo[this.fifo.length - 1] : undefined;
  }

  /** Drops the spans that overlap [a, b): the oldest ones, at the front of the queue. */
  private evict(a: number, b: number, writer: KeptBody): void {
    while (this.first < this.fifo.length) {
      const s = this.fifo[this.first]!;
      if (s.start >= b || s.start + s.len <= a) break;
      this.fifo[this.first++] = undefined as unknown as Span;
      // A body longer than what is left of the arena overwrites its own start: it is lost too.
      s.owner.evicted();
      if (s.owner === writer) return;
    }
    if (this.first > 1024 && this.first * 2 > this.fifo.length) {
      this.fifo = this.fifo.slice(this.first);
      this.first = 0;
    }
  }
}

/** Keeps the first bytes of one body, up to the mapping's limit, and counts the rest. */
export class BodyCollector {
  /** Bytes seen (after de-chunking). */
  size = 0;
  truncated = false;
  readonly kept: KeptBody;

  constructor(
    private readonly max: number,
    private readonly arena: BodyArena,
  ) {
    this.kept = new KeptBody(arena);
  }

  add(chunk: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n <= 0) return;
    this.size += n;
    const kept = this.kept;
    const take = kept.lost ? 0 : Math.min(n, this.max - kept.length);
    if (take > 0) this.arena.write(kept, chunk, start, start + take);
    if (take < n || kept.lost) this.truncated = true;
  }
}
