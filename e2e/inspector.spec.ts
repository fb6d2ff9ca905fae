import { mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Page } from '@playwright/test';
import { zhCN } from '../src-renderer/i18n/locales/zh-CN';
import type { TestApi } from './support/api';
import { expect, portholeForFile, setLook as setUiLook, test } from './support/fixtures';
import { type Host, freePort } from './support/host';
import { seriousAxe as axe } from './support/look';

// The Inspector view against the real CLI host: a tcp-forward mapping with "Inspect HTTP" on in front
// of a node:http target in this process; requests sent through the mapping show up live, headers with
// secrets stay masked until revealed, and a replay from the UI reaches the target.

const SECRET = 'Bearer e2e-very-secret-token';
const porthole = portholeForFile();
let host: Host;
let api: TestApi;
let target: http.Server;
let listenPort: number;
const seen: Array<{ method: string; url: string; body: string; auth?: string }> = [];

test.beforeAll(async () => {
  mkdirSync('test-results/screenshots', { recursive: true });
  target = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body, ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) });
      if (req.url === '/gz') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
        return res.end(gzipSync(JSON.stringify({ compressed: true, items: [1, 2, 3] })));
      }
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'Content-Type': 'application/json', 'Set-Cookie': 'session=e2e-cookie-value; HttpOnly' });
      res.end(JSON.stringify({ method: req.method, path: req.url, got: body }));
    });
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
  host = await porthole.start();
  api = await porthole.api();
  listenPort = await freePort();
  await api.call('rules.create', {
    type: 'tcp-forward',
    name: 'Webhook app',
    enabled: true,
    listen: { host: '127.0.0.1', port: listenPort },
    target: { host: '127.0.0.1', port: (target.address() as AddressInfo).port },
    inspect: { enabled: true },
  });
});

test.afterAll(async () => {
  await api.call('settings.update', { language: 'system', theme: 'system' }).catch(() => undefined);
  await porthole.dispose();
  target.closeAllConnections();
  await new Promise<void>((r) => target.close(() => r()));
});

function send(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: listenPort, method, path, headers: { ...headers, ...(body ? { 'Content-Type': 'application/json' } : {}) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function setLook(page: Page, lang: 'en' | 'zh-CN', theme: 'light' | 'dark'): Promise<void> {
  await page.emulateMedia({ colorScheme: theme });
  await setUiLook(page, api, lang, theme);
}

const seriousAxe = (page: Page) => axe(page, 'inspector');

const rows = (page: Page) => page.getByTestId('insp-row');
const renders = (page: Page, id: string) => page.evaluate((k) => (window as unknown as { __portholeRenderProbe: { counts: Record<string, number> } }).__portholeRenderProbe.counts[k] ?? 0, `insp-row:${id}`);

test('live list, masked secrets, detail with decoded body, replay as is and edited from the UI (English, light)', async ({ page }) => {
  await page.addInitScript(() => {
    (window as unknown as { __portholeRenderProbe: unknown }).__portholeRenderProbe = { counts: {} };
  });
  await api.call('inspector.clear', {});
  seen.length = 0;
  await page.goto(host.url);
  await setLook(page, 'en', 'light');
  await page.locator('#tab-inspector').click();
  await expect(page.getByTestId('insp-empty')).toContainText('No requests recorded yet');

  // Live: exchanges appear as they happen, without a reload.
  expect(await send('POST', '/hooks/github?delivery=42', '{"action":"opened","number":7}', { Authorization: SECRET })).toBe(200);
  await expect(rows(page)).toHaveCount(1);
  const firstId = (await rows(page).first().getAttribute('data-id'))!;
  const before = await renders(page, firstId);
  await send('GET', '/gz', undefined, { 'Accept-Encoding': 'gzip' });
  await send('GET', '/missing');
  await expect(rows(page)).toHaveCount(3);
  await expect(page.getByTestId('insp-count')).toHaveText('3 requests');
  // The row that was there already was not rendered again for the new ones.
  expect(await renders(page, firstId)).toBe(before);

  // Filters: status class and text.
  await page.getByLabel('Status', { exact: true }).selectOption('4xx');
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toHaveAttribute('data-status', '404');
  await page.getByLabel('Status', { exact: true }).selectOption('all');
  await page.getByLabel('Filter requests').fill('hooks');
  await expect(rows(page)).toHaveCount(1);
  await page.getByLabel('Filter requests').fill('');

  // Detail: Authorization and Set-Cookie masked until revealed.
  await rows(page).filter({ hasText: '/hooks/github' }).getByRole('button').click();
  const detail = page.getByTestId('insp-detail');
  await expect(detail).toContainText('POST');
  await expect(detail.getByTestId('masked-value')).toHaveCount(2);
  await expect(page.locator('body')).not.toContainText('e2e-very-secret-token');
  await expect(page.locator('body')).not.toContainText('e2e-cookie-value');
  await expect(detail.getByTestId(/-req-text$/)).toContainText('"action": "opened"');
  await page.screenshot({ path: 'test-results/screenshots/inspector-en-light.png', fullPage: false });
  expect(await seriousAxe(page)).toEqual([]);
  await detail.getByRole('button', { name: 'Reveal secrets' }).click();
  await expect(detail).toContainText(SECRET);
  await expect(detail).toContainText('session=e2e-cookie-value');
  await detail.getByRole('button', { name: 'Hide secrets' }).click();
  await expect(detail.getByTestId('masked-value')).toHaveCount(2);

  // Replay as is: the target sees the same request again; the new response shows beside the old.
  await detail.getByRole('button', { name: 'Replay', exact: true }).click();
  const compare = page.getByTestId('insp-compare');
  await expect(compare).toContainText('Same status and response body');
  expect(seen.filter((s) => s.url === '/hooks/github?delivery=42')).toEqual([
    { method: 'POST', url: '/hooks/github?delivery=42', body: '{"action":"opened","number":7}', auth: SECRET },
    { method: 'POST', url: '/hooks/github?delivery=42', body: '{"action":"opened","number":7}', auth: SECRET },
  ]);
  await expect(rows(page).filter({ hasText: 'replay' })).toHaveCount(1);

  // Edit and replay: another body, shown as different.
  await detail.getByRole('button', { name: 'Edit and replay' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit and replay' });
  await dialog.getByLabel('Body').fill('{"action":"closed"}');
  expect(await seriousAxe(page)).toEqual([]);
  await dialog.getByRole('button', { name: 'Send' }).click();
  await expect(dialog).toBeHidden();
  await expect(compare).toContainText('The response differs');
  expect(seen.at(-1)).toMatchObject({ method: 'POST', body: '{"action":"closed"}' });
  await page.screenshot({ path: 'test-results/screenshots/inspector-en-replay.png', fullPage: false });

  // HAR 1.2 export of the ticked exchanges, secrets masked as on screen.
  await rows(page).filter({ hasText: '/hooks/github' }).first().getByRole('checkbox').check();
  await rows(page).filter({ hasText: '/missing' }).getByRole('checkbox').check();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export HAR (2)' }).click();
  const har = JSON.parse(readFileSync((await (await download).path())!, 'utf8')) as {
    log: { version: string; entries: Array<{ request: { method: string; url: string; headers: Array<{ name: string; value: string }> }; response: { status: number } }> };
  };
  expect(har.log.version).toBe('1.2');
  expect(har.log.entries.map((e) => [e.request.method, new URL(e.request.url).pathname, e.response.status])).toEqual([
    ['POST', '/hooks/github', 200],
    ['GET', '/missing', 404],
  ]);
  expect(JSON.stringify(har)).not.toContain('e2e-very-secret-token');

  // gzip decoded for display.
  await rows(page).filter({ hasText: '/gz' }).getByRole('button').click();
  await expect(page.getByTestId('insp-detail')).toContainText('Decoded from gzip');
  await expect(page.getByTestId('insp-detail').getByTestId(/-res-text$/)).toContainText('"compressed": true');
});

test('the rule editor shows Inspect HTTP switched on for the mapping', async ({ page }) => {
  await page.goto(host.url);
  await setLook(page, 'en', 'light');
  await page.getByRole('button', { name: 'Edit Webhook app' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('checkbox', { name: 'Inspect HTTP' })).toBeChecked();
  await expect(dialog).toContainText('Records each request and response');
});

test('the Inspector in Chinese, dark: translated, axe-clean, secrets masked', async ({ page }) => {
  await api.call('inspector.clear', {});
  await send('POST', '/form', 'a=1', { Authorization: SECRET, Cookie: 'sid=zh-cookie' });
  await page.goto(host.url);
  await setLook(page, 'zh-CN', 'dark');
  await page.locator('#tab-inspector').click();
  await expect(page.locator('#tab-inspector')).toHaveText(zhCN.shell.tabs.inspector);
  await expect(rows(page)).toHaveCount(1);
  await expect(page.getByTestId('insp-count')).toHaveText('1 个请求');
  await rows(page).first().getByRole('button').click();
  const detail = page.getByTestId('insp-detail');
  await expect(detail.getByRole('button', { name: zhCN.inspector.reveal })).toBeVisible();
  await expect(detail.getByRole('button', { name: zhCN.inspector.replay, exact: true })).toBeVisible();
  // Authorization and Cookie in the request, Set-Cookie in the response.
  await expect(detail.getByTestId('masked-value')).toHaveCount(3);
  await expect(page.locator('body')).not.toContainText('zh-cookie');
  await expect(page.locator('body')).not.toContainText('e2e-very-secret-token');
  await detail.getByRole('button', { name: zhCN.inspector.replay, exact: true }).click();
  await expect(page.getByTestId('insp-compare')).toContainText(zhCN.inspector.compare.same);
  await page.screenshot({ path: 'test-results/screenshots/inspector-zh-CN-dark.png', fullPage: false });
  expect(await seriousAxe(page)).toEqual([]);
});
