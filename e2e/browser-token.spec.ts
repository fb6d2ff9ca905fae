import { X509Certificate } from 'node:crypto';
import { type Page, expect, test } from '@playwright/test';
import { type Echo, type Host, freePort, roundTrip, startEcho, startHost, tempDataDir } from './support/host';

// Browser mode's token in a real browser: it arrives in the URL fragment, leaves the address bar and
// the tab's history at once, never appears in a URL sent to the host, and still works after a reload.
// Then the same over TLS on a network listen, as a remote admin would use it.

let data: ReturnType<typeof tempDataDir>;
let host: Host | undefined;
let echo: Echo;

test.beforeEach(async () => {
  data = tempDataDir();
  echo = await startEcho();
});

test.afterEach(async () => {
  await host?.stop();
  host = undefined;
  await echo.close();
  data.cleanup();
});

/** Every URL the page asks the host for: page loads, assets and the API socket. */
function watchUrls(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  page.on('websocket', (ws) => urls.push(ws.url()));
  return urls;
}

async function createMappingInUi(page: Page, name: string): Promise<number> {
  const listenPort = await freePort();
  await page.getByRole('button', { name: 'New mapping' }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByLabel('Listen port', { exact: true }).fill(String(listenPort));
  await dialog.getByLabel('Target host', { exact: true }).fill('127.0.0.1');
  await dialog.getByLabel('Target port', { exact: true }).fill(String(echo.port));
  await dialog.getByRole('button', { name: 'Create mapping' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator(`[data-testid="rule-row"][data-rule-name="${name}"]`)).toHaveAttribute('data-state', 'running');
  return listenPort;
}

test('the token leaves the address bar, never goes to the host in a URL, and a reload keeps working', async ({ page, context }) => {
  host = await startHost(data.dir);
  expect(host.output()).toMatch(/Porthole UI: http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}/);
  const urls = watchUrls(page);
  await page.goto(host.url);
  await expect(page.getByText('Browser mode')).toBeVisible();
  expect(page.url()).toBe(`${host.origin}/`);
  expect(await page.evaluate(() => location.hash)).toBe('');

  // The app works: a mapping made in the UI runs and carries bytes.
  const port = await createMappingInUi(page, 'Before reload');
  expect((await roundTrip(port, Buffer.from('ping'))).toString()).toBe('ping');

  await page.reload();
  await expect(page.locator('[data-testid="rule-row"][data-rule-name="Before reload"]')).toHaveAttribute('data-state', 'running');
  expect(page.url()).toBe(`${host.origin}/`);
  await createMappingInUi(page, 'After reload');

  expect(urls.some((u) => u.startsWith('ws://') && new URL(u).pathname === '/api')).toBe(true);
  for (const u of urls) expect(u).not.toContain(host.token);

  // The token stays with that tab: another tab opened on the bare address has none.
  const other = await context.newPage();
  await other.goto(`${host.origin}/`);
  await expect(other.getByText(/Open the URL printed by/)).toBeVisible();
  await other.close();
});

test('on a network listen the UI is served over TLS with the printed fingerprint, and works in the browser', async ({ browser }) => {
  host = await startHost(data.dir, ['--listen', '0.0.0.0:0']);
  expect(host.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/#token=/);
  const fingerprint = new X509Certificate(host.ca!).fingerprint256;
  expect(host.output()).toContain(`fingerprint ${fingerprint}`);
  expect(host.output()).toMatch(/Accepts pages from https:\/\/.*127\.0\.0\.1/);

  // The user compared the fingerprint and accepted the certificate: here, by trusting any for this context.
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const urls = watchUrls(page);
  await page.goto(host.url);
  await expect(page.getByText('Browser mode')).toBeVisible();
  expect(page.url()).toBe(`${host.origin}/`);
  await createMappingInUi(page, 'Over TLS');
  expect(urls.some((u) => u.startsWith('wss://'))).toBe(true);
  for (const u of urls) expect(u).not.toContain(host.token);
  await context.close();
});
