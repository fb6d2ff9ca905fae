import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '../../test-support/tmp';
import { decideStart, parseNameHasOwner, probeTrayHost } from './tray-host';
import { LOG_WORDS } from '../../src-shared/model/log-text';

const haveDbus = spawnSync('dbus-daemon', ['--version']).status === 0 && spawnSync('gdbus', ['help']).error === undefined;
if (!haveDbus) console.warn('SKIPPED: the tray-host probe against a real bus (install dbus-daemon and gdbus: apt install dbus libglib2.0-bin)');

describe('parseNameHasOwner', () => {
  it('reads gdbus and dbus-send answers', () => {
    expect(parseNameHasOwner('(true,)\n')).toBe(true);
    expect(parseNameHasOwner('(false,)\n')).toBe(false);
    expect(parseNameHasOwner('method return time=1 sender=org.freedesktop.DBus -> destination=:1.1 serial=3 reply_serial=2\n   boolean true\n')).toBe(true);
    expect(parseNameHasOwner('   boolean false\n')).toBe(false);
    expect(parseNameHasOwner('Error: something')).toBeUndefined();
  });
});

describe('decideStart', () => {
  it('starts hidden only where a tray host is confirmed', () => {
    expect(decideStart({ startHidden: true, trayHost: 'present', trayCreated: true })).toEqual({ hidden: true, onClose: 'hide' });
    const gnome = decideStart({ startHidden: true, trayHost: 'absent', trayCreated: true });
    expect(gnome).toMatchObject({ hidden: false, onClose: 'minimize', note: [expect.stringContaining('AppIndicator'), { key: 'shownAtStart' }] });
    // The reason is one of the host's phrases: a Chinese window shows it in Chinese (issue 18).
    expect(gnome.note?.[1].fields.why).toBe(LOG_WORDS.noTrayHost);
    expect(decideStart({ startHidden: true, trayHost: 'unknown', trayCreated: true })).toMatchObject({ hidden: false, onClose: 'hide', note: [expect.stringContaining('could not tell'), { key: 'shownAtStart', fields: { why: LOG_WORDS.trayHostUnknown } }] });
    expect(decideStart({ startHidden: true, trayHost: 'present', trayCreated: false })).toMatchObject({ hidden: false, onClose: 'minimize' });
    expect(decideStart({ startHidden: false, trayHost: 'absent', trayCreated: true })).toEqual({ hidden: false, onClose: 'minimize' });
  });

  it('Windows and macOS always have a tray', async () => {
    expect(await probeTrayHost({ platform: 'win32' })).toBe('present');
    expect(await probeTrayHost({ platform: 'darwin' })).toBe('present');
  });
});

describe.skipIf(!haveDbus)('probeTrayHost against a private session bus', () => {
  let t: ReturnType<typeof tempDir>;
  let bus: ChildProcess;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    t = tempDir();
    const socket = join(t.dir, 'bus');
    bus = spawn('dbus-daemon', ['--session', '--nofork', `--address=unix:path=${socket}`], { stdio: 'ignore' });
    await waitFor(() => existsSync(socket), 'the private dbus-daemon socket');
    env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${socket}` };
  });
  afterAll(async () => {
    const exited = new Promise((r) => bus.once('exit', r));
    bus.kill();
    await exited;
    t.cleanup();
  });

  it('says absent when nobody owns the StatusNotifierWatcher (stock GNOME)', async () => {
    expect(await probeTrayHost({ platform: 'linux', env })).toBe('absent');
  });

  it('says present when the name has an owner (the bus itself stands in for a watcher)', async () => {
    expect(await probeTrayHost({ platform: 'linux', env, name: 'org.freedesktop.DBus' })).toBe('present');
  });

  it('falls back to dbus-send when gdbus is not installed', async () => {
    const noGdbus = (command: string, args: string[], e: NodeJS.ProcessEnv) =>
      command === 'gdbus'
        ? Promise.reject(Object.assign(new Error('spawn gdbus ENOENT'), { code: 'ENOENT' }))
        : new Promise<string>((resolve, reject) => {
            const r = spawnSync(command, args, { env: e, encoding: 'utf8' });
            if (r.status === 0) resolve(r.stdout);
            else reject(new Error(r.stderr));
          });
    expect(await probeTrayHost({ platform: 'linux', env, run: noGdbus })).toBe('absent');
  });

  it('cannot tell without a session bus', async () => {
    expect(await probeTrayHost({ platform: 'linux', env: { ...env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(t.dir, 'nobus')}` } })).toBe('unknown');
  });
});
