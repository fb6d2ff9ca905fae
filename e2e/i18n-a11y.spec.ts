/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdirSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { type Page } from '@playwright/test';
import { expect, portholeForFile, test } from './support/fixtures';
import { en } from '../src-renderer/i18n/locales/en';
import { zhCN } from '../src-renderer/i18n/locales/zh-CN';
import type { TestApi } from './support/api';
import { type Echo, type Host, freePort, startEcho } from './support/host';

// Every view in English and Simplified Chinese, light and dark: axe finds no serious or critical
// violation, Chinese text shows where the catalogue has it, no raw key leaks, and a screenshot of each
// is kept (test-results/screenshots/i18n/<view>-<lang>-<theme>.png). Then the keyboard: Tab reaches
// the main controls in order, and a dialog keeps focus inside and closes on Escape.

const SHOTS = 'test-results/screenshots/i18n';
const LANGS = [
  { lang: 'en', cat: en },
  { lang: 'zh-CN', cat: zhCN },
] as const;
const THEMES = ['light', 'dark'] as const;
const VIEWS = ['mappings', 'connections', 'servers', 'relay', 'dashboard', 'settings'] as const;

/** Names this test gives its rules, servers and relays: the user's words, shown as typed. */
const USER_NAMES = new Set(['Web app', 'Metrics exporter', 'Old VNC', 'Bastion', 'VPS relay']);

let host: Host;
let api: TestApi;
let echo: Echo;
const porthole = portholeForFile();

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  echo = await startEcho();
  host = await porthole.start();
  api = await porthole.api();
  const tcp = (name: string, port: number, enabled = true) => ({
    type: 'tcp-forward',
    name,
    enabled,
    listen: { host: '127.0.0.1', port },
    target: { host: '127.0.0.1', port: echo.port },
  });
  await api.call('rules.create', tcp('Web app', await freePort()));
  // Listens where the echo server already does: fails with "port in use".
  await api.call('rules.create', tcp('Metrics exporter', echo.port));
  await api.call('rules.create', tcp('Old VNC', await freePort(), false));
  await api.call('servers.create', { server: { name: 'Bastion', host: '127.0.0.2', user: 'ops', auth: { method: 'agent' } } });
  await api.call('relays.create', { relay: { name: 'VPS relay', host: '127.0.0.1', port: await freePort(), agentName: 'laptop', tls: true, hasToken: false, acceptAssigned: false } });
});

test.afterAll(async () => {
  await api.call('settings.update', { language: 'system', theme: 'system' }).catch(() => undefined);
  await porthole.dispose();
  await echo.close();
});

async function setLook(page: Page, lang: string, theme: 'light' | 'dark'): Promise<void> {
  await page.emulateMedia({ colorScheme: theme });
  await api.call('settings.update', { language: lang, theme });
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
}

async function openView(page: Page, view: string): Promise<void> {
  const tab = page.locator(`#tab-${view}`);
  await tab.click();
  await expect(tab).toHaveAttribute('aria-selected', 'true');
}

interface AxeReport {
  serious: string[];
  other: string[];
}

async function axe(page: Page, label: string): Promise<AxeReport> {
  const result = await new AxeBuilder({ page }).analyze();
  const line = (v: (typeof result.violations)[number]) =>
    `${label}: [${v.impact}] ${v.id} — ${v.help} (${v.nodes.length}×: ${v.nodes
      .slice(0, 3)
      .map((n) => n.target.join(' '))
      .join(' | ')})`;
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map(line);
  const other = result.violations.filter((v) => v.impact !== 'serious' && v.impact !== 'critical').map(line);
  return { serious, other };
}

type Tree = { readonly [k: string]: string | Tree };
function leaves(tree: Tree, prefix = ''): [string, string][] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [[`${prefix}${k}`, v] as [string, string]] : leaves(v, `${prefix}${k}.`)));
}
const zhByKey = new Map(leaves(zhCN as Tree));
/**
 * English sentences and labels of the catalogue (two words or more, no variables or markup) whose
 * Chinese is different: if one of these shows in the Chinese UI, a string escaped translation.
 */
const ENGLISH_ONLY = [
  ...new Set(
    leaves(en as Tree)
      .filter(([key, text]) => {
        const zh = zhByKey.get(key) ?? zhByKey.get(key.replace(/_one$/, '_other'));
        return zh !== undefined && zh !== text && !/[{<]/.test(text) && /[A-Za-z]{2,} [A-Za-z]{2,}/.test(text);
      })
      .map(([, text]) => text),
  ),
];

/** Catalogue English (ENGLISH_ONLY) in the page's text or in its labels, titles and placeholders. */
async function englishLeaks(page: Page, label: string): Promise<string[]> {
  // Log lines are the host's own records (kept in English, like the CLI's), the export preview is the
  // file's text, and rule names are the user's: none of them is UI text, so they are left out.
  const shown = await page.evaluate(() => {
    const data = (el: Element, text = false) => el.closest(`#log-lines, [data-testid="detail-log"]${text ? ', [data-testid="export-text"]' : ''}`) !== null;
    const visible = (el: Element) => (el as HTMLElement).checkVisibility?.() ?? true;
    const parts: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (el && !data(el, true) && visible(el)) parts.push(n.textContent ?? '');
    }
    for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
      if (!data(el) && visible(el)) for (const a of ['aria-label', 'title', 'placeholder']) parts.push(el.getAttribute(a) ?? '');
    }
    return parts.join('\n');
  });
  return ENGLISH_ONLY.filter((text) => !USER_NAMES.has(text) && shown.includes(text)).map((text) => `${label}: "${text}"`);
}

/** No catalogue key (`servers.title`, `relayView.col.agent`) rendered as text. */
async function expectNoRawKeys(page: Page): Promise<void> {
  const text = await page.locator('body').innerText();
  const areas = Object.keys(en).join('|');
  expect(text.match(new RegExp(`\\b(${areas})\\.[a-zA-Z_.]+\\b`, 'g')) ?? []).toEqual([]);
}

test('every view in en and zh-CN, light and dark: no serious axe violations, screenshots kept', async ({ page }) => {
  test.setTimeout(480_000);
  await page.goto(host.url);
  await expect(page.getByTestId('footer')).toBeVisible();
  const serious: string[] = [];
  const other: string[] = [];
  const leaks: string[] = [];
  const check = async (label: string) => {
    const r = await axe(page, label);
    serious.push(...r.serious);
    other.push(...r.other);
    await expectNoRawKeys(page);
    if (label.includes('-zh-CN-')) leaks.push(...(await englishLeaks(page, label)));
    await page.screenshot({ path: `${SHOTS}/${label}.png` });
  };

  for (const { lang, cat } of LANGS) {
    for (const theme of THEMES) {
      await setLook(page, lang, theme);
      for (const view of VIEWS) {
        await openView(page, view);
        if (view === 'servers') {
          await expect(page.getByRole('heading', { name: cat.servers.title })).toBeVisible();
          await expect(page.getByRole('heading', { name: cat.relays.title })).toBeVisible();
        }
        if (view === 'relay') await expect(page.getByRole('heading', { name: cat.relayView.title })).toBeVisible();
        if (view === 'connections') await expect(page.getByLabel(cat.connections.filter)).toBeVisible();
        await check(`${view}-${lang}-${theme}`);
      }

      // Dialogs: a new SSH server, a new relay, and a delete confirmation.
      await openView(page, 'servers');
      await page.getByRole('button', { name: cat.servers.newServer, exact: true }).click();
      const serverDialog = page.getByRole('dialog', { name: cat.serverDialog.newTitle });
      await expect(serverDialog).toBeVisible();
      await check(`server-dialog-${lang}-${theme}`);
      await page.keyboard.press('Escape');
      await expect(serverDialog).toBeHidden();

      await page.getByRole('button', { name: cat.relays.newRelay, exact: true }).click();
      const relayDialog = page.getByRole('dialog', { name: cat.relayDialog.newTitle });
      await expect(relayDialog).toBeVisible();
      await check(`relay-dialog-${lang}-${theme}`);
      await page.keyboard.press('Escape');
      await expect(relayDialog).toBeHidden();

      await page.getByRole('button', { name: cat.servers.deleteAria.replace('{{name}}', 'Bastion') }).click();
      const del = page.getByRole('dialog', { name: cat.deleteDialog.serverTitle.replace('{{name}}', 'Bastion') });
      await expect(del).toBeVisible();
      await check(`delete-dialog-${lang}-${theme}`);
      await page.keyboard.press('Escape');
      await expect(del).toBeHidden();

      // Import: the header's menu, the paste dialog, the preview of what the text holds; then Export.
      const ie = cat.importExport;
      await page.getByRole('button', { name: ie.menu.import, exact: true }).click();
      await expect(page.getByRole('menuitem', { name: ie.menu.pasteText })).toBeVisible();
      await check(`import-menu-${lang}-${theme}`);
      await page.getByRole('menuitem', { name: ie.menu.pasteText }).click();
      const paste = page.getByRole('dialog', { name: ie.paste.title });
      await paste.getByLabel(ie.paste.label).fill('Host intranet\n  HostName 127.0.0.3\n  User ops\n  LocalForward 127.0.0.1:18080 127.0.0.1:80\n');
      await check(`import-paste-${lang}-${theme}`);
      await paste.getByRole('button', { name: ie.paste.preview }).click();
      const preview = page.getByRole('dialog').filter({ has: page.getByTestId('import-format') });
      await expect(preview).toBeVisible();
      await check(`import-preview-${lang}-${theme}`);
      await preview.getByRole('button', { name: cat.common.cancel, exact: true }).click();
      await expect(preview).toBeHidden();
      await page.getByRole('button', { name: ie.menu.export, exact: true }).click();
      const exportDialog = page.getByRole('dialog', { name: ie.export.title });
      await expect(exportDialog).toBeVisible();
      await check(`export-dialog-${lang}-${theme}`);
      await page.keyboard.press('Escape');
      await expect(exportDialog).toBeHidden();

      // The rule dialog, opened from the header.
      await openView(page, 'mappings');
      await page.getByRole('button', { name: cat.shell.header.newMapping, exact: true }).click();
      const ruleDialog = page.getByRole('dialog', { name: cat.editors.ruleDialog.newTitle });
      await expect(ruleDialog).toBeVisible();
      await check(`rule-dialog-${lang}-${theme}`);
      await page.keyboard.press('Escape');
      await expect(ruleDialog).toBeHidden();
    }
  }

  // Chinese where the catalogue has it: the Servers view's headings and buttons.
  await setLook(page, 'zh-CN', 'light');
  await openView(page, 'servers');
  await expect(page.getByRole('heading', { name: 'SSH 服务器' })).toBeVisible();
  await expect(page.getByRole('button', { name: '新建 SSH 服务器', exact: true })).toBeVisible();
  await expect(page.getByTestId('server-used-by').first()).toHaveText('没有映射使用');
  await openView(page, 'relay');
  await expect(page.getByRole('button', { name: '启动中继' })).toBeVisible();

  console.log(`axe, below serious (${other.length}):\n${[...new Set(other)].join('\n')}`);
  expect(serious, serious.join('\n')).toEqual([]);
  expect(ENGLISH_ONLY.length).toBeGreaterThan(300);
  expect(leaks, `English left in the Chinese UI:\n${leaks.join('\n')}`).toEqual([]);
});

test('language "system" follows the browser locale', async ({ browser }) => {
  await api.call('settings.update', { language: 'system' });
  for (const [locale, lang, title] of [
    ['zh-CN', 'zh-CN', zhCN.servers.title],
    ['en-GB', 'en', en.servers.title],
  ] as const) {
    const context = await browser.newContext({ locale });
    const page = await context.newPage();
    await page.goto(host.url);
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    await openView(page, 'servers');
    await expect(page.getByRole('heading', { name: title, exact: true })).toBeVisible();
    await context.close();
  }
});

/** Where focus is: which part of the page, a short description, and whether it is visible (runs in the page). */
const FOCUS_STOP = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return { where: 'body', text: '', visible: false };
  const r = el.getBoundingClientRect();
  const where = el.closest('header') ? 'header' : el.closest('#view-panel') ? 'panel' : el.closest('footer') ? 'footer' : 'other';
  const name = el.getAttribute('aria-label') ?? el.textContent ?? '';
  return { where, text: el.tagName.toLowerCase() + '[' + (el.getAttribute('role') ?? '') + '] ' + name.trim().slice(0, 40), visible: r.width > 0 && r.height > 0 };
})()`;

test('keyboard: Tab reaches the main controls in order; dialogs trap focus and close on Escape', async ({ page }) => {
  await api.call('settings.update', { language: 'en', theme: 'light' });
  await page.goto(host.url);
  await openView(page, 'servers');
  await page.locator('body').click({ position: { x: 1, y: 1 } });
  await page.evaluate('document.activeElement?.blur()');

  // Walk the page with Tab and note where focus lands.
  const stops: { where: string; text: string; visible: boolean }[] = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    stops.push(await page.evaluate<{ where: string; text: string; visible: boolean }>(FOCUS_STOP));
  }
  const names = stops.map((s) => s.text);
  const idx = (re: RegExp) => names.findIndex((n) => re.test(n));
  const tab = idx(/\[tab\] Servers/);
  const newServer = idx(/New SSH server/);
  const editBastion = idx(/Edit server Bastion/);
  const deleteBastion = idx(/Delete server Bastion/);
  const newRelay = idx(/New relay/);
  expect(tab, names.join('\n')).toBeGreaterThanOrEqual(0);
  expect(newServer).toBeGreaterThan(tab);
  expect(editBastion).toBeGreaterThan(newServer);
  expect(deleteBastion).toBeGreaterThan(editBastion);
  expect(newRelay).toBeGreaterThan(deleteBastion);
  // Every stop is something the person can see.
  expect(stops.filter((s) => s.where !== 'body' && !s.visible)).toEqual([]);

  // The tablist moves with the arrow keys.
  await page.locator('#tab-servers').focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.locator('#tab-relay')).toBeFocused();
  await page.keyboard.press('ArrowLeft');
  await expect(page.locator('#tab-servers')).toBeFocused();

  // A dialog keeps focus inside and gives it back to its opener on Escape.
  const opener = page.getByRole('button', { name: 'New SSH server', exact: true });
  await opener.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'New SSH server' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Name')).toBeFocused();
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press(i % 5 === 4 ? 'Shift+Tab' : 'Tab');
    expect(await page.evaluate<boolean>("!!document.activeElement?.closest('dialog')")).toBe(true);
  }
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();

  // The delete confirmation starts on Cancel, the safe answer.
  await page.getByRole('button', { name: 'Delete server Bastion' }).click();
  const del = page.getByRole('dialog', { name: 'Delete server Bastion?' });
  await expect(del.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(del).toBeHidden();
});
