import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../headless/run-cli';
import { tmpWriter } from '../../test-support/relay-import-helpers';
import { readImportText } from './import-bundle';
import { ProfileError } from './profile-error';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('profile errors belong to the profiles layer', () => {
  it('no profile reader imports from the CLI (headless/)', () => {
    const offenders = readdirSync(here)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .filter((f) => /from '\.\.\/headless\//.test(readFileSync(path.join(here, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('readers throw ProfileError naming the file and line', () => {
    expect(() => readImportText('[client]\nremote_addr = 5\n', 'c.toml')).toThrow(ProfileError);
    expect(() => readImportText('LocalForward 80\n', 'config')).toThrow(/^config:1: /);
  });

  it('the CLI maps a ProfileError to exit 2 with the message on stderr', async () => {
    const write = tmpWriter('porthole-profile-error-');
    const f = write('[client]\nremote_addr = 5\n', 'client.toml');
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await runCli(['import', f, '--dry-run'])).toBe(2);
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toContain(`${f}:1: client.remote_addr`);
    } finally {
      err.mockRestore();
      out.mockRestore();
    }
  });
});
