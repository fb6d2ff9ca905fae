import { describe, expect, it } from 'vitest';
import { appMenuTemplate, menuRoles } from './app-menu';

describe('appMenuTemplate', () => {
  it('packaged Windows and Linux get no menu at all (no Reload, no developer tools, no menu bar)', () => {
    expect(appMenuTemplate('win32', true)).toBeNull();
    expect(appMenuTemplate('linux', true)).toBeNull();
  });

  it('packaged macOS gets the app, Edit and Window menus (Cmd+C/V need Edit) and no developer tools', () => {
    const roles = menuRoles(appMenuTemplate('darwin', true));
    expect(roles).toEqual(['appMenu', 'editMenu', 'windowMenu']);
  });

  it('development builds keep Reload and the developer tools everywhere', () => {
    for (const platform of ['win32', 'linux', 'darwin'] as const) {
      expect(menuRoles(appMenuTemplate(platform, false))).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
    }
  });
});
