import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/tmp';
import { FileSecretStore, SECRETS_FILE } from '../store/secret-store';
import { NO_KEYRING_FILE_TEXT, NO_KEYRING_MEMORY_TEXT, safeStorageCodec } from './secret-codec';
import type { SafeStorageLike } from './secret-codec';

type Backend = ReturnType<SafeStorageLike['getSelectedStorageBackend']>;

/** A stand-in for Electron's safeStorage: "encrypts" by reversing, so ciphertext never equals the text. */
function fakeSafeStorage(available: boolean, backend: Backend): SafeStorageLike {
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (plain) => Buffer.from(`enc:${[...plain].reverse().join('')}`),
    decryptString: (buf) => [...buf.toString().slice(4)].reverse().join(''),
  };
}

describe('safeStorageCodec', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());
  const file = () => join(t.dir, SECRETS_FILE);

  it('encrypts with the keyring when there is one, and ignores the memory-only switch there', () => {
    const codec = safeStorageCodec(fakeSafeStorage(true, 'gnome_libsecret'), { memoryOnly: true, platform: 'linux' });
    expect(codec.keyring).toBe(true);
    expect(codec.backend).toBe('encrypted with the desktop keyring (gnome_libsecret)');
    const store = new FileSecretStore(t.dir, codec);
    store.set('ssh:a:password', 'hunter2');
    expect(readFileSync(file(), 'utf8')).not.toContain('hunter2');
    expect(new FileSecretStore(t.dir, codec).get('ssh:a:password')).toBe('hunter2');
  });

  it('never uses the basic_text fallback key on Linux, nor a platform without encryption', () => {
    for (const [available, backend, platform] of [
      [true, 'basic_text', 'linux'],
      [true, 'unknown', 'linux'],
      [false, 'gnome_libsecret', 'linux'],
      [false, 'unknown', 'win32'],
    ] as const) {
      const codec = safeStorageCodec(fakeSafeStorage(available, backend), { memoryOnly: false, platform });
      expect(codec.keyring).toBe(false);
      expect(codec.backend).toBe(NO_KEYRING_FILE_TEXT);
      expect(codec.encode('x')).toBe('x');
    }
  });

  it('memory-only without a keyring: secrets work for the session and nothing reaches the disk', () => {
    const codec = safeStorageCodec(fakeSafeStorage(true, 'basic_text'), { memoryOnly: true, platform: 'linux' });
    expect(codec.backend).toBe(NO_KEYRING_MEMORY_TEXT);
    const store = new FileSecretStore(t.dir, codec);
    store.set('relay:r:token', 'tok');
    expect(store.get('relay:r:token')).toBe('tok');
    expect(existsSync(file())).toBe(false);
    // The next start has nothing to read: the password is asked for again.
    expect(new FileSecretStore(t.dir, codec).get('relay:r:token')).toBeUndefined();
  });

  it('switching memory-only on removes the plain file at once; switching it off writes it back', () => {
    const codec = safeStorageCodec(fakeSafeStorage(true, 'basic_text'), { memoryOnly: false, platform: 'linux' });
    const store = new FileSecretStore(t.dir, codec);
    store.set('ssh:a:password', 'hunter2');
    expect(readFileSync(file(), 'utf8')).toContain('hunter2');

    codec.setMemoryOnly(true);
    expect(existsSync(file())).toBe(false);
    expect(store.get('ssh:a:password')).toBe('hunter2');
    expect(codec.backend).toBe(NO_KEYRING_MEMORY_TEXT);
    store.set('ssh:b:password', 'swordfish');
    expect(existsSync(file())).toBe(false);

    codec.setMemoryOnly(false);
    const reread = new FileSecretStore(t.dir, codec);
    expect(reread.get('ssh:a:password')).toBe('hunter2');
    expect(reread.get('ssh:b:password')).toBe('swordfish');
  });

  it('memory-only reads a file left by an earlier run, then drops it at the first change', () => {
    new FileSecretStore(t.dir).set('ssh:a:password', 'old');
    const codec = safeStorageCodec(fakeSafeStorage(false, 'unknown'), { memoryOnly: true, platform: 'linux' });
    const store = new FileSecretStore(t.dir, codec);
    expect(store.get('ssh:a:password')).toBe('old');
    store.delete('ssh:a:password');
    expect(existsSync(file())).toBe(false);
  });
});
