import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/tmp';
import { replaceFile } from './replace-file';

describe('replaceFile', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());

  it('replaces the file with the text, with the mode asked for, and leaves nothing beside it', () => {
    const file = join(t.dir, 'key.pem');
    writeFileSync(file, 'old', { mode: 0o644 });
    replaceFile(file, 'new', 0o600);
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(t.dir)).toEqual(['key.pem']);
  });

  it('removes its temporary file when the rename fails, and leaves what was there', () => {
    // A directory where the file should go: the rename fails (EISDIR), as root too.
    const file = join(t.dir, 'secrets.json');
    mkdirSync(file);
    writeFileSync(join(file, 'inside'), 'x');
    expect(() => replaceFile(file, 'secret', 0o600)).toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(readdirSync(t.dir)).toEqual(['secrets.json']);
    expect(readdirSync(file)).toEqual(['inside']);
  });

  it('does not remove a directory that stands where its temporary file would go', () => {
    const file = join(t.dir, 'pins');
    const tmp = `${file}.tmp-${process.pid}`;
    mkdirSync(tmp);
    expect(() => replaceFile(file, 'a b', 0o600)).toThrow(/EISDIR/);
    expect(statSync(tmp).isDirectory()).toBe(true);
  });
});
