import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/tmp';
import { DEFAULT_SHELL_SETTINGS, loadShellSettings, saveShellSettings } from './shell-settings';
import { createShellSwitches } from './shell-switches';

describe('createShellSwitches', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('applies and remembers start at login, and remembers notifications', () => {
    const applied: boolean[] = [];
    const sw = createShellSwitches({ dataDir: tmp.dir, setStartAtLogin: (v) => void applied.push(v), reconcile: false });
    expect(sw.get()).toEqual(DEFAULT_SHELL_SETTINGS);
    sw.set('startAtLogin', true);
    sw.set('notifications', false);
    expect(applied).toEqual([true]);
    expect(loadShellSettings(tmp.dir)).toEqual({ ...DEFAULT_SHELL_SETTINGS, startAtLogin: true, notifications: false });
  });

  it('keeps the old value and reports when the OS refuses', () => {
    const errors: string[] = [];
    const sw = createShellSwitches({
      dataDir: tmp.dir,
      setStartAtLogin: () => {
        throw new Error('EACCES');
      },
      reconcile: false,
      onError: (m) => errors.push(m),
    });
    sw.set('startAtLogin', true);
    expect(sw.get().startAtLogin).toBe(false);
    expect(errors).toEqual(['Could not turn start at login on: EACCES']);
  });

  it('renews a remembered login entry at start only when asked to reconcile', () => {
    saveShellSettings(tmp.dir, { ...DEFAULT_SHELL_SETTINGS, startAtLogin: true });
    const applied: boolean[] = [];
    createShellSwitches({ dataDir: tmp.dir, setStartAtLogin: (v) => void applied.push(v), reconcile: false });
    expect(applied).toEqual([]);
    createShellSwitches({ dataDir: tmp.dir, setStartAtLogin: (v) => void applied.push(v), reconcile: true });
    expect(applied).toEqual([true]);
  });

  it('tells onChange about a change after it was applied, and not about a refused one', () => {
    const changes: string[] = [];
    let refuse = false;
    const sw = createShellSwitches({
      dataDir: tmp.dir,
      setStartAtLogin: () => {
        if (refuse) throw new Error('EACCES');
      },
      reconcile: false,
      onChange: (key, value) => changes.push(`${key}=${value}`),
    });
    sw.set('secretsMemoryOnly', true);
    sw.set('secretsMemoryOnly', true);
    sw.set('startHidden', true);
    refuse = true;
    sw.set('startAtLogin', true);
    expect(changes).toEqual(['secretsMemoryOnly=true', 'startHidden=true']);
    expect(loadShellSettings(tmp.dir)).toMatchObject({ secretsMemoryOnly: true, startHidden: true, startAtLogin: false });
  });

  it('apply() throws on a refusal and changes nothing, for the settings API to report', () => {
    const sw = createShellSwitches({
      dataDir: tmp.dir,
      setStartAtLogin: () => {
        throw new Error('EROFS');
      },
      reconcile: false,
    });
    expect(() => sw.apply('startAtLogin', true)).toThrow('Could not turn start at login on: EROFS');
    expect(sw.get().startAtLogin).toBe(false);
    sw.apply('notifications', false);
    expect(loadShellSettings(tmp.dir).notifications).toBe(false);
  });
});
