/** A long-lived connection several rules share (an SSH session, a relay agent). */
export interface Shareable {
  readonly state: string;
  start(): void;
  /** Try again now instead of at the next backoff step. */
  reconnect(): void;
  close(): Promise<void>;
}

/**
 * One connection per key (a saved server or relay), shared by every rule that uses it, refcounted:
 * the last release() closes it.
 */
export class SharedPool<S extends Shareable> {
  private readonly entries = new Map<string, { item: S; users: number }>();

  /** `make` builds the connection for a key not connected yet. */
  constructor(private readonly make: (key: string) => S) {}

  /** The shared connection for a key, started; every acquire() needs one release(). */
  acquire(key: string): S {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { item: this.make(key), users: 0 };
      this.entries.set(key, entry);
      entry.item.start();
    }
    entry.users += 1;
    return entry.item;
  }

  /** Drops one use; closes the connection when it was the last. Extra releases are ignored. */
  async release(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.users -= 1;
    if (entry.users > 0) return;
    this.entries.delete(key);
    await entry.item.close();
  }

  /** The live connection for a key, if any rule holds one (e.g. to retry after the user fixed a secret). */
  get(key: string): S | undefined {
    return this.entries.get(key)?.item;
  }

  users(key: string): number {
    return this.entries.get(key)?.users ?? 0;
  }

  /**
   * Tries every waiting connection again now instead of at its next backoff step (after sleep/resume or
   * a network change). Ready ones are left alone: their keepalive finds out if the link died.
   */
  reconnectAll(): number {
    let n = 0;
    for (const { item } of this.entries.values()) {
      if (item.state === 'retrying' || item.state === 'failed') {
        item.reconnect();
        n++;
      }
    }
    return n;
  }

  /** Closes every connection (app shutdown). */
  async closeAll(): Promise<void> {
    const items = [...this.entries.values()].map((e) => e.item);
    this.entries.clear();
    await Promise.all(items.map((s) => s.close()));
  }
}
