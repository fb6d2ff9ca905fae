import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/tmp';
import { FileSecretStore, SECRETS_FILE, type SecretCodec } from './secret-store';

describe('FileSecretStore', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());

  it('keeps secrets in a 0600 file of their own and reads them back after a restart', () => {
    const s = new FileSecretStore(t.dir);
    s.set('ssh:a:password', 'hunter2');
    expect(statSync(join(t.dir, SECRETS_FILE)).mode & 0o777).toBe(0o600);
    expect(new FileSecretStore(t.dir).get('ssh:a:password')).toBe('hunter2');
    s.delete('ssh:a:password');
    expect(new FileSecretStore(t.dir).get('ssh:a:password')).toBeUndefined();
  });

  it('stores what the codec makes of a value, never the value itself', () => {
    const rot: SecretCodec = {
      backend: 'test',
      scheme: 'keychain',
      encode: (v) => Buffer.from(v).toString('base64'),
      decode: (v) => Buffer.from(v, 'base64').toString(),
    };
    new FileSecretStore(t.dir, rot).set('k', 'correct horse');
    expect(readFileSync(join(t.dir, SECRETS_FILE), 'utf8')).not.toContain('correct horse');
    expect(new FileSecretStore(t.dir, rot).get('k')).toBe('correct horse');
  });

  it('survives a damaged secrets file by starting empty', () => {
    writeFileSync(join(t.dir, SECRETS_FILE), '{broken');
    expect(new FileSecretStore(t.dir).get('x')).toBeUndefined();
  });
});
