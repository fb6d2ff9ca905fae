/**
 * Fixed-capacity FIFO: pushing past capacity drops the oldest item. Mutable on purpose — the store wraps
 * it in a versioned object so React sees a new identity without copying thousands of log lines per batch.
 */
export class RingBuffer<T> {
  readonly capacity: number;
  private items: (T | undefined)[];
  private start = 0;
  private count = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring buffer capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    const end = (this.start + this.count) % this.capacity;
    this.items[end] = item;
    if (this.count < this.capacity) this.count++;
    else this.start = (this.start + 1) % this.capacity;
  }

  pushAll(items: Iterable<T>): void {
    for (const item of items) this.push(item);
  }

  /** Item `i` counted from the oldest (0) to the newest (size - 1). */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.count) return undefined;
    return this.items[(this.start + i) % this.capacity];
  }

  last(): T | undefined {
    return this.at(this.count - 1);
  }

  /** Oldest first. `maxItems` keeps only the newest ones. */
  toArray(maxItems = this.count): T[] {
    const n = Math.min(maxItems, this.count);
    const out: T[] = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = this.items[(this.start + this.count - n + i) % this.capacity] as T;
    return out;
  }

  clear(): void {
    this.items = new Array<T | undefined>(this.capacity);
    this.start = 0;
    this.count = 0;
  }
}
