import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { type AddressInfo, type Server, createServer } from 'node:net';
import { type Page } from '@playwright/test';
import { expect, test } from './support/fixtures';
import type { TestApi } from './support/api';
import { type Echo, type Host, freePort, roundTrip, startEcho } from './support/host';

// The dashboard (live throughput, top mappings, mappings in trouble, traffic history kept on this
// machine) and the settings (theme, language, stats interval, desktop-only switches) against a real
// `porthole ui` host, with real traffic through a tcp-forward to a local echo server.

let host: Host | undefined;
let api: TestApi | undefined;
let echo: Echo;
let squatter: Server | undefined;

test.beforeAll(() => mkdirSync('test-results/screenshots', { recursive: true }));

test.beforeEach(async () => {
  echo = await startEcho();
});

test.afterEach(async () => {
  await echo.close();
  await new Promise<void>((r) => (squatter ? squatter.close(() => r()) : r()));
  squatter = undefined;
});

const tcpRule = (name: string, listen: number, target: number, extra: object = {}) => ({
  type: 'tcp-forward',
  name,
  enabled: true,
  listen: { host: '127.0.0.1', port: listen },
  target: { host: '127.0.0.1', port: target },
  ...extra,
});

/** The whole view in one picture: the log panel folded and a window tall enough for it. */
async function shoot(page: Page, name: string): Promise<void> {
  const toggle = page.locator('.log-toggle');
  if ((await toggle.getAttribute('aria-expanded')) === 'true') await toggle.click();
  await page.setViewportSize({ width: 1280, height: 1180 });
  await page.locator('.app-main').evaluate((el) => el.scrollTo(0, 0));
  await page.screenshot({ path: `test-results/screenshots/${name}.png` });
  await page.setViewportSize({ width: 1280, height: 800 });
}

async function openTab(page: Page, name: string): Promise<void> {
  await page.getByRole('tab', { name }).click();
  await expect(page.getByRole('tab', { name })).toHaveAttribute('aria-selected', 'true');
}

/** Pushes random chunks through the mapping for `ms` and returns how many bytes went each way. */
async function pushTraffic(port: number, ms: number, chunk = 96 * 1024): Promise<number> {
  const payload = randomBytes(512 * 1024);
  let sent = 0;
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const size = chunk + Math.floor(Math.random() * chunk);
    const back = await roundTrip(port, payload.subarray(0, size));
    expect(back.length).toBe(size);
    sent += size;
    await new Promise((r) => setTimeout(r, 30));
  }
  return sent;
}

test('the dashboard shows live throughput, the busiest mapping, the failing one and today’s bytes', async ({ page, porthole }) => {
  host = await porthole.start();
  api = await porthole.api();
  squatter = createServer();
  await new Promise<void>((r) => squatter!.listen(0, '127.0.0.1', r));
  const takenPort = (squatter.address() as AddressInfo).port;
  const web = await freePort();
  const db = await freePort();
  await api.call('rules.create', tcpRule('Web app (staging)', web, echo.port));
  await api.call('rules.create', tcpRule('Postgres', db, echo.port));
  await api.call('rules.create', tcpRule('Metrics exporter', takenPort, echo.port));
  await api.call('rules.create', tcpRule('Old VNC', await freePort(), 5900, { enabled: false }));

  await page.goto(host.url);
  await openTab(page, 'Dashboard');
  const dash = page.getByTestId('dashboard');
  const chart = page.getByTestId('throughput-chart');
  await expect(dash).toBeVisible();
  await expect(page.getByTestId('tile-running')).toContainText('2 of 4');
  await expect(chart).toHaveAttribute('data-max-in', '0');

  // The port is taken: the mapping shows up in trouble with the reason the host gave.
  const trouble = page.getByTestId('trouble-rule').filter({ has: page.getByRole('button', { name: 'Metrics exporter' }) });
  await expect(trouble).toHaveAttribute('data-kind', 'failed');
  await expect(trouble.getByTestId('trouble-message')).toContainText(new RegExp(`port ${takenPort} on 127\\.0\\.0\\.1 is already in use`));
  await expect(page.getByTestId('trouble-rule')).toHaveCount(1);

  // Traffic through "Web app" (and a little through "Postgres"): the chart rises and the top list has it while it flows.
  const pushing = pushTraffic(web, 9000);
  const dbSent = await pushTraffic(db, 2500, 8 * 1024);
  await expect.poll(async () => Number(await chart.getAttribute('data-max-in')), { timeout: 8000 }).toBeGreaterThan(50 * 1024);
  await expect.poll(async () => Number(await chart.getAttribute('data-max-out'))).toBeGreaterThan(50 * 1024);
  const topNow = page.getByTestId('top-by-rate').getByTestId('top-rule');
  await expect(topNow.first()).toHaveAttribute('data-rule-name', 'Web app (staging)');
  await expect.poll(async () => Number(await page.getByTestId('tile-rate').locator('.rate-in').getAttribute('data-value'))).toBeGreaterThan(0);
  const webSent = await pushing;

  // The range switch changes how much of the same history is drawn.
  await page.getByRole('group', { name: 'Time range' }).getByRole('button', { name: '1 min', exact: true }).click();
  await expect(page.getByRole('button', { name: '1 min', exact: true })).toHaveAttribute('aria-pressed', 'true');
  expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(5);

  // Traffic history: kept on this machine, and today's bytes are exactly what went through each way.
  const history = page.getByTestId('traffic-history');
  await expect(history.getByTestId('history-privacy')).toHaveText(/Kept on this machine only — never sent anywhere\./);
  const webRow = history.getByTestId('history-row').filter({ hasText: 'Web app (staging)' });
  const cell = (row: typeof webRow, id: string) => row.getByTestId(id).getAttribute('data-value').then(Number);
  await expect
    .poll(async () => {
      await history.getByRole('button', { name: 'Refresh' }).click();
      return cell(webRow, 'history-today-in');
    })
    .toBe(webSent);
  expect(await cell(webRow, 'history-today-out')).toBe(webSent);
  expect(await cell(webRow, 'history-all-in')).toBe(webSent);
  expect(await cell(webRow, 'history-week-out')).toBe(webSent);
  const dbRow = history.getByTestId('history-row').filter({ hasText: 'Postgres' });
  await expect.poll(() => cell(dbRow, 'history-today-in')).toBe(dbSent);
  expect(await cell(history.getByTestId('history-row').filter({ hasText: 'Old VNC' }), 'history-today-in')).toBe(0);
  const summary = await api.call<{ ruleId: string; today: { bytesIn: number } }[]>('traffic.summary');
  expect(summary.map((s) => s.today.bytesIn).sort((a, b) => a - b)).toEqual([dbSent, webSent].sort((a, b) => a - b));

  // Sorting: the biggest today first, then flipped.
  const names = () => history.getByTestId('history-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-rule-name')));
  expect((await names())[0]).toBe('Web app (staging)');
  await history.getByRole('button', { name: 'Today, in' }).click();
  expect((await names()).at(-1)).toBe('Web app (staging)');
  await history.getByRole('button', { name: 'Mapping', exact: true }).click();
  expect(await names()).toEqual(['Metrics exporter', 'Old VNC', 'Postgres', 'Web app (staging)']);

  // Top by today comes from the same history.
  await expect(page.getByTestId('top-by-today').getByTestId('top-rule').first()).toHaveAttribute('data-rule-name', 'Web app (staging)');

  // Keep a little traffic going so the screenshots have a live shape, light and dark (the OS preference).
  await pushTraffic(web, 2500, 32 * 1024);
  await shoot(page, 'dashboard');
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await shoot(page, 'dashboard-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');

  // A mapping in trouble links to it in Mappings.
  await trouble.getByRole('button', { name: 'Metrics exporter' }).click();
  await expect(page.getByRole('tab', { name: 'Mappings' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('[data-testid="rule-row"][data-rule-name="Metrics exporter"]')).toBeVisible();
});

test('settings: theme persists, the stats interval changes the tick, windows stay in sync, desktop switches are off', async ({ page, browser, porthole }) => {
  host = await porthole.start();
  api = await porthole.api();
  await api.call('rules.create', tcpRule('Web app', await freePort(), echo.port));

  // Every stats event this page receives, with when it arrived.
  const ticks: { at: number; intervalMs: number }[] = [];
  page.on('websocket', (ws) =>
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload !== 'string' || !payload.includes('"stats"')) return;
      const msg = JSON.parse(payload) as { t: string; e?: string; p?: { intervalMs: number } };
      if (msg.t === 'event' && msg.e === 'stats' && msg.p) ticks.push({ at: Date.now(), intervalMs: msg.p.intervalMs });
    }),
  );
  const medianGapOf = (intervalMs: number) => {
    const at = ticks.filter((t) => t.intervalMs === intervalMs).map((t) => t.at);
    const gaps = at.slice(1).map((t, i) => t - at[i]!).sort((a, b) => a - b);
    return gaps.length < 3 ? null : gaps[gaps.length >> 1]!;
  };

  await page.goto(host.url);
  await openTab(page, 'Settings');
  const settings = page.getByTestId('settings');
  await expect(settings).toBeVisible();

  // Browser mode: the desktop app's switches are there but off limits, and say why.
  const desktop = page.getByTestId('desktop-settings');
  for (const name of ['Start at login', 'Start hidden', 'Notifications']) await expect(desktop.getByRole('switch', { name })).toBeDisabled();
  await expect(page.getByRole('switch', { name: /Keep secrets in memory only/ })).toBeDisabled();
  await expect(desktop.getByText('Desktop app only')).toHaveCount(3);
  await expect(page.getByTestId('secrets-backend')).not.toBeEmpty();
  await shoot(page, 'settings');

  // Theme: dark applies at once, is kept by the host, and survives a reload and a fresh browser profile.
  const html = page.locator('html');
  await expect(html).toHaveAttribute('data-theme', 'light');
  await page.getByRole('radio', { name: 'Dark' }).check();
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await expect.poll(async () => (await api!.call<{ theme: string }>('settings.get')).theme).toBe('dark');
  await shoot(page, 'settings-dark');
  await page.reload();
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await openTab(page, 'Settings');
  await expect(page.getByRole('radio', { name: 'Dark' })).toBeChecked();
  const fresh = await browser.newContext({ colorScheme: 'light' });
  const other = await fresh.newPage();
  await other.goto(host.url);
  await expect(other.locator('html')).toHaveAttribute('data-theme', 'dark');

  // Two windows stay in sync through settings-changed: language here shows there at once.
  await other.getByRole('tab', { name: 'Settings' }).click();
  await page.getByLabel('Language').selectOption('zh-CN');
  await expect(html).toHaveAttribute('lang', 'zh-CN');
  await expect(other.getByLabel('语言', { exact: true })).toHaveValue('zh-CN');
  await expect(other.locator('html')).toHaveAttribute('lang', 'zh-CN');
  // Both windows now speak Chinese: tabs, labels and choices.
  await expect(other.getByRole('tab', { name: '设置' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tab', { name: '仪表盘' })).toBeVisible();
  await other.getByRole('radio', { name: '浅色' }).check();
  await expect(html).toHaveAttribute('data-theme', 'light');
  await other.getByLabel('语言', { exact: true }).selectOption('en');
  await expect(html).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('tab', { name: 'Settings' })).toBeVisible();
  await fresh.close();

  // Stats interval: at 2 s the host ticks every 2 s (seen on the socket and in the dashboard), then at 0.5 s.
  await expect.poll(() => medianGapOf(1000), { timeout: 10_000 }).not.toBeNull();
  await page.getByLabel('Update interval').selectOption('2000');
  await expect.poll(() => medianGapOf(2000), { timeout: 15_000 }).not.toBeNull();
  expect(Math.abs(medianGapOf(2000)! - 2000)).toBeLessThan(300);
  await openTab(page, 'Dashboard');
  await expect(page.getByTestId('tick-interval')).toHaveAttribute('data-interval-ms', '2000');
  await expect(page.getByTestId('tick-interval')).toContainText('Updated every 2 s');
  await expect.poll(async () => Math.abs(Number(await page.getByTestId('tick-interval').getAttribute('data-observed-ms')) - 2000), { timeout: 15_000 }).toBeLessThan(300);
  await openTab(page, 'Settings');
  await page.getByLabel('Update interval').selectOption('500');
  await expect.poll(() => medianGapOf(500), { timeout: 10_000 }).not.toBeNull();
  expect(Math.abs(medianGapOf(500)! - 500)).toBeLessThan(150);
  expect((await api.call<{ statsIntervalMs: number }>('settings.get')).statsIntervalMs).toBe(500);
});
