import { confFactory } from '../src-main/store/conf-factories';
import type { ConfFactory } from '../src-main/store/conf-like';
import type { SecretChange, SecretRestore, SecretStore, StoredSecret } from '../src-main/store/secret-store';
import type { SecretRead } from '../src-main/store/secret-tags';

// Stores that count their writes, for tests that pin how often a change writes to disk (a write per
// item of an import costs O(n²)), and a conf store whose writes can be made to fail.

/** The conf store on disk, counting the writes of each key; `fail` makes chosen writes throw as a full or read-only disk would. */
export class CountingConf {
  private readonly counts = new Map<string, number>();
  /** Asked before each write: an error to throw instead of writing, or undefined to write. */
  fail: ((key: string) => Error | undefined) | undefined;

  writes(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  readonly factory: ConfFactory = (opts) => {
    const conf = confFactory(opts);
    return {
      get path() {
        return conf.path;
      },
      get: (key) => conf.get(key),
      set: (key, value) => {
        const err = this.fail?.(key);
        if (err) throw err;
        this.counts.set(key, this.writes(key) + 1);
        conf.set(key, value);
      },
    };
  };
}

/** A secret store counting the calls that write it (set, delete, setMany): FileSecretStore writes its file once for each. */
export class CountingSecrets implements SecretStore {
  writes = 0;

  constructor(private readonly inner: SecretStore) {}

  get backend(): string {
    return this.inner.backend;
  }

  get(key: string): string | undefined {
    return this.inner.get(key);
  }

  problem(key: string): string | undefined {
    return this.inner.problem(key);
  }

  set(key: string, value: string): void {
    this.writes++;
    this.inner.set(key, value);
  }

  delete(key: string): void {
    this.writes++;
    this.inner.delete(key);
  }

  setMany(changes: Iterable<readonly [key: string, value: SecretChange]>): SecretRestore {
    this.writes++;
    return this.inner.setMany(changes);
  }

  stored(key: string): StoredSecret | undefined {
    return this.inner.stored(key);
  }

  readStored(s: StoredSecret): SecretRead {
    return this.inner.readStored(s);
  }
}

/** An error as the file system gives it (`EACCES: permission denied`), with its code. */
export function diskError(code: string, text: string): Error {
  return Object.assign(new Error(`${code}: ${text}`), { code });
}
