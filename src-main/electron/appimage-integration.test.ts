import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/tmp';
import { APPIMAGE_DESKTOP_FILE, appImageDesktopEntry, applicationsDir, planAppImageEntry, registerAppImageHandler } from './appimage-integration';

describe('AppImage porthole:// registration', () => {
  let t: ReturnType<typeof tempDir>;
  let ran: Array<[string, string[]]>;
  let logs: string[];
  beforeEach(() => {
    t = tempDir();
    ran = [];
    logs = [];
  });
  afterEach(() => t.cleanup());

  const deps = (env: NodeJS.ProcessEnv, run: (c: string, a: string[]) => Promise<void> = async () => {}) => ({
    env,
    home: join(t.dir, 'home'),
    run: async (c: string, a: string[]) => {
      ran.push([c, a]);
      await run(c, a);
    },
    log: (level: string, m: string) => void logs.push(`${level}: ${m}`),
  });

  it('puts the entry in $XDG_DATA_HOME/applications, or ~/.local/share/applications when it is unset or relative', () => {
    expect(applicationsDir({ XDG_DATA_HOME: '/x/data' }, '/home/u')).toBe('/x/data/applications');
    expect(applicationsDir({}, '/home/u')).toBe('/home/u/.local/share/applications');
    expect(applicationsDir({ XDG_DATA_HOME: 'rel' }, '/home/u')).toBe('/home/u/.local/share/applications');
  });

  it('registers the scheme with the AppImage path quoted and %U left a field code', () => {
    const text = appImageDesktopEntry('/home/u/My Apps/Porthole-1.0.AppImage');
    expect(text).toContain('\nExec="/home/u/My Apps/Porthole-1.0.AppImage" %U\n');
    expect(text).toContain('\nMimeType=x-scheme-handler/porthole;\n');
    expect(text).toContain('\nNoDisplay=true\n');
    expect(appImageDesktopEntry('/opt/100%.AppImage')).toContain('Exec=/opt/100%%.AppImage %U');
    expect(() => appImageDesktopEntry('Porthole.AppImage')).toThrow(/absolute/);
  });

  it('rewrites only its own entry, and only when the AppImage moved', () => {
    const ours = appImageDesktopEntry('/a/Porthole.AppImage');
    expect(planAppImageEntry('/a/Porthole.AppImage', undefined)).toEqual({ action: 'write', text: ours });
    expect(planAppImageEntry('/a/Porthole.AppImage', ours)).toEqual({ action: 'keep' });
    expect(planAppImageEntry('/b/Porthole.AppImage', ours)).toEqual({ action: 'write', text: appImageDesktopEntry('/b/Porthole.AppImage') });
    expect(planAppImageEntry('/a/Porthole.AppImage', '[Desktop Entry]\nName=mine\n')).toEqual({ action: 'foreign' });
  });

  it('does nothing outside an AppImage', async () => {
    expect(await registerAppImageHandler(deps({}))).toBe('not-appimage');
    expect(ran).toEqual([]);
  });

  it('writes the entry, makes it the handler, refreshes the cache; a second start changes nothing', async () => {
    const env = { APPIMAGE: '/opt/Porthole.AppImage', XDG_DATA_HOME: join(t.dir, 'data') };
    expect(await registerAppImageHandler(deps(env))).toBe('registered');
    const dir = join(t.dir, 'data', 'applications');
    expect(readFileSync(join(dir, APPIMAGE_DESKTOP_FILE), 'utf8')).toBe(appImageDesktopEntry('/opt/Porthole.AppImage'));
    expect(ran).toEqual([
      ['xdg-mime', ['default', APPIMAGE_DESKTOP_FILE, 'x-scheme-handler/porthole']],
      ['update-desktop-database', [dir]],
    ]);
    ran = [];
    expect(await registerAppImageHandler(deps(env))).toBe('unchanged');
    expect(ran).toEqual([]);
  });

  it('skips desktop tools that are not installed, and says so when one fails', async () => {
    const env = { APPIMAGE: '/opt/Porthole.AppImage' };
    const missing = async () => {
      throw Object.assign(new Error('spawn xdg-mime ENOENT'), { code: 'ENOENT' });
    };
    expect(await registerAppImageHandler(deps(env, missing))).toBe('registered');
    writeFileSync(join(t.dir, 'home', '.local', 'share', 'applications', APPIMAGE_DESKTOP_FILE), 'stale\nX-Porthole-AppImage=true\n');
    const broken = async () => {
      throw new Error('exit code 3');
    };
    expect(await registerAppImageHandler(deps(env, broken))).toBe('failed');
    expect(logs.at(-1)).toMatch(/^warn: Registering the AppImage for porthole:\/\/ links: xdg-mime failed \(exit code 3\); porthole:\/\/ links will not open Porthole/);
  });

  it("leaves a file of the same name that Porthole did not write", async () => {
    const dir = join(t.dir, 'home', '.local', 'share', 'applications');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, APPIMAGE_DESKTOP_FILE), '[Desktop Entry]\nName=hand-made\n');
    expect(await registerAppImageHandler(deps({ APPIMAGE: '/opt/Porthole.AppImage' }))).toBe('foreign');
    expect(readFileSync(join(dir, APPIMAGE_DESKTOP_FILE), 'utf8')).toBe('[Desktop Entry]\nName=hand-made\n');
    expect(ran).toEqual([]);
  });
});
