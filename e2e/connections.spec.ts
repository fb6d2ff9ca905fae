import { mkdirSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { type Page } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { type Echo, type Host, freePort, roundTrip, startEcho } from './support/host';

// The Connections view and the dialog's Advanced section against the real CLI host, with long-lived
// client sockets held open by the test through a mapping to an echo server.

let host: Host | undefined;
let echo: Echo;
const sockets = new Set<Socket>();

test.beforeEach(async () => {
  echo = await startEcho();
  mkdirSync('test-results/screenshots', { recursive: true });
});

test.afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await echo.close();
});

/** A client socket through the mapping that stays open; cleaned up in afterEach. */
function openClient(port: number): Promise<Socket> {
  return new Promise((res, rej) => {
    const s = connect(port, '127.0.0.1');
    sockets.add(s);
    s.on('error', () => undefined);
    s.once('connect', () => res(s));
    s.once('error', rej);
  });
}

/** Writes `text` and resolves with the same number of bytes read back. */
function echoOnce(s: Socket, text: string): Promise<string> {
  return new Promise((res, rej) => {
    let got = '';
    const onData = (d: Buffer) => {
      got += d.toString();
      if (got.length >= text.length) {
        s.off('data', onData);
        res(got);
      }
    };
    s.on('data', onData);
    s.once('error', rej);
    s.write(text);
  });
}

/** What a refused client sees: the socket closes (reset or FIN) and no byte ever arrives. */
function refusedOutcome(port: number): Promise<{ data: number; closed: boolean }> {
  return new Promise((res) => {
    let data = 0;
    const s = connect(port, '127.0.0.1');
    sockets.add(s);
    s.on('data', (d) => (data += d.length));
    s.on('error', () => undefined);
    s.on('connect', () => s.write('hello?'));
    s.on('close', () => res({ data, closed: true }));
  });
}

async function createMapping(page: Page, name: string, listenPort: number, allow?: string): Promise<void> {
  await page.getByRole('button', { name: 'New mapping' }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByLabel('Listen port', { exact: true }).fill(String(listenPort));
  await dialog.getByLabel('Target host', { exact: true }).fill('127.0.0.1');
  await dialog.getByLabel('Target port', { exact: true }).fill(String(echo.port));
  if (allow !== undefined) {
    await dialog.getByRole('button', { name: 'Advanced' }).click();
    await dialog.getByLabel('Allow from', { exact: true }).fill(allow);
  }
  await dialog.getByRole('button', { name: 'Create mapping' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator(`[data-testid="rule-row"][data-rule-name="${name}"]`)).toHaveAttribute('data-state', 'running');
}

test('the Connections view lists live connections, filters them and closes one', async ({ page, porthole }) => {
  host = await porthole.start();
  await page.goto(host.url);
  const port = await freePort();
  await createMapping(page, 'Echo conns', port);

  const a = await openClient(port);
  const b = await openClient(port);
  expect(await echoOnce(a, 'hello')).toBe('hello');
  expect(await echoOnce(b, 'hi there!')).toBe('hi there!');
  const clientA = `127.0.0.1:${a.localPort}`;
  const clientB = `127.0.0.1:${b.localPort}`;

  // The mapping row links to its connections once the stats tick has counted them.
  const link = page.locator('[data-testid="rule-row"][data-rule-name="Echo conns"]').getByRole('button', { name: /^2 open/ });
  await expect(link).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/mappings-open-link.png' });
  await link.click();
  await expect(page.getByRole('tab', { name: 'Connections' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByLabel('Mapping', { exact: true })).toHaveValue(/.+/);
  await page.getByLabel('Mapping', { exact: true }).selectOption({ label: 'All mappings' });

  const table = page.getByRole('table', { name: 'Connections' });
  const rows = table.getByTestId('connection-row');
  await expect(rows).toHaveCount(2);
  const rowA = table.locator(`[data-testid="connection-row"][data-client="${clientA}"]`);
  const rowB = table.locator(`[data-testid="connection-row"][data-client="${clientB}"]`);
  await expect(rowA).toContainText('Echo conns');
  await expect(rowA.getByTestId('conn-bytes-in')).toHaveAttribute('data-value', '5');
  await expect(rowA.getByTestId('conn-bytes-out')).toHaveAttribute('data-value', '5');
  await expect(rowA.getByTestId('conn-bytes-in')).toHaveText('5 B');
  await expect(rowB.getByTestId('conn-bytes-in')).toHaveAttribute('data-value', '9');
  await expect(rowB.getByTestId('conn-bytes-out')).toHaveAttribute('data-value', '9');
  await expect(page.getByTestId('connection-count')).toHaveText('2 connections');

  // Sorting by client flips with a second click and says so with aria-sort.
  const clientHeader = table.getByRole('columnheader', { name: 'Client' });
  await clientHeader.getByRole('button').click();
  await expect(clientHeader).toHaveAttribute('aria-sort', 'ascending');
  await clientHeader.getByRole('button').click();
  await expect(clientHeader).toHaveAttribute('aria-sort', 'descending');
  const order = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-client')));
  expect(order).toEqual([clientA, clientB].sort((x, y) => y.localeCompare(x, undefined, { numeric: true })));

  await page.screenshot({ path: 'test-results/screenshots/connections-view.png' });

  // Filter on one client's port.
  const filter = page.getByLabel('Filter connections');
  await filter.fill(String(a.localPort));
  await expect(rows).toHaveCount(1);
  await expect(rowA).toBeVisible();
  await expect(page.getByTestId('connection-count')).toHaveText('1 of 2 connections');
  await filter.fill('');
  await expect(rows).toHaveCount(2);

  // Close A from the UI: its socket sees the close, the row goes, B still echoes.
  const aClosed = new Promise<void>((r) => a.once('close', () => r()));
  a.on('error', () => undefined);
  await rowA.getByRole('button', { name: `Close connection from ${clientA}` }).click();
  await aClosed;
  await expect(rowA).toHaveCount(0);
  await expect(rows).toHaveCount(1);
  expect(await echoOnce(b, 'still here')).toBe('still here');
  await expect(rowB.getByTestId('conn-bytes-in')).toHaveAttribute('data-value', String(9 + 'still here'.length));

  // Closing the last one leaves the empty state.
  await rowB.getByRole('button', { name: `Close connection from ${clientB}` }).click();
  await expect(page.getByText('No open connections')).toBeVisible();

  // The tabs work from the keyboard.
  await page.getByRole('tab', { name: 'Connections' }).focus();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByRole('tab', { name: 'Dashboard' })).toBeFocused();
  await expect(page.getByRole('tab', { name: 'Dashboard' })).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Home');
  await expect(page.getByRole('tab', { name: 'Mappings' })).toBeFocused();
  await expect(page.getByRole('tab', { name: 'Mappings' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('[data-testid="rule-row"]')).toHaveCount(1);
});

test('an allow list set in the Advanced section refuses other sources until edited', async ({ page, porthole }) => {
  host = await porthole.start();
  await page.goto(host.url);
  const port = await freePort();
  await createMapping(page, 'Allow-listed', port, '10.0.0.0/8');

  expect(await refusedOutcome(port)).toEqual({ data: 0, closed: true });
  await expect(page.getByTestId('log-lines')).toContainText(/Refused 127\.0\.0\.1:\d+/);

  // Edit: the saved list is there, the section says it differs from the defaults.
  const row = page.locator('[data-testid="rule-row"][data-rule-name="Allow-listed"]');
  await row.getByRole('button', { name: 'Edit Allow-listed' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('advanced-summary')).toHaveText('1 setting differs from the defaults');
  await dialog.getByRole('button', { name: 'Advanced' }).click();
  const allow = dialog.getByLabel('Allow from', { exact: true });
  await expect(allow).toHaveValue('10.0.0.0/8');
  await allow.fill('127.0.0.1');
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await expect(dialog).toBeHidden();

  await expect
    .poll(async () => (await roundTrip(port, Buffer.from('let me in')).catch(() => Buffer.alloc(0))).toString())
    .toBe('let me in');
});

test('the Advanced section validates each allow entry and blocks submit', async ({ page, porthole }) => {
  host = await porthole.start();
  await page.goto(host.url);
  await page.getByRole('button', { name: 'New mapping' }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name', { exact: true }).fill('Validated');
  await dialog.getByLabel('Listen host', { exact: true }).fill('192.168.1.20');
  await dialog.getByLabel('Listen port', { exact: true }).fill(String(await freePort()));
  await dialog.getByLabel('Target host', { exact: true }).fill('127.0.0.1');
  await dialog.getByLabel('Target port', { exact: true }).fill(String(echo.port));
  await expect(dialog.getByText('Listening on 192.168.1.20 makes this port reachable from other machines')).toBeVisible();
  await expect(dialog.getByLabel('Allow from', { exact: true })).toBeHidden();

  const toggle = dialog.getByRole('button', { name: 'Advanced' });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(dialog.getByLabel('Max connections', { exact: true })).toHaveValue('0');
  await expect(dialog.getByLabel('Connect timeout (s)', { exact: true })).toHaveValue('10');
  await expect(dialog.getByLabel('Idle timeout (s)', { exact: true })).toHaveValue('0');
  await expect(dialog.getByLabel('TCP keepalive', { exact: true })).toBeChecked();
  await expect(dialog.getByLabel('PROXY protocol', { exact: true })).toHaveValue('off');
  await expect(dialog.getByText("Sends the client's real address to the target; the target must expect it")).toBeVisible();

  await dialog.getByLabel('Allow from', { exact: true }).fill('10.0.0.0/8\n300.1.1.1/8');
  await dialog.getByLabel('Deny from', { exact: true }).click();
  await expect(dialog.getByText('“300.1.1.1/8”: not an IP address or CIDR range (e.g. 192.168.1.0/24)')).toBeVisible();
  await expect(dialog.getByLabel('Allow from', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(dialog.getByRole('button', { name: 'Create mapping' })).toBeDisabled();

  // The section stays open while a field inside is wrong, even when asked to close.
  await toggle.click();
  await expect(dialog.getByLabel('Allow from', { exact: true })).toBeVisible();
  await dialog.getByLabel('PROXY protocol', { exact: true }).selectOption('v2');
  await dialog.getByLabel('Connect timeout (s)', { exact: true }).fill('2.5');
  await page.screenshot({ path: 'test-results/screenshots/dialog-advanced-800.png' });
  // Tall enough for the whole dialog in one picture (at 800 px it scrolls inside).
  await page.setViewportSize({ width: 1280, height: 1100 });
  await dialog.screenshot({ path: 'test-results/screenshots/dialog-advanced.png' });
  await page.setViewportSize({ width: 1280, height: 800 });

  // UDP shows its own fields.
  await dialog.getByLabel('Protocol', { exact: true }).selectOption('udp-forward');
  await expect(dialog.getByLabel('Max sessions', { exact: true })).toHaveValue('1000');
  await expect(dialog.getByLabel('Idle timeout (s)', { exact: true })).toHaveValue('60');
  await expect(dialog.getByLabel('Connect timeout (s)', { exact: true })).toHaveCount(0);

  await dialog.getByLabel('Allow from', { exact: true }).fill('10.0.0.0/8');
  await expect(dialog.getByRole('button', { name: 'Create mapping' })).toBeEnabled();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
});
