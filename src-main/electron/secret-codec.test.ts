import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/tmp';
import { FileSecretStore, SECRETS_FILE } from '../store/secret-store';
import { UNREADABLE } from '../store/secret-tags';
import { NO_KEYRING_FILE_TEXT, NO_KEYRING_MEMORY_TEXT, safeStorageCodec } from './secret-codec';
import type { SafeStorageLike } from './secret-codec';

type Backend = ReturnType<SafeStorageLike['getSelectedStorageBackend']>;

/**
 * A stand-in for Electron's safeStorage: "encrypts" by reversing behind OSCrypt's "v10" version prefix
 * (what real ciphertext starts with), so ciphertext never equals the text, and refuses what it did not
 * make, as a real decrypt with another key does.
 */
function fakeSafeStorage(available: boolean, backend: Backend, key = 'k1'): SafeStorageLike {
  const head = `v10${key}:`;
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (plain) => Buffer.from(`${head}${[...plain].reverse().join('')}`),
    decryptString: (buf) => {
      const text = buf.toString();
      if (!text.startsWith(head)) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return [...text.slice(head.length)].reverse().join('');
    },
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

describe('stored secrets say how they were stored, and one that cannot be read here is never used', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());
  const file = () => join(t.dir, SECRETS_FILE);
  const rawEntries = () => JSON.parse(readFileSync(file(), 'utf8')).entries as Record<string, string>;
  const keychain = () => safeStorageCodec(fakeSafeStorage(true, 'gnome_libsecret'), { memoryOnly: false, platform: 'linux' });

  it('tags what each codec writes', () => {
    new FileSecretStore(t.dir, keychain()).set('ssh:a:password', 'hunter2');
    new FileSecretStore(t.dir).set('relay:r:token', 'tok');
    const raw = rawEntries();
    expect(raw['ssh:a:password']).toMatch(/^v1:keychain:[A-Za-z0-9+/]+=*$/);
    expect(raw['relay:r:token']).toBe('v1:file:tok');
  });

  it('the CLI (file codec) never hands out keychain ciphertext: missing, with the reason', () => {
    new FileSecretStore(t.dir, keychain()).set('ssh:a:password', 'hunter2');
    const cli = new FileSecretStore(t.dir);
    expect(cli.get('ssh:a:password')).toBeUndefined();
    expect(cli.problem('ssh:a:password')).toBe(UNREADABLE.keychainElsewhere);
    // Writing another secret keeps the unreadable one for the desktop app, which can still read it.
    cli.set('relay:r:token', 'tok');
    expect(new FileSecretStore(t.dir, keychain()).get('ssh:a:password')).toBe('hunter2');
  });

  it('a desktop session whose keyring later reports basic_text asks again instead of using ciphertext', () => {
    new FileSecretStore(t.dir, keychain()).set('relay:r:token', 'tok');
    const noKeyring = safeStorageCodec(fakeSafeStorage(true, 'basic_text'), { memoryOnly: false, platform: 'linux' });
    const store = new FileSecretStore(t.dir, noKeyring);
    expect(store.get('relay:r:token')).toBeUndefined();
    expect(store.problem('relay:r:token')).toBe(UNREADABLE.keychainElsewhere);
  });

  it('another keyring (or user account) cannot decrypt: missing, with the reason', () => {
    new FileSecretStore(t.dir, keychain()).set('ssh:a:password', 'hunter2');
    const other = safeStorageCodec(fakeSafeStorage(true, 'kwallet5', 'k2'), { memoryOnly: false, platform: 'linux' });
    const store = new FileSecretStore(t.dir, other);
    expect(store.get('ssh:a:password')).toBeUndefined();
    expect(store.problem('ssh:a:password')).toBe(UNREADABLE.keychainFailed);
  });

  it('the desktop app with a keyring reads what the CLI saved in plain text', () => {
    new FileSecretStore(t.dir).set('ssh:a:password', 'from-cli');
    const store = new FileSecretStore(t.dir, keychain());
    expect(store.get('ssh:a:password')).toBe('from-cli');
    expect(store.problem('ssh:a:password')).toBeUndefined();
  });

  it('migrates untagged values by their shape: old keychain ciphertext stays unreadable to the CLI, old plain text stays usable', () => {
    const oldCipher = Buffer.from(fakeSafeStorage(true, 'gnome_libsecret').encryptString('hunter2')).toString('base64');
    writeFileSync(file(), JSON.stringify({ version: 1, entries: { 'ssh:a:password': oldCipher, 'relay:r:token': 'plain-token' } }), { mode: 0o600 });
    const cli = new FileSecretStore(t.dir);
    expect(cli.get('ssh:a:password')).toBeUndefined();
    expect(cli.get('relay:r:token')).toBe('plain-token');
    const desktop = new FileSecretStore(t.dir, keychain());
    expect(desktop.get('ssh:a:password')).toBe('hunter2');
    expect(desktop.get('relay:r:token')).toBe('plain-token');
    // The next write records the tags the shapes implied.
    desktop.set('socks:x:password', 'p');
    expect(rawEntries()).toMatchObject({ 'ssh:a:password': `v1:keychain:${oldCipher}`, 'relay:r:token': 'v1:file:plain-token' });
  });

  it('a value from a newer format is missing everywhere, and kept', () => {
    writeFileSync(file(), JSON.stringify({ version: 1, entries: { k: 'v2:tpm:abc' } }), { mode: 0o600 });
    for (const codec of [undefined, keychain()]) {
      const store = new FileSecretStore(t.dir, codec);
      expect(store.get('k')).toBeUndefined();
      expect(store.problem('k')).toContain('newer Porthole');
    }
    new FileSecretStore(t.dir).set('other', 'x');
    expect(rawEntries().k).toBe('v2:tpm:abc');
  });
});
