import type { MenuItemConstructorOptions } from 'electron';

// The application menu. Without one, Electron installs its default menu — File/Edit/View (Reload,
// Force Reload, Toggle Developer Tools)/Window/Help — and shows it as a menu bar in the packaged app
// on Windows and Linux. Porthole needs none there (the window has its own controls; copy and paste
// in text fields work without a menu on those platforms), so the menu is removed. macOS always has a
// menu bar, and without an Edit menu Cmd+C/V/X/A do nothing in text fields, so it gets the standard
// app, Edit and Window menus. Development builds keep Reload and the developer tools.
// Only a type from electron: unit-tested in plain Node; main.ts builds the Menu.

const devTools: MenuItemConstructorOptions = {
  label: 'Develop',
  submenu: [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }],
};

/** null: no application menu (and no menu bar) at all. */
export function appMenuTemplate(platform: NodeJS.Platform, isPackaged: boolean): MenuItemConstructorOptions[] | null {
  if (platform === 'darwin') {
    return [{ role: 'appMenu' }, { role: 'editMenu' }, { role: 'windowMenu' }, ...(isPackaged ? [] : [devTools])];
  }
  return isPackaged ? null : [devTools];
}

/** Every role in a template, submenus included (tests and the Electron e2e project read this). */
export function menuRoles(template: readonly MenuItemConstructorOptions[] | null): string[] {
  if (!template) return [];
  return template.flatMap((item) => [
    ...(item.role ? [item.role] : []),
    ...(Array.isArray(item.submenu) ? menuRoles(item.submenu) : []),
  ]);
}
