import type * as Fs from 'node:fs';
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../test-support/tmp';
import { SecretBatch } from './secret-batch';
import { FileSecretStore, SECRETS_FILE, type SecretCodec, StoredSecret } from './secret-store';

// Every write of the secrets file is a rename of a finished temp file over it: counted here.
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof Fs>();
  return { ...fs, renameSync: vi.fn(fs.renameSync) };
});

const rot: SecretCodec = {
  backend: 'test',
  scheme: 'keychain',
  encode: (v) => Buffer.from(v).toString('base64'),
  decode: (v) => Buffer.from(v, 'base64').toString(),
};

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
    new FileSecretStore(t.dir, rot).set('k', 'correct horse');
    expect(readFileSync(join(t.dir, SECRETS_FILE), 'utf8')).not.toContain('correct horse');
    expect(new FileSecretStore(t.dir, rot).get('k')).toBe('correct horse');
  });

  it('survives a damaged secrets file by starting empty', () => {
    writeFileSync(join(t.dir, SECRETS_FILE), '{broken');
    expect(new FileSecretStore(t.dir).get('x')).toBeUndefined();
  });

  it('sets and deletes several secrets in one write of the 0600 file, and its restore puts back what was stored, a value this process cannot read included', () => {
    new FileSecretStore(t.dir, rot).set('ssh:a:password', 'from-the-desktop');
    const s = new FileSecretStore(t.dir);
    s.setMany([
      ['relay:r:token', 'tok'],
      ['socks:x:password', 'sx'],
    ]);
    const stored = () => JSON.parse(readFileSync(join(t.dir, SECRETS_FILE), 'utf8')) as unknown;
    const before = stored();
    expect(s.problem('ssh:a:password')).toBeDefined();
    const writes = () => vi.mocked(renameSync).mock.calls.filter(([, to]) => to === join(t.dir, SECRETS_FILE)).length;
    const writesBefore = writes();

    const restore = s.setMany([
      ['ssh:a:password', 'new'],
      ['ssh:b:password', 'b'],
      ['ssh:c:password', 'c'],
      ['relay:r:token', undefined],
      ['relay:gone:token', undefined],
    ]);
    expect(writes() - writesBefore).toBe(1);
    expect(statSync(join(t.dir, SECRETS_FILE)).mode & 0o777).toBe(0o600);
    expect(readdirSync(t.dir)).toEqual([SECRETS_FILE]);
    const reread = new FileSecretStore(t.dir);
    expect(['ssh:a:password', 'ssh:b:password', 'ssh:c:password', 'relay:r:token', 'socks:x:password'].map((k) => reread.get(k))).toEqual(['new', 'b', 'c', undefined, 'sx']);

    restore();
    expect(writes() - writesBefore).toBe(2);
    expect(stored()).toEqual(before);
    expect(new FileSecretStore(t.dir, rot).get('ssh:a:password')).toBe('from-the-desktop');
    // Deleting only what is not there writes nothing, as a single delete never did.
    s.setMany([['relay:gone:token', undefined]]);
    expect(writes() - writesBefore).toBe(2);
  });

  it('hands out a secret as stored and takes it back verbatim, one this process cannot read included; a batch reads it as the store would', () => {
    new FileSecretStore(t.dir, rot).setMany([
      ['desktop', 'from the keychain'],
      ['plain', 'x'],
    ]);
    const cli = new FileSecretStore(t.dir);
    const kept = cli.stored('desktop')!;
    expect(kept.body).toBe(`v1:keychain:${Buffer.from('from the keychain').toString('base64')}`);
    expect(cli.readStored(kept)).toEqual({ ok: false, reason: expect.stringContaining('keyring') });
    expect(cli.stored('none')).toBeUndefined();
    cli.set('desktop', 'typed over in the CLI');
    const batch = new SecretBatch(cli);
    batch.putBack('desktop', kept);
    batch.putBack('plain', undefined);
    expect([batch.get('desktop'), batch.problem('desktop'), batch.get('plain'), batch.problem('plain')]).toEqual([undefined, expect.stringContaining('keyring'), undefined, undefined]);
    batch.commit();
    expect(JSON.parse(readFileSync(join(t.dir, SECRETS_FILE), 'utf8')).entries).toEqual({ desktop: kept.body });
    expect(new FileSecretStore(t.dir, rot).get('desktop')).toBe('from the keychain');
    const again = new SecretBatch(cli);
    again.putBack('plain', new StoredSecret('v1:file:y'));
    expect([again.get('plain'), again.problem('plain')]).toEqual(['y', undefined]);
  });

  it('says it could not save secrets.json, naming that file and not its temporary one, when the write fails', () => {
    const s = new FileSecretStore(t.dir);
    s.set('k', 'kept');
    // The temporary file's name taken by a directory: the write fails as on a full or read-only disk (tests may run as root).
    mkdirSync(join(t.dir, `${SECRETS_FILE}.tmp-${process.pid}`));
    let err: unknown;
    try {
      s.set('k', 'lost');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    const lead = `Could not save to ${join(t.dir, SECRETS_FILE)}: EISDIR`;
    expect(message.slice(0, lead.length)).toBe(lead);
    expect(message).toContain(`check that Porthole may write to ${t.dir}`);
    expect(message).not.toContain('.tmp-');
    expect(s.get('k')).toBe('kept');
  });

  it('leaves no temporary file with secrets in it when the final rename fails, and keeps the saved file as it was', () => {
    const s = new FileSecretStore(t.dir);
    s.set('k', 'kept');
    const saved = readFileSync(join(t.dir, SECRETS_FILE), 'utf8');
    vi.mocked(renameSync).mockImplementationOnce(() => {
      throw Object.assign(new Error(`EXDEV: cross-device link not permitted, rename '${SECRETS_FILE}.tmp' -> '${SECRETS_FILE}'`), { code: 'EXDEV' });
    });
    expect(() => s.set('k', 'lost')).toThrow(`Could not save to ${join(t.dir, SECRETS_FILE)}: EXDEV`);
    expect(readdirSync(t.dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(readFileSync(join(t.dir, SECRETS_FILE), 'utf8')).toBe(saved);
    expect(s.get('k')).toBe('kept');
  });
});
