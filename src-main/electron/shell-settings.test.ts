import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/tmp';
import { DEFAULT_SHELL_SETTINGS, loadShellSettings, parseShellSettings, saveShellSettings, SHELL_SETTINGS_FILE } from './shell-settings';

describe('parseShellSettings', () => {
  it('defaults to notifications on, everything else off', () => {
    expect(DEFAULT_SHELL_SETTINGS).toEqual({ startAtLogin: false, startHidden: false, notifications: true, secretsMemoryOnly: false });
    expect(parseShellSettings(undefined)).toEqual(DEFAULT_SHELL_SETTINGS);
  });

  it('keeps valid fields and replaces invalid ones with their default', () => {
    expect(parseShellSettings({ startAtLogin: true, notifications: 'no', extra: 1 })).toEqual({ ...DEFAULT_SHELL_SETTINGS, startAtLogin: true });
    expect(parseShellSettings([true, false])).toEqual(DEFAULT_SHELL_SETTINGS);
    expect(parseShellSettings({ startAtLogin: 1, notifications: false })).toEqual({ ...DEFAULT_SHELL_SETTINGS, notifications: false });
    expect(parseShellSettings({ startHidden: true, secretsMemoryOnly: 'yes' })).toEqual({ ...DEFAULT_SHELL_SETTINGS, startHidden: true });
  });
});

describe('shell settings file', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('round-trips, leaving no temp file behind', () => {
    const all = { startAtLogin: true, startHidden: true, notifications: false, secretsMemoryOnly: true };
    saveShellSettings(tmp.dir, all);
    expect(loadShellSettings(tmp.dir)).toEqual(all);
    expect(readdirSync(tmp.dir)).toEqual([SHELL_SETTINGS_FILE]);
  });

  it('falls back to the defaults for a missing or corrupt file', () => {
    expect(loadShellSettings(tmp.dir)).toEqual(DEFAULT_SHELL_SETTINGS);
    writeFileSync(join(tmp.dir, SHELL_SETTINGS_FILE), '{"startAtLogin": tru');
    expect(loadShellSettings(tmp.dir)).toEqual(DEFAULT_SHELL_SETTINGS);
  });

  it('writes only the known fields', () => {
    saveShellSettings(tmp.dir, { ...DEFAULT_SHELL_SETTINGS, sneaky: 'x' } as never);
    expect(JSON.parse(readFileSync(join(tmp.dir, SHELL_SETTINGS_FILE), 'utf8'))).toEqual(DEFAULT_SHELL_SETTINGS);
  });
});
