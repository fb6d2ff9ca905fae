import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/tmp';
import {
  autostartPath,
  DesktopEntryError,
  desktopEntry,
  execLine,
  quoteExecArg,
  removeAutostartEntry,
  writeAutostartEntry,
} from './autostart';
import { launchedHidden, loginCommand, setStartAtLogin, type LoginItemApp } from './login-item';

/** Undoes the two escaping layers of an Exec value the way a spec-following launcher does. */
function parseExecValue(value: string): string[] {
  const unescaped = value.replace(/\\(.)/g, (_m, c: string) => (c === 's' ? ' ' : c === '\\' ? '\\' : `\\${c}`));
  const args: string[] = [];
  let i = 0;
  while (i < unescaped.length) {
    if (unescaped[i] === ' ') {
      i++;
      continue;
    }
    let arg = '';
    if (unescaped[i] === '"') {
      i++;
      while (unescaped[i] !== '"') {
        if (unescaped[i] === '\\') i++;
        arg += unescaped[i++];
      }
      i++;
    } else {
      while (i < unescaped.length && unescaped[i] !== ' ') arg += unescaped[i++];
    }
    args.push(arg.replaceAll('%%', '%'));
  }
  return args;
}

describe('quoteExecArg', () => {
  it('leaves plain paths alone and doubles % (a field code otherwise)', () => {
    expect(quoteExecArg('/opt/Porthole/porthole')).toBe('/opt/Porthole/porthole');
    expect(quoteExecArg('--hidden')).toBe('--hidden');
    expect(quoteExecArg('/tmp/100%/x')).toBe('/tmp/100%%/x');
  });

  it('quotes spaces and escapes " ` $ \\ inside the quotes', () => {
    expect(quoteExecArg('/home/a b/Porthole.AppImage')).toBe('"/home/a b/Porthole.AppImage"');
    expect(quoteExecArg('/x/"q"')).toBe('"/x/\\"q\\""');
    expect(quoteExecArg('/x/$(rm -rf ~)`id`')).toBe('"/x/\\$(rm -rf ~)\\`id\\`"');
    expect(quoteExecArg('/x/a\\b')).toBe('"/x/a\\\\b"');
    expect(quoteExecArg("/x/it's;&|<>*?#~")).toBe('"/x/it\'s;&|<>*?#~"');
    expect(quoteExecArg('')).toBe('""');
  });

  it('rejects newlines and other control characters', () => {
    for (const bad of ['/x\n/y', '/x\r', '/x\ty', '/x\u0000', '/x\u007f']) {
      expect(() => quoteExecArg(bad)).toThrow(DesktopEntryError);
    }
  });

  it('requires an absolute program path', () => {
    expect(() => execLine('porthole')).toThrow(/absolute/);
  });
});

describe('desktopEntry', () => {
  it('writes the autostart keys and a round-trippable Exec line for hostile paths', () => {
    const exec = '/home/Jo "the $hacker" `x`/a\\b/Port hole 100%.AppImage';
    const text = desktopEntry({ name: 'Porthole', exec, args: ['--hidden'], icon: 'porthole' });
    const lines = text.split('\n');
    expect(lines[0]).toBe('[Desktop Entry]');
    for (const key of ['Type=Application', 'Name=Porthole', 'Terminal=false', 'NoDisplay=false', 'Hidden=false', 'X-GNOME-Autostart-enabled=true', 'Icon=porthole']) {
      expect(lines).toContain(key);
    }
    expect(lines.some((l) => l.startsWith('Comment='))).toBe(true);
    const execValue = lines.find((l) => l.startsWith('Exec='))!.slice('Exec='.length);
    // The spec's own example: a literal backslash in a quoted argument is four backslashes on disk.
    expect(execValue).toContain('a\\\\\\\\b');
    expect(execValue).toContain('\\\\$hacker');
    expect(parseExecValue(execValue)).toEqual([exec, '--hidden']);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('marks a switched-off entry Hidden=true and refuses a multi-line name', () => {
    expect(desktopEntry({ name: 'P', exec: '/p', hidden: true })).toContain('\nHidden=true\n');
    expect(() => desktopEntry({ name: 'P\nExec=/bin/evil', exec: '/p' })).toThrow(DesktopEntryError);
    expect(() => desktopEntry({ name: ' ', exec: '/p' })).toThrow(/empty/);
  });
});

describe('autostartPath', () => {
  it('uses an absolute XDG_CONFIG_HOME, else ~/.config', () => {
    expect(autostartPath({ XDG_CONFIG_HOME: '/cfg' }, '/home/u')).toBe('/cfg/autostart/porthole.desktop');
    expect(autostartPath({}, '/home/u')).toBe('/home/u/.config/autostart/porthole.desktop');
    expect(autostartPath({ XDG_CONFIG_HOME: 'relative' }, '/home/u')).toBe('/home/u/.config/autostart/porthole.desktop');
  });
});

describe('autostart entry on disk', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('writes atomically (no temp file left) and removes idempotently', () => {
    const file = autostartPath({ XDG_CONFIG_HOME: tmp.dir });
    writeAutostartEntry(file, 'first\n');
    writeAutostartEntry(file, 'second\n');
    expect(readFileSync(file, 'utf8')).toBe('second\n');
    expect(readdirSync(join(tmp.dir, 'autostart'))).toEqual(['porthole.desktop']);
    removeAutostartEntry(file);
    removeAutostartEntry(file);
    expect(existsSync(file)).toBe(false);
  });
});

function fakeApp(isPackaged: boolean, wasOpenedAtLogin = false): LoginItemApp & { calls: unknown[] } {
  const calls: unknown[] = [];
  return {
    calls,
    isPackaged,
    getAppPath: () => '/src/porthole',
    setLoginItemSettings: (s) => void calls.push(s),
    getLoginItemSettings: () => ({ wasOpenedAtLogin }) as ReturnType<LoginItemApp['getLoginItemSettings']>,
  };
}

describe('setStartAtLogin', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('on Linux writes then removes the entry under XDG_CONFIG_HOME, preferring the AppImage path', () => {
    const app = fakeApp(true);
    const env = { XDG_CONFIG_HOME: tmp.dir, APPIMAGE: '/home/u/Apps/Porthole 0.1.AppImage' };
    const deps = { app, platform: 'linux' as const, env, execPath: '/tmp/.mount_Port/porthole' };
    setStartAtLogin(true, deps);
    const file = join(tmp.dir, 'autostart', 'porthole.desktop');
    expect(readFileSync(file, 'utf8')).toContain('Exec="/home/u/Apps/Porthole 0.1.AppImage" --hidden\n');
    setStartAtLogin(false, deps);
    expect(existsSync(file)).toBe(false);
    expect(app.calls).toEqual([]);
  });

  it('on Windows registers path and args both ways; on macOS only openAtLogin', () => {
    const app = fakeApp(true);
    setStartAtLogin(true, { app, platform: 'win32', execPath: 'C:\\P\\Porthole.exe', env: { APPIMAGE: '/ignored' } });
    setStartAtLogin(false, { app, platform: 'win32', execPath: 'C:\\P\\Porthole.exe' });
    setStartAtLogin(true, { app, platform: 'darwin' });
    expect(app.calls).toEqual([
      { openAtLogin: true, path: 'C:\\P\\Porthole.exe', args: ['--hidden'] },
      { openAtLogin: false, path: 'C:\\P\\Porthole.exe', args: ['--hidden'] },
      { openAtLogin: true },
    ]);
  });

  it('passes the app directory first when unpackaged', () => {
    expect(loginCommand({ app: fakeApp(false), platform: 'linux', env: {}, execPath: '/e/electron' })).toEqual({
      exec: '/e/electron',
      args: ['/src/porthole', '--hidden'],
    });
  });

  it('knows a hidden launch from --hidden, or from the macOS login item', () => {
    expect(launchedHidden(['x', '--hidden'], { app: fakeApp(true), platform: 'linux' })).toBe(true);
    expect(launchedHidden(['x'], { app: fakeApp(true, true), platform: 'linux' })).toBe(false);
    expect(launchedHidden(['x'], { app: fakeApp(true, true), platform: 'darwin' })).toBe(true);
  });
});
