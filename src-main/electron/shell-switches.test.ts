import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/tmp';
import { loadShellSettings, saveShellSettings } from './shell-settings';
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
    expect(sw.get()).toEqual({ startAtLogin: false, notifications: true });
    sw.set('startAtLogin', true);
    sw.set('notifications', false);
    expect(applied).toEqual([true]);
    expect(loadShellSettings(tmp.dir)).toEqual({ startAtLogin: true, notifications: false });
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
    saveShellSettings(tmp.dir, { startAtLogin: true, notifications: true });
    const applied: boolean[] = [];
    createShellSwitches({ dataDir: tmp.dir, setStartAtLogin: (v) => void applied.push(v), reconcile: false });
    expect(applied).toEqual([]);
    createShellSwitches({ dataDir: tmp.dir, setStartAtLogin: (v) => void applied.push(v), reconcile: true });
    expect(applied).toEqual([true]);
  });
});
