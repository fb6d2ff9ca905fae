import { type SecretChange, type SecretRestore, type SecretStore, StoredSecret } from './secret-store';
import type { SecretRead } from './secret-tags';

/**
 * Secret changes staged to be stored in one write (an import's passwords and tokens), read through
 * before they are: what the batch set or deleted, else what the store has.
 */
export class SecretBatch {
  private readonly changes = new Map<string, SecretChange>();
  private restore: SecretRestore | undefined;

  constructor(private readonly store: SecretStore) {}

  get(key: string): string | undefined {
    if (!this.changes.has(key)) return this.store.get(key);
    const read = this.readStaged(key);
    return read?.ok ? read.value : undefined;
  }

  problem(key: string): string | undefined {
    if (!this.changes.has(key)) return this.store.problem(key);
    const read = this.readStaged(key);
    return read?.ok === false ? read.reason : undefined;
  }

  /** A staged change as the store would read it once written (undefined: a deletion). */
  private readStaged(key: string): SecretRead | undefined {
    const v = this.changes.get(key);
    if (v === undefined) return undefined;
    return v instanceof StoredSecret ? this.store.readStored(v) : { ok: true, value: v };
  }

  set(key: string, value: string): void {
    this.changes.set(key, value);
  }

  delete(key: string): void {
    this.changes.set(key, undefined);
  }

  /** Puts a secret back as stored() returned it (undefined: there was none), whether or not this process can read it. */
  putBack(key: string, stored: StoredSecret | undefined): void {
    this.changes.set(key, stored);
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
