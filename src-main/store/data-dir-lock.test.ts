import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/tmp';
import { DataDirLockedError, LOCK_FILE, acquireDataDirLock } from './data-dir-lock';
import { defaultDataDir, resolveDataDir } from './data-dir';

describe('data dir lock', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());

  it('refuses a second holder while the first lives, naming its pid and command', async () => {
    // A real other process holds the lock file (its pid is alive).
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(t.dir, LOCK_FILE), JSON.stringify({ pid: child.pid, command: 'porthole ui', startedAt: Date.now() }));
      let err: unknown;
      try {
        acquireDataDirLock(t.dir, 'porthole run');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DataDirLockedError);
      expect((err as Error).message).toContain(`pid ${child.pid}`);
      expect((err as Error).message).toContain('porthole ui');
    } finally {
      child.kill();
    }
  });

  it('takes over a stale lock whose process is gone, and releases only its own lock', async () => {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((r) => child.on('exit', r));
    writeFileSync(join(t.dir, LOCK_FILE), JSON.stringify({ pid: child.pid, command: 'old', startedAt: 0 }));
    const lock = acquireDataDirLock(t.dir, 'porthole run');
    expect(JSON.parse(readFileSync(lock.path, 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it('creates a data dir that does not exist yet', () => {
    const lock = acquireDataDirLock(join(t.dir, 'new', 'nested'), 'x');
    expect(existsSync(lock.path)).toBe(true);
    lock.release();
  });

  it('takes over an unreadable lock file', () => {
    writeFileSync(join(t.dir, LOCK_FILE), 'garbage');
    const lock = acquireDataDirLock(t.dir, 'x');
    lock.release();
  });

  it('resolves --data-dir over PORTHOLE_DATA_DIR over the desktop default', () => {
    expect(resolveDataDir('/a', { PORTHOLE_DATA_DIR: '/b' })).toBe('/a');
    expect(resolveDataDir(undefined, { PORTHOLE_DATA_DIR: '/b' })).toBe('/b');
    expect(defaultDataDir({ HOME: '/home/u' }, 'linux')).toBe('/home/u/.config/Porthole');
    expect(defaultDataDir({ HOME: '/home/u', XDG_CONFIG_HOME: '/x' }, 'linux')).toBe('/x/Porthole');
    expect(defaultDataDir({ HOME: '/Users/u' }, 'darwin')).toBe('/Users/u/Library/Application Support/Porthole');
    expect(defaultDataDir({ APPDATA: 'C:\\AppData' }, 'win32')).toMatch(/Porthole$/);
  });
});
