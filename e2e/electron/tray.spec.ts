import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, expect, test } from '@playwright/test';
import type { ElectronApplication, Page } from '@playwright/test';
import { METHOD_NAMES } from '../../src-shared/api/channels';
import type { PreloadBridge } from '../../src-shared/api/contract';
import { freePort } from '../support/host';
import { findElectronBinary, hasDisplay } from './electron-binary';

// The desktop shell end to end: the built app (out/) in a real Electron, against a throwaway data dir.
// Runs only where an Electron binary is installed; elsewhere it skips and says so loudly.

const electron = findElectronBinary();
const skipReason = !electron.ok
  ? 'No Electron binary installed — the Electron e2e project was skipped (install one where the network allows: npx install-electron)'
  : !hasDisplay()
    ? 'No display for Electron (DISPLAY/WAYLAND_DISPLAY unset) — the Electron e2e project was skipped (run it under xvfb-run)'
    : undefined;
if (skipReason) console.log(`SKIPPED: ${skipReason}`);
test.skip(skipReason !== undefined, skipReason);

/** The page's `window.porthole` (this file is type-checked without DOM types). */
type PageGlobals = { porthole?: PreloadBridge; require?: unknown; ipcRenderer?: unknown; previews?: unknown[] };

/**
 * What main.ts puts on globalThis when PORTHOLE_E2E_HOOKS=1 in an unpackaged run: the tray
 * controller (its last Menu, and what the icon shows). Structural, so this file needs no electron types.
 */
interface MenuItemLike {
  label: string;
  type: string;
  checked: boolean;
  enabled: boolean;
  click: () => void;
  submenu?: { items: MenuItemLike[] } | null;
}
interface E2EHooks {
  tray?: { currentMenu(): { items: MenuItemLike[] } | undefined; snapshot(): { icon: string; tooltip: string; title: string } };
}
type MainGlobals = { __portholeE2E?: E2EHooks };

let app: ElectronApplication | undefined;
let dataDir: string;

async function launch(): Promise<{ app: ElectronApplication; page: Page }> {
  if (!electron.ok) throw new Error('unreachable: skipped above');
  const launched = await _electron.launch({
    executablePath: electron.path,
    // '.' (not out/main/electron-main.js) so Electron reads package.json: name, version, `main`.
    args: ['.'],
    // These tests assume a tray (closing hides to it), whatever the session bus here says (tray-host.ts).
    env: { ...process.env, PORTHOLE_DATA_DIR: dataDir, ELECTRON_RENDERER_URL: '', PORTHOLE_E2E_HOOKS: '1', PORTHOLE_E2E_TRAY_HOST: 'present' },
  });
  app = launched;
  const page = await launched.firstWindow();
  return { app: launched, page };
}

async function windowVisible(electronApp: ElectronApplication): Promise<boolean> {
  return electronApp.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.isVisible() ?? false);
}

/** Labels of the tray menu, submenus flattened as "Group › item". */
async function trayLabels(electronApp: ElectronApplication): Promise<string[]> {
  return electronApp.evaluate(() => {
    const walk = (items: MenuItemLike[], prefix: string): string[] =>
      items.flatMap((i) => [`${prefix}${i.label}`, ...(i.submenu ? walk(i.submenu.items, `${prefix}${i.label} › `) : [])]);
    const menu = (globalThis as MainGlobals).__portholeE2E?.tray?.currentMenu();
    return menu ? walk(menu.items, '') : [];
  });
}

/** Clicks the first tray item whose label starts with `prefix` (searching submenus too). */
async function clickTray(electronApp: ElectronApplication, prefix: string): Promise<void> {
  await electronApp.evaluate((_electron, wanted) => {
    const find = (items: MenuItemLike[]): MenuItemLike | undefined => {
      for (const i of items) {
        if (i.label.startsWith(wanted)) return i;
        const inner = i.submenu ? find(i.submenu.items) : undefined;
        if (inner) return inner;
      }
      return undefined;
    };
    const menu = (globalThis as MainGlobals).__portholeE2E?.tray?.currentMenu();
    const item = menu && find(menu.items);
    if (!item) throw new Error(`no tray item starting with "${wanted}"`);
    item.click();
  }, prefix);
}

async function createRule(page: Page, name: string, opts: { group?: string } = {}): Promise<string> {
  const [listen, target] = [await freePort(), await freePort()];
  return page.evaluate(
    async ({ name, group, listen, target }) => {
      const { porthole } = globalThis as unknown as PageGlobals;
      const created = await porthole!['rules.create']({
        type: 'tcp-forward',
        name,
        enabled: false,
        ...(group ? { group } : {}),
        listen: { host: '127.0.0.1', port: listen },
        target: { host: '127.0.0.1', port: target },
      });
      if (!created.ok) throw new Error(created.error.message);
      return created.value.rule.id;
    },
    { name, group: opts.group, listen, target },
  );
}

async function ruleEnabled(page: Page, id: string): Promise<boolean | undefined> {
  return page.evaluate(async (ruleId) => {
    const res = await (globalThis as unknown as PageGlobals).porthole!['rules.list'](undefined);
    return res.ok ? res.value.find((e) => e.rule.id === ruleId)?.rule.enabled : undefined;
  }, id);
}

test.beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'porthole-electron-e2e-'));
});

test.afterEach(async () => {
  await app?.close();
  app = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

test('shows the mapping list, fed through the preload API', async () => {
  const { app: electronApp, page } = await launch();
  await expect.poll(() => windowVisible(electronApp)).toBe(true);
  await expect(page.getByTestId('empty-state')).toBeVisible();

  // A call through window.porthole crosses the preload, the sender check and the API host.
  const [listen, target] = [await freePort(), await freePort()];
  await page.evaluate(
    async ({ listen, target }) => {
      const { porthole } = globalThis as unknown as PageGlobals;
      if (!porthole) throw new Error('window.porthole is missing: the preload did not run');
      const created = await porthole['rules.create']({
        type: 'tcp-forward',
        name: 'Electron e2e',
        enabled: false,
        listen: { host: '127.0.0.1', port: listen },
        target: { host: '127.0.0.1', port: target },
      });
      if (!created.ok) throw new Error(created.error.message);
      // A refused call keeps its code and field issues across contextBridge.
      const bad = await porthole['rules.create']({ type: 'tcp-forward', name: '', listen: { host: 'x', port: 0 }, target: { host: 'x', port: 1 } });
      if (bad.ok || bad.error.code !== 'INVALID_INPUT' || !bad.error.issues?.some((i) => i.path === 'listen.port')) {
        throw new Error(`expected INVALID_INPUT with field issues, got ${JSON.stringify(bad)}`);
      }
    },
    { listen, target },
  );
  const list = page.getByRole('list', { name: 'Mappings' });
  await expect(list.locator('[data-testid="rule-row"][data-rule-name="Electron e2e"]')).toBeVisible();
  // The preload exposes named functions only: no generic invoke, no ipcRenderer.
  const exposed = await page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    return { keys: Object.keys(g.porthole ?? {}).sort(), node: 'require' in g || 'ipcRenderer' in g };
  });
  expect(exposed).toEqual({ keys: [...METHOD_NAMES, 'on'].sort(), node: false });
});

test('closing the window hides it to the tray; the app keeps running until Quit', async () => {
  const { app: electronApp } = await launch();
  await expect.poll(() => windowVisible(electronApp)).toBe(true);

  await electronApp.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.close());
  await expect.poll(() => windowVisible(electronApp)).toBe(false);
  expect(await electronApp.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
  expect(electronApp.process().exitCode).toBeNull();
  expect(existsSync(join(dataDir, 'porthole.lock'))).toBe(true);

  // What the tray's "Show Porthole" and a second launch do.
  await electronApp.evaluate(({ BrowserWindow }) => {
    const win = BrowserWindow.getAllWindows()[0];
    win?.show();
    win?.focus();
  });
  await expect.poll(() => windowVisible(electronApp)).toBe(true);

  // Quit runs the graceful shutdown and lets go of the data dir.
  await electronApp.close();
  app = undefined;
  expect(existsSync(join(dataDir, 'porthole.lock'))).toBe(false);
});

test('tray: a checkbox per mapping, groups as submenus, group and global switches, the icon follows', async () => {
  const { app: electronApp, page } = await launch();
  await expect.poll(() => windowVisible(electronApp)).toBe(true);
  const solo = await createRule(page, 'Tray solo');
  const grouped = await createRule(page, 'Tray grouped', { group: 'Work' });

  await expect.poll(() => trayLabels(electronApp)).toEqual(expect.arrayContaining(['Tray solo', 'Work', 'Work › Tray grouped', 'Work › All on']));

  await clickTray(electronApp, 'Tray solo');
  await expect.poll(() => ruleEnabled(page, solo)).toBe(true);
  await expect
    .poll(() => electronApp.evaluate(() => (globalThis as MainGlobals).__portholeE2E?.tray?.snapshot().icon))
    .toBe('active');
  await expect
    .poll(() => electronApp.evaluate(() => (globalThis as MainGlobals).__portholeE2E?.tray?.snapshot().tooltip ?? ''))
    .toContain('Tray solo');

  await clickTray(electronApp, 'All on'); // the Work group's
  await expect.poll(() => ruleEnabled(page, grouped)).toBe(true);

  await clickTray(electronApp, 'Turn everything off');
  await expect.poll(() => ruleEnabled(page, solo)).toBe(false);
  await expect.poll(() => ruleEnabled(page, grouped)).toBe(false);
  await expect
    .poll(() => electronApp.evaluate(() => (globalThis as MainGlobals).__portholeE2E?.tray?.snapshot().icon))
    .toBe('idle');
});

test('a second launch focuses the running window and hands its files to the import preview', async () => {
  if (!electron.ok) throw new Error('unreachable: skipped above');
  const { app: electronApp, page } = await launch();
  await expect.poll(() => windowVisible(electronApp)).toBe(true);
  await page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    g.previews = [];
    g.porthole!.on['import-preview']((p) => g.previews!.push(p));
  });
  await electronApp.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.close());
  await expect.poll(() => windowVisible(electronApp)).toBe(false);

  const profile = join(dataDir, 'e2e-profile.yaml');
  writeFileSync(profile, 'porthole: 1\nrules: []\n');
  const second = spawn(electron.path, ['.', profile], {
    env: { ...process.env, PORTHOLE_DATA_DIR: dataDir, ELECTRON_RENDERER_URL: '' },
    stdio: 'ignore',
  });
  const code = await new Promise<number | null>((resolve) => second.on('exit', resolve));
  // The second instance found the lock taken, passed its argv on and quit.
  expect(code).toBe(0);
  // revealWindow shows and focuses; focus itself is not asserted, since under Xvfb without a window
  // manager nothing ever holds focus.
  await expect.poll(() => windowVisible(electronApp)).toBe(true);
  await expect
    .poll(() => page.evaluate(() => ((globalThis as unknown as PageGlobals).previews ?? []).length))
    .toBe(1);
  const preview = await page.evaluate(() => (globalThis as unknown as PageGlobals).previews![0]);
  expect(preview).toMatchObject({ files: [{ name: 'e2e-profile.yaml', format: 'porthole-yaml' }] });
});
