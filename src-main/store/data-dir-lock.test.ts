import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/tmp';
import { DataDirLockedError, LOCK_FILE, acquireDataDirLock, holderRunning } from './data-dir-lock';
import { defaultDataDir, resolveDataDir } from './data-dir';
import { parseProcStatStart, parseTasklistImage, processIdentity } from './process-identity';

/** A live process that is not a Porthole (its pid plays a pid the OS gave out again). */
function sleeper() {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const exited = new Promise((r) => child.once('exit', r));
  return { pid: child.pid!, stop: async () => (child.kill(), await exited) };
}

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

  it('takes over a lock whose pid now belongs to another process (pid reused after a reboot or crash)', async () => {
    const other = sleeper();
    try {
      const real = processIdentity(other.pid);
      expect(real).toBeDefined();
      // Same pid, alive, but not the process that wrote the lock: it started at another time.
      writeFileSync(join(t.dir, LOCK_FILE), JSON.stringify({ pid: other.pid, command: 'porthole (desktop app)', startedAt: 1, identity: `${real}0` }));
      const lock = acquireDataDirLock(t.dir, 'porthole ui');
      const written = JSON.parse(readFileSync(lock.path, 'utf8'));
      expect(written.pid).toBe(process.pid);
      expect(written.identity).toBe(processIdentity(process.pid));
      lock.release();
    } finally {
      await other.stop();
    }
  });

  it('still refuses when the recorded identity matches the live process', async () => {
    const other = sleeper();
    try {
      writeFileSync(join(t.dir, LOCK_FILE), JSON.stringify({ pid: other.pid, command: 'porthole ui', startedAt: 1, identity: processIdentity(other.pid) }));
      expect(() => acquireDataDirLock(t.dir, 'porthole run')).toThrow(DataDirLockedError);
    } finally {
      await other.stop();
    }
  });

  it('trusts the pid alone when the identity cannot be read now, or the lock predates identities', () => {
    const holder = { pid: process.pid, command: 'x', startedAt: 0 };
    expect(holderRunning(holder)).toBe(true);
    expect(holderRunning({ ...holder, identity: 'a' }, () => undefined)).toBe(true);
    expect(holderRunning({ ...holder, identity: 'a' }, () => 'b')).toBe(false);
    expect(holderRunning({ ...holder, identity: 'a' }, () => 'a')).toBe(true);
  });

  it('reads the start time from /proc/PID/stat even when the command holds spaces and parentheses', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3)).join(' ');
    // Fields 3.. follow the command; starttime (field 22) is then "22".
    expect(parseProcStatStart(`4242 (evil ) (name) ${fields}`)).toBe('22');
    expect(parseProcStatStart('garbage')).toBeUndefined();
    expect(parseTasklistImage('"Porthole.exe","4242","Console","1","80,000 K"\r\n', 4242)).toBe('porthole.exe');
    expect(parseTasklistImage('INFO: No tasks are running which match the specified criteria.', 4242)).toBeUndefined();
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
