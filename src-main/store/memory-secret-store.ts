import type { SecretRead } from './secret-tags';
import { type SecretChange, type SecretRestore, type SecretStore, StoredSecret } from './secret-store';

/**
 * Secrets held for this process only (`porthole run --profile FILE`): the profile's passwords and
 * tokens are needed while it runs, and must not be written into the data dir's secrets.json under ids
 * that no saved rule will ever have.
 */
export class MemorySecretStore implements SecretStore {
  readonly backend = 'memory (this run only)';
  private readonly entries = new Map<string, string>();

  get(key: string): string | undefined {
    return this.entries.get(key);
  }

  problem(): string | undefined {
    return undefined;
  }

  set(key: string, value: string): void {
    this.entries.set(key, value);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  stored(key: string): StoredSecret | undefined {
    const v = this.entries.get(key);
    return v === undefined ? undefined : new StoredSecret(v);
  }

  readStored(s: StoredSecret): SecretRead {
    return { ok: true, value: s.body };
  }

  setMany(changes: Iterable<readonly [key: string, value: SecretChange]>): SecretRestore {
    const before = new Map<string, string | undefined>();
    const put = (key: string, value: string | undefined) => {
      if (value === undefined) this.entries.delete(key);
      else this.entries.set(key, value);
    };
    for (const [key, value] of changes) {
      if (!before.has(key)) before.set(key, this.entries.get(key));
      put(key, value instanceof StoredSecret ? value.body : value);
    }
    return () => before.forEach((value, key) => put(key, value));
  }
}
