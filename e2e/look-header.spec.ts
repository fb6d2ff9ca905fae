import type { Page } from '@playwright/test';
import { en } from '../src-renderer/i18n/locales/en';
import { zhCN } from '../src-renderer/i18n/locales/zh-CN';
import type { TestApi } from './support/api';
import { LOOKS, expect, portholeForFile, setLook, test } from './support/fixtures';
import { type Echo, type Host, freePort, startEcho } from './support/host';
import { seriousAxe, shot } from './support/look';

// The header's "1 of 1 running" at the window sizes people use (issue 18): at 1280×800 it read
// "1 of 1 ru…" once the Inspector tab made the one-row header wider than the window. At 1280×800,
// 1366×768 and 800×600, in both languages and both themes, the summary shows whole and every header
// item is on screen; screenshots of each.

const CAT = { en, 'zh-CN': zhCN } as const;
const SIZES = [
  { width: 1280, height: 800 },
  { width: 1366, height: 768 },
  { width: 800, height: 600 },
] as const;

let host: Host;
let api: TestApi;
let echo: Echo;
const porthole = portholeForFile();

test.beforeAll(async () => {
  echo = await startEcho();
  host = await porthole.start();
  api = await porthole.api();
  await api.call('rules.create', {
    type: 'tcp-forward',
    name: 'Web app',
    enabled: true,
    listen: { host: '127.0.0.1', port: await freePort() },
    target: { host: '127.0.0.1', port: echo.port },
  });
});

test.afterAll(async () => {
  await api.call('settings.update', { language: 'system', theme: 'system' }).catch(() => undefined);
  await porthole.dispose();
  await echo?.close();
});

/** The summary's text is wholly shown: no ellipsis (its content is no wider than its box). */
async function notTruncated(page: Page, label: string): Promise<void> {
  const summary = page.getByTestId('running-count');
  const { scroll, client } = await summary.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
  expect(client, `${label}: the summary has no room at all`).toBeGreaterThan(0);
  expect(scroll, `${label}: "${await summary.textContent()}" is cut off (${scroll} px of text in ${client} px)`).toBeLessThanOrEqual(client);
}

for (const { lang, theme } of LOOKS) {
  test(`${lang} ${theme}: the header's running summary shows whole at 1280×800, 1366×768 and 800×600`, async ({ page }) => {
    const cat = CAT[lang];
    const serious: string[] = [];
    await page.setViewportSize(SIZES[0]);
    await page.goto(host.url);
    await setLook(page, api, lang, theme);
    const summary = page.getByTestId('running-count');
    const total = (await api.call<unknown[]>('rules.list')).length;
    await expect(summary).toHaveText(cat.shell.header.running.replace('{{running}}', '1').replace('{{total}}', String(total)));
    for (const size of SIZES) {
      await page.setViewportSize(size);
      const label = `${size.width}×${size.height} ${lang} ${theme}`;
      await expect(summary).toBeVisible();
      await notTruncated(page, label);
      // Everything in the header is on screen, and the page is no wider than the window.
      for (const item of [summary, page.locator('#tab-settings'), page.getByRole('button', { name: cat.shell.header.newMapping, exact: true })]) {
        const box = (await item.boundingBox())!;
        expect(box.x, label).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width, label).toBeLessThanOrEqual(size.width);
      }
      expect(await page.evaluate(() => document.documentElement.scrollWidth), label).toBeLessThanOrEqual(size.width);
      await shot(page, `header-${size.width}x${size.height}-${lang}-${theme}`);
    }
    // A two-digit total still fits at 1280 px (the first test adds the mappings; the others find them).
    if ((await api.call<unknown[]>('rules.list')).length < 12) {
      for (let i = 0; i < 11; i++) {
        await api.call('rules.create', { type: 'tcp-forward', name: `Spare ${i}`, enabled: false, listen: { host: '127.0.0.1', port: 47100 + i }, target: { host: '127.0.0.1', port: echo.port } });
      }
    }
    await page.setViewportSize(SIZES[0]);
    await expect(summary).toHaveText(cat.shell.header.running.replace('{{running}}', '1').replace('{{total}}', '12'));
    await notTruncated(page, `1280×800 ${lang} ${theme}, 12 mappings`);
    await shot(page, `header-1280x800-12-${lang}-${theme}`);
    serious.push(...(await seriousAxe(page, `header-${lang}-${theme}`)));
    expect(serious, serious.join('\n')).toEqual([]);
  });
}
