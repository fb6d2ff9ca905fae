import { describe, expect, it } from 'vitest';
import { looksLikeSafeStorage, migrateStoredSecret, parseStoredSecret, readStoredSecret, tagSecret } from './secret-tags';

const b64 = (bytes: number[] | string) => Buffer.from(typeof bytes === 'string' ? bytes : Uint8Array.from(bytes)).toString('base64');

describe('secret tags', () => {
  it('recognises OSCrypt ciphertext (v10/v11 prefix, DPAPI header) and nothing a typed password looks like', () => {
    expect(looksLikeSafeStorage(b64('v10\u0001\u0002\u0003\u0004\u0005\u0006'))).toBe(true);
    expect(looksLikeSafeStorage(b64('v11abcdefgh'))).toBe(true);
    expect(looksLikeSafeStorage(b64([1, 0, 0, 0, 0xd0, 0x8c, 0x9d, 0xdf, 1, 2, 3]))).toBe(true);
    for (const plain of ['hunter2', 'correct horse battery staple', 'c2VjcmV0', b64('secret-token'), '', 'djEw']) {
      expect(looksLikeSafeStorage(plain)).toBe(false);
    }
  });

  it('parses tags, keeps unknown ones unknown, and tags old values by shape', () => {
    expect(parseStoredSecret(tagSecret('file', 'a:b'))).toEqual({ scheme: 'file', body: 'a:b' });
    expect(parseStoredSecret('v1:keychain:QUJD')).toEqual({ scheme: 'keychain', body: 'QUJD' });
    expect(parseStoredSecret('v2:file:x')).toEqual({ scheme: 'unknown', tag: 'v2:file' });
    expect(parseStoredSecret('v1:tpm:x')).toEqual({ scheme: 'unknown', tag: 'v1:tpm' });
    expect(migrateStoredSecret('hunter2')).toBe('v1:file:hunter2');
    expect(migrateStoredSecret(b64('v10xxxxxxxx'))).toBe(`v1:keychain:${b64('v10xxxxxxxx')}`);
    expect(migrateStoredSecret('v9:new:x')).toBe('v9:new:x');
  });

  it('a plain value whose text starts like a tag is stored tagged, so it reads back whole', () => {
    const stored = tagSecret('file', 'v1:keychain:not-really');
    expect(readStoredSecret(stored, { scheme: 'file', decode: (s) => s })).toEqual({ ok: true, value: 'v1:keychain:not-really' });
  });
});
