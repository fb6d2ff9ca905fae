import type { SecretStore } from './secret-store';

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
}
