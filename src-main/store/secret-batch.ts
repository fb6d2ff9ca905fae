import type { SecretRestore, SecretStore } from './secret-store';

/**
 * Secret changes staged to be stored in one write (an import's passwords and tokens), read through
 * before they are: what the batch set or deleted, else what the store has.
 */
export class SecretBatch {
  private readonly changes = new Map<string, string | undefined>();
  private restore: SecretRestore | undefined;

  constructor(private readonly store: SecretStore) {}

  get(key: string): string | undefined {
    return this.changes.has(key) ? this.changes.get(key) : this.store.get(key);
  }

  problem(key: string): string | undefined {
    return this.changes.has(key) ? undefined : this.store.problem(key);
  }

  set(key: string, value: string): void {
    this.changes.set(key, value);
  }

  delete(key: string): void {
    this.changes.set(key, undefined);
  }

  /** Stores what was staged, in one write. */
  commit(): void {
    if (this.changes.size > 0) this.restore = this.store.setMany(this.changes);
  }

  /** Puts back, in one write, what the commit wrote over (nothing if it did not write). */
  undo(): void {
    const restore = this.restore;
    this.restore = undefined;
    restore?.();
  }
}
