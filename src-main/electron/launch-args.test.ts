import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyArg, classifyLaunchArgs, classifyPath, classifyPaths, MAX_LAUNCH_ITEMS, shownArg } from './launch-args';
import type { LaunchItem } from './launch-args';

const link = 'porthole://import?url=https%3A%2F%2Fa.example%2Fp.yaml';
const reason = (item: LaunchItem | undefined): string => (item?.kind === 'refused' ? item.reason : `not refused: ${JSON.stringify(item)}`);

describe('classifyLaunchArgs', () => {
  it('takes links and paths, skipping the executable, the app path and every flag', () => {
    const argv = ['/opt/Porthole/porthole', '--no-sandbox', '--hidden', link, '/home/u/frpc.toml'];
    expect(classifyLaunchArgs(argv, { skip: 1, platform: 'linux' })).toEqual([
      { kind: 'link', link },
      { kind: 'file', path: '/home/u/frpc.toml' },
    ]);
    // Unpackaged: `electron . <args>` — the app path is Electron's too, even behind flags.
    expect(classifyLaunchArgs(['/x/electron', '.', '/p.yaml'], { skip: 1, appArg: true, platform: 'linux' })).toEqual([
      { kind: 'file', path: '/p.yaml' },
    ]);
    expect(
      classifyLaunchArgs(['/x/electron', '--inspect=0', '--remote-debugging-port=0', '.'], { skip: 1, appArg: true, cwd: '/w', platform: 'linux' }),
    ).toEqual([]);
  });

  it('never treats the value of --data-dir as a file, and never acts on flags a link smuggled in', () => {
    const argv = ['C:\\P\\Porthole.exe', '--allow-file-access-from-files', '--data-dir', 'C:\\data', '--gpu-launcher=calc.exe', link];
    expect(classifyLaunchArgs(argv, { skip: 1, platform: 'win32' })).toEqual([{ kind: 'link', link }]);
  });

  it('resolves relative paths against the launch directory, and refuses them without one', () => {
    expect(classifyLaunchArgs(['exe', 'conf/../p.yaml'], { skip: 1, cwd: '/home/u', platform: 'linux' })).toEqual([
      { kind: 'file', path: '/home/u/p.yaml' },
    ]);
    expect(reason(classifyLaunchArgs(['exe', 'p.yaml'], { skip: 1, platform: 'linux' })[0])).toMatch(/relative path/);
    expect(reason(classifyLaunchArgs(['exe', 'p.yaml'], { skip: 1, cwd: 'relative/dir', platform: 'linux' })[0])).toMatch(/relative path/);
  });

  it('takes everything after -- as positional, drops duplicates and caps the count', () => {
    expect(classifyLaunchArgs(['exe', '--', '-weird.yaml'], { skip: 1, cwd: '/d', platform: 'linux' })).toEqual([
      { kind: 'file', path: '/d/-weird.yaml' },
    ]);
    expect(classifyLaunchArgs(['exe', '/a', '/a', link, link], { skip: 1, platform: 'linux' })).toHaveLength(2);
    const many = Array.from({ length: MAX_LAUNCH_ITEMS + 5 }, (_, i) => `/p${i}.yaml`);
    const items = classifyLaunchArgs(['exe', ...many], { skip: 1, platform: 'linux' });
    expect(items).toHaveLength(MAX_LAUNCH_ITEMS + 1);
    expect(items.at(-1)).toEqual({ kind: 'refused', shown: '5 more', reason: `at most ${MAX_LAUNCH_ITEMS} files and links at once` });
  });

  it('ignores argv entries that are not strings', () => {
    expect(classifyLaunchArgs(['exe', 42, null, { toString: () => '/x' }], { skip: 1, platform: 'linux' })).toEqual([]);
  });
});

describe('classifyArg (hostile input)', () => {
  it('refuses other schemes: javascript:, http(s):, data:, smb:', () => {
    for (const raw of ['javascript:alert(1)', 'https://a.example/p.yaml', 'data:text/plain,x', 'smb://host/share/p.yaml', 'JAVASCRIPT:x']) {
      expect(reason(classifyArg(raw, { platform: 'linux' }))).toMatch(/neither a file nor a porthole:\/\/ link/);
    }
  });

  it('takes a porthole: link whatever its case (the link parser judges it later)', () => {
    expect(classifyArg('PORTHOLE://import?profile=eA', { platform: 'linux' })).toEqual({ kind: 'link', link: 'PORTHOLE://import?profile=eA' });
  });

  it('takes a local file:// URL as its path, refuses one on another host', () => {
    if (process.platform === 'win32') return;
    expect(classifyArg(pathToFileURL('/home/u/my profile.yaml').href, { platform: process.platform })).toEqual({
      kind: 'file',
      path: '/home/u/my profile.yaml',
    });
    expect(reason(classifyArg('file://evil.example/etc/passwd', { platform: process.platform }))).toMatch(/another host/);
    expect(reason(classifyArg('file:///tmp/a%00b', { platform: process.platform }))).toMatch(/control characters|not a valid/);
  });

  it('reads C:\\ as a Windows drive, not a scheme, and refuses UNC paths there', () => {
    expect(classifyArg('C:\\Users\\u\\p.yaml', { platform: 'win32' })).toEqual({ kind: 'file', path: 'C:\\Users\\u\\p.yaml' });
    expect(reason(classifyArg('\\\\attacker\\share\\p.yaml', { platform: 'win32' }))).toMatch(/UNC/);
    expect(reason(classifyArg('//attacker/share/p.yaml', { platform: 'win32' }))).toMatch(/UNC/);
  });

  it('refuses control characters, empty and overlong arguments without throwing', () => {
    expect(reason(classifyPath('/tmp/a\nb', { platform: 'linux' }))).toMatch(/control characters/);
    expect(reason(classifyPath('/tmp/\u0000', { platform: 'linux' }))).toMatch(/control characters/);
    expect(reason(classifyPath('', { platform: 'linux' }))).toMatch(/empty/);
    expect(reason(classifyArg(`/${'a'.repeat(400_000)}`, { platform: 'linux' }))).toMatch(/too long/);
    expect(reason(classifyPath(`/${'a'.repeat(40_000)}`, { platform: 'linux' }))).toMatch(/too long/);
  });

  it('keeps a directory as a path: the safe reader refuses it with its name (import-intake tests)', () => {
    expect(classifyArg('/etc/', { platform: 'linux' })).toEqual({ kind: 'file', path: '/etc/' });
  });
});

describe('classifyPaths', () => {
  it('checks OS-given paths like argv paths, de-duplicated and capped', () => {
    expect(classifyPaths(['/a.yaml', '/a.yaml', 'rel.yaml', 7], { platform: 'linux' })).toEqual([
      { kind: 'file', path: '/a.yaml' },
      { kind: 'refused', shown: 'rel.yaml', reason: 'a relative path, and the launch gave no working directory' },
    ]);
    const many = Array.from({ length: MAX_LAUNCH_ITEMS + 2 }, (_, i) => `/p${i}`);
    expect(classifyPaths(many, { platform: 'linux' }).at(-1)).toMatchObject({ kind: 'refused', shown: '2 more' });
  });
});

describe('shownArg', () => {
  it('makes control characters visible and cuts long text', () => {
    expect(shownArg('a\u001b[31mb\nc')).toBe('a?[31mb?c');
    expect(shownArg('x'.repeat(500))).toHaveLength(118);
  });
});
