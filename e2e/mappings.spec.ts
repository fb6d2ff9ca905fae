import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { WebSocket } from 'ws';
import { WS_CLOSE_BAD_TOKEN } from '../src-shared/api/ws-protocol';
import { type Echo, type Host, connectOutcome, freePort, roundTrip, startEcho, startHost, tempDataDir } from './support/host';

// The walking skeleton end to end: the real CLI host in browser mode, the real UI in Chromium, real
// sockets between a test client, the mapping and an echo server.

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

test('create a mapping in the dialog, push bytes through it, watch it live, switch it off, find it after a restart', async ({ page }) => {
  host = await startHost(data.dir);
  await page.goto(host.url);
  await expect(page.getByText('Browser mode')).toBeVisible();

  const listenPort = await freePort();
  await page.getByRole('button', { name: 'New mapping' }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name', { exact: true }).fill('Echo via Porthole');
  await dialog.getByLabel('Listen port', { exact: true }).fill(String(listenPort));
  await dialog.getByLabel('Target host', { exact: true }).fill('127.0.0.1');
  await dialog.getByLabel('Target port', { exact: true }).fill(String(echo.port));
  await dialog.getByRole('button', { name: 'Create mapping' }).click();
  await expect(dialog).toBeHidden();

  const row = page.locator('[data-testid="rule-row"][data-rule-name="Echo via Porthole"]');
  await expect(row).toHaveAttribute('data-state', 'running');
  await expect(row.getByTestId('status')).toContainText(/running/i);

  // Push 256 KiB through the mapping from the test, several times, so the 1 Hz stats see traffic.
  const payload = randomBytes(256 * 1024);
  for (let i = 0; i < 3; i++) expect((await roundTrip(listenPort, payload)).equals(payload)).toBe(true);
  await expect
    .poll(async () => Number(await row.getByTestId('bytes-in').getAttribute('data-value')))
    .toBe(3 * payload.length);
  await expect
    .poll(async () => Number(await row.getByTestId('bytes-out').getAttribute('data-value')))
    .toBe(3 * payload.length);
  await expect.poll(async () => Number(await row.getByTestId('sparkline').getAttribute('data-points'))).toBeGreaterThan(0);
  await expect(row.locator('canvas')).toBeVisible();

  mkdirSync('test-results/screenshots', { recursive: true });
  await page.screenshot({ path: 'test-results/screenshots/main-view.png' });

  // Switch it off from the UI: the port stops accepting connections.
  await row.getByRole('switch', { name: 'Enable Echo via Porthole' }).click();
  await expect(row).toHaveAttribute('data-state', 'stopped');
  expect(await connectOutcome(listenPort)).toBe('refused');
  await row.getByRole('switch', { name: 'Enable Echo via Porthole' }).click();
  await expect(row).toHaveAttribute('data-state', 'running');

  // Restart the host: the mapping is still there and running again.
  expect(await host.stop()).toBe(0);
  expect(await connectOutcome(listenPort)).toBe('refused');
  host = await startHost(data.dir);
  await page.goto(host.url);
  await expect(row).toHaveAttribute('data-state', 'running');
  expect((await roundTrip(listenPort, Buffer.from('after restart'))).toString()).toBe('after restart');
});

test('the dialog validates inline: bad host, port out of range, listen port taken by another rule', async ({ page }) => {
  host = await startHost(data.dir);
  await page.goto(host.url);
  const taken = await freePort();
  await page.getByRole('button', { name: 'New mapping' }).first().click();
  let dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name', { exact: true }).fill('first');
  await dialog.getByLabel('Listen port', { exact: true }).fill(String(taken));
  await dialog.getByLabel('Target host', { exact: true }).fill('127.0.0.1');
  await dialog.getByLabel('Target port', { exact: true }).fill(String(echo.port));
  await dialog.getByRole('button', { name: 'Create mapping' }).click();
  await expect(dialog).toBeHidden();

  await page.getByRole('button', { name: 'New mapping' }).first().click();
  dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name', { exact: true }).fill('second');
  await dialog.getByLabel('Target host', { exact: true }).fill('bad host!');
  await dialog.getByLabel('Target port', { exact: true }).fill('70000');
  await dialog.getByLabel('Listen port', { exact: true }).fill(String(taken));
  await dialog.getByLabel('Name', { exact: true }).click();
  await expect(dialog.getByText('not a valid host name or IP address')).toBeVisible();
  await expect(dialog.getByText('port must be between 1 and 65535')).toBeVisible();
  await expect(dialog.getByText(/already used by .*first/)).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Create mapping' })).toBeDisabled();
  await page.screenshot({ path: 'test-results/screenshots/dialog-validation.png' });
  await page.keyboard.press('Escape');
  await expect(page.locator('[data-testid="rule-row"]')).toHaveCount(1);
});

test('delete asks for confirmation and then removes the mapping and frees its port', async ({ page }) => {
  host = await startHost(data.dir);
  await page.goto(host.url);
  const port = await freePort();
  await page.getByRole('button', { name: 'New mapping' }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name', { exact: true }).fill('doomed');
  await dialog.getByLabel('Listen port', { exact: true }).fill(String(port));
  await dialog.getByLabel('Target host', { exact: true }).fill('127.0.0.1');
  await dialog.getByLabel('Target port', { exact: true }).fill(String(echo.port));
  await dialog.getByRole('button', { name: 'Create mapping' }).click();
  const row = page.locator('[data-testid="rule-row"][data-rule-name="doomed"]');
  await expect(row).toHaveAttribute('data-state', 'running');
  await row.getByRole('button', { name: 'Delete doomed' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await expect(row).toHaveCount(1);
  await row.getByRole('button', { name: 'Delete doomed' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(row).toHaveCount(0);
  expect(await connectOutcome(port)).toBe('refused');
});

test('a wrong token gets no data: the page says so and the socket is refused', async ({ page }) => {
  host = await startHost(data.dir);
  const wrong = host.url.replace(/token=[0-9a-f]+/, `token=${'0'.repeat(64)}`);
  const frames: string[] = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
  await page.goto(wrong);
  await expect(page.getByText(/reconnecting|token|disconnected/i).first()).toBeVisible();
  expect(frames).toEqual([]);
  await expect(page.locator('[data-testid="rule-row"]')).toHaveCount(0);

  // The same from a plain client: its wrong token is answered by closing the socket; no message ever arrives.
  const ws = new WebSocket(`${host.origin.replace('http', 'ws')}/api`, { headers: { Origin: host.origin } });
  ws.on('error', () => undefined);
  const got: string[] = [];
  ws.on('message', (d) => got.push(d.toString()));
  await new Promise<void>((r) => ws.on('open', () => r()));
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  ws.send(JSON.stringify({ t: 'auth', token: '0'.repeat(64) }));
  expect(await closed).toBe(WS_CLOSE_BAD_TOKEN);
  expect(got).toEqual([]);
});
