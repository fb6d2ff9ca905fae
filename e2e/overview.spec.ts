import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { type AddressInfo, type Server, createServer } from 'node:net';
import { expect, test } from './support/fixtures';
import type { TestApi } from './support/api';
import { type Echo, type Host, freePort, roundTrip, startEcho } from './support/host';

// Several mappings at once, as a person would have them: live traffic on some, one that cannot start.
// Also saves the overview screenshot the README shows.

let host: Host | undefined;
let api: TestApi | undefined;
let echo: Echo;
let squatter: Server | undefined;

test.beforeEach(async () => {
  echo = await startEcho();
});

test.afterEach(async () => {
  await echo.close();
  await new Promise<void>((r) => (squatter ? squatter.close(() => r()) : r()));
  squatter = undefined;
});

test('shows each mapping with its own state, traffic and error, and one failure does not stop the others', async ({ page, porthole }) => {
  host = await porthole.start();
  api = await porthole.api();
  squatter = createServer();
  await new Promise<void>((r) => squatter!.listen(0, '127.0.0.1', r));
  const takenPort = (squatter.address() as AddressInfo).port;
  const web = await freePort();
  const db = await freePort();
  const rule = (name: string, listen: number, target: number, extra: object = {}) => ({
    type: 'tcp-forward',
    name,
    enabled: true,
    listen: { host: '127.0.0.1', port: listen },
    target: { host: '127.0.0.1', port: target },
    ...extra,
  });
  await api.call('rules.create', rule('Web app (staging)', web, echo.port));
  await api.call('rules.create', rule('Postgres', db, echo.port));
  await api.call('rules.create', rule('Metrics exporter', takenPort, echo.port));
  await api.call('rules.create', rule('Old VNC', await freePort(), 5900, { enabled: false }));

  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(host.url);
  const row = (name: string) => page.locator(`[data-testid="rule-row"][data-rule-name="${name}"]`);
  await expect(row('Web app (staging)')).toHaveAttribute('data-state', 'running');
  await expect(row('Postgres')).toHaveAttribute('data-state', 'running');
  await expect(row('Old VNC')).toHaveAttribute('data-state', 'stopped');
  await expect(row('Metrics exporter')).toHaveAttribute('data-state', 'failed');
  // The failure names the port, the process holding it (the test runner here) and a free port to use.
  await expect(row('Metrics exporter')).toContainText(new RegExp(`port ${takenPort} on 127.0.0.1 is already in use by \\S+ \\(pid \\d+\\)`));
  await expect(row('Metrics exporter')).toContainText(/e\.g\. \d+/);

  // Several seconds of traffic so the sparklines have a shape.
  const chunk = randomBytes(512 * 1024);
  const deadline = Date.now() + 14_000;
  let sent = 0;
  while (Date.now() < deadline) {
    await roundTrip(web, chunk.subarray(0, 64 * 1024 + Math.floor(Math.random() * chunk.length * 0.8)));
    if (sent++ % 3 === 0) await roundTrip(db, chunk.subarray(0, 8 * 1024));
    await new Promise((r) => setTimeout(r, 40));
  }
  await expect.poll(async () => Number(await row('Web app (staging)').getByTestId('sparkline').getAttribute('data-points'))).toBeGreaterThan(3);
  await expect.poll(async () => Number(await row('Postgres').getByTestId('bytes-in').getAttribute('data-value'))).toBeGreaterThan(0);
  expect(Number(await row('Old VNC').getByTestId('bytes-in').getAttribute('data-value'))).toBe(0);

  mkdirSync('test-results/screenshots', { recursive: true });
  await page.screenshot({ path: 'test-results/screenshots/overview.png' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: 'test-results/screenshots/overview-dark.png' });
});
