import { connect } from 'node:net';
import type { Page } from '@playwright/test';
import { en } from '../src-renderer/i18n/locales/en';
import { zhCN } from '../src-renderer/i18n/locales/zh-CN';
import type { TestApi } from './support/api';
import { LOOKS, expect, portholeForFile, setLook, test } from './support/fixtures';
import { type Echo, type Host, freePort, startEcho } from './support/host';
import { background, contrast, seriousAxe, shot } from './support/look';

// Issue 18 as a person meets it, in English and Chinese, light and dark: on and off switches differ in
// colour (measured), a failed mapping's switch is off and its card does not shift, a target that refuses
// every connection shows "Degraded" with the reason, the log panel is a one-line strip outside Mappings
// and speaks the UI language, and at 800×600 every header action is on screen (a "More" menu) — axe-clean,
// with screenshots at 1366×768 and 800×600.

const CAT = { en, 'zh-CN': zhCN } as const;
const WIDE = { width: 1366, height: 768 };
const SMALL = { width: 800, height: 600 };

let host: Host;
let api: TestApi;
let echo: Echo;
let refusingPort = 0;
const porthole = portholeForFile();

const row = (page: Page, name: string) => page.locator(`[data-testid="rule-row"][data-rule-name="${name}"]`);

/** A client connection through the mapping, closed by the mapping once its target refused. */
function refusedThrough(port: number): Promise<void> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    s.on('close', () => resolve());
  });
}

test.beforeAll(async () => {
  echo = await startEcho();
  host = await porthole.start();
  api = await porthole.api();
  const tcp = (name: string, listen: number, target: number, enabled = true) => ({
    type: 'tcp-forward',
    name,
    enabled,
    listen: { host: '127.0.0.1', port: listen },
    target: { host: '127.0.0.1', port: target },
  });
  await api.call('rules.create', tcp('Web app', await freePort(), echo.port));
  refusingPort = await freePort();
  // Its target is a port nobody listens on: every connection through it is refused.
  await api.call('rules.create', tcp('Refusing target', refusingPort, await freePort()));
  // Listens where the echo server already does: fails at start.
  await api.call('rules.create', tcp('Port taken', echo.port, echo.port));
  await api.call('rules.create', tcp('Switched off', await freePort(), echo.port, false));
  for (let i = 0; i < 3; i++) await refusedThrough(refusingPort);
});

test.afterAll(async () => {
  await api.call('settings.update', { language: 'system', theme: 'system' }).catch(() => undefined);
  await porthole.dispose();
  await echo?.close();
});

for (const { lang, theme } of LOOKS) {
  test(`${lang} ${theme}: switches, honest states, the log strip and the header at 1366×768 and 800×600`, async ({ page }) => {
    const cat = CAT[lang];
    const serious: string[] = [];
    await page.setViewportSize(WIDE);
    await page.goto(host.url);
    await setLook(page, api, lang, theme);
    await expect(row(page, 'Web app')).toHaveAttribute('data-state', 'running');

    // On and off differ in colour, not only in the knob's side: WCAG contrast ≥ 3:1 between the tracks.
    const on = row(page, 'Web app').getByRole('switch');
    const off = row(page, 'Switched off').getByRole('switch');
    await expect(on).toHaveAttribute('aria-checked', 'true');
    await expect(off).toHaveAttribute('aria-checked', 'false');
    const ratio = contrast(await background(on), await background(off));
    console.log(`${lang} ${theme}: switch on ${await background(on)} / off ${await background(off)} = ${ratio.toFixed(2)}:1`);
    expect(ratio).toBeGreaterThanOrEqual(3);

    // Failed: the switch is off beside "Failed", the reason is in the UI language, and the card's
    // content sits exactly where a running card's does.
    const failed = row(page, 'Port taken');
    await expect(failed).toHaveAttribute('data-state', 'failed');
    await expect(failed.getByRole('switch')).toHaveAttribute('aria-checked', 'false');
    await expect(failed.getByTestId('status')).toHaveText(cat.mappings.state.failed);
    await expect(failed.locator('.row-problem')).toContainText(lang === 'en' ? 'is already in use' : '已被占用');
    const x = async (name: string) => (await row(page, name).locator('.row-switch').boundingBox())!.x;
    expect(await x('Port taken')).toBe(await x('Web app'));

    // Degraded: listening, but the target refused every connection — amber, with the reason.
    const refusing = row(page, 'Refusing target');
    await expect(refusing).toHaveAttribute('data-shown-state', 'degraded');
    await expect(refusing.getByTestId('status')).toHaveText(cat.mappings.state.degraded);
    await expect(refusing.getByTestId('row-degraded')).toContainText(lang === 'en' ? 'refused the connection — is the service running' : '拒绝了连接——该端口上的服务在运行吗');

    // The log on Mappings: open, in the UI language.
    const toggle = page.locator('.log-toggle');
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const lines = page.getByTestId('log-lines');
    await expect(lines).toContainText(lang === 'en' ? 'Created mapping "Web app"' : '已创建映射“Web app”');
    await expect(lines).toContainText(lang === 'en' ? 'Degraded: the last 3 connections to the target failed' : '降级：最近 3 次到目标的连接都失败了');
    if (lang !== 'en') await expect(lines).not.toContainText('Created mapping');
    serious.push(...(await seriousAxe(page, `mappings-${lang}-${theme}`)));
    await shot(page, `mappings-1366x768-${lang}-${theme}`);

    // Elsewhere the panel is one line (the newest log line and the warning count), and the view gets the room.
    await page.locator('#tab-servers').click();
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    // The newest line the panel would show (debug is off there by default), and the warnings kept.
    await expect(page.getByTestId('log-strip-line')).toBeVisible();
    expect(await page.getByTestId('log-strip-line').getAttribute('data-level')).not.toBe('debug');
    await expect(page.getByTestId('log-strip')).toContainText(lang === 'en' ? '2 warnings' : '2 个警告');
    const mainHeight = await page.locator('.app-main').evaluate((el) => el.clientHeight);
    expect(mainHeight).toBeGreaterThan(WIDE.height * 0.7);
    serious.push(...(await seriousAxe(page, `servers-${lang}-${theme}`)));
    await shot(page, `servers-1366x768-${lang}-${theme}`);
    await page.locator('#tab-mappings').click();
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');

    // 800×600: every header action on screen and nothing wider than the window; Import and Export in "More".
    await page.setViewportSize(SMALL);
    const newMapping = page.getByRole('button', { name: cat.shell.header.newMapping, exact: true });
    const more = page.getByRole('button', { name: cat.importExport.menu.more, exact: true });
    for (const b of [newMapping, more, page.locator('#tab-settings')]) {
      await expect(b).toBeVisible();
      const box = (await b.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(SMALL.width);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(SMALL.width);
    await shot(page, `mappings-800x600-${lang}-${theme}`);
    serious.push(...(await seriousAxe(page, `mappings-800x600-${lang}-${theme}`)));
    await more.click();
    for (const item of [cat.importExport.menu.chooseFiles, cat.importExport.menu.pasteText, cat.importExport.menu.export]) {
      const menuItem = page.getByRole('menuitem', { name: item });
      await expect(menuItem).toBeVisible();
      expect((await menuItem.boundingBox())!.x).toBeGreaterThanOrEqual(0);
    }
    serious.push(...(await seriousAxe(page, `more-menu-800x600-${lang}-${theme}`)));
    await shot(page, `more-menu-800x600-${lang}-${theme}`);
    await page.keyboard.press('Escape');
    await newMapping.click();
    await expect(page.getByRole('dialog', { name: cat.editors.ruleDialog.newTitle })).toBeVisible();
    await page.keyboard.press('Escape');

    expect(serious, serious.join('\n')).toEqual([]);
  });
}
