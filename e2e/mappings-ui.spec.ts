/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { type AddressInfo, type Server, createServer } from 'node:net';
import { type Page } from '@playwright/test';
import { type PortholeControl, expect, test } from './support/fixtures';
import type { TestApi } from './support/api';
import { type Echo, type Host, connectOutcome, freePort, roundTrip, startEcho } from './support/host';

// The Mappings view as a person works with it: groups with one switch each, search and tag filter,
// a detail pane with the error of a failing mapping, copy, duplicate, and the keyboard.

let host: Host | undefined;
let api: TestApi | undefined;
let echo: Echo;
let squatter: Server | undefined;
const ports: Record<string, number> = {};
let takenPort = 0;
/** This test's host lifecycle (e2e/support/fixtures.ts), for the helpers below. */
let porthole: PortholeControl;

test.beforeEach(({ porthole: fixture }) => {
  porthole = fixture;
});

const SHOTS = 'test-results/screenshots';
const row = (page: Page, name: string) => page.locator(`[data-testid="rule-row"][data-rule-name="${name}"]`);
const group = (page: Page, name: string) => page.locator(`[data-testid="mapping-group"][data-group="${name}"]`);
/** Screenshots show the list, not the log panel (it has its own). */
async function collapseLogs(page: Page): Promise<void> {
  const toggle = page.locator('.log-toggle');
  if ((await toggle.getAttribute('aria-expanded')) === 'true') await toggle.click();
}
const rowNames = (page: Page) => page.locator('[data-testid="rule-row"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-rule-name')));

test.beforeEach(async ({ page }) => {
  echo = await startEcho();
  host = await porthole.start();
  api = await porthole.api();
  squatter = createServer();
  await new Promise<void>((r) => squatter!.listen(0, '127.0.0.1', r));
  takenPort = (squatter.address() as AddressInfo).port;
  const rule = async (name: string, extra: object = {}, port?: number) => {
    ports[name] = port ?? (await freePort());
    await api!.call('rules.create', {
      type: 'tcp-forward',
      name,
      enabled: true,
      listen: { host: '127.0.0.1', port: ports[name] },
      target: { host: '127.0.0.1', port: echo.port },
      ...extra,
    });
  };
  await rule('Web (staging)', { group: 'Staging', tags: ['web', 'staging'] });
  await rule('API (staging)', { group: 'Staging', tags: ['api'] });
  await rule('Postgres', { group: 'Databases', tags: ['db'] });
  await rule('Redis', { group: 'Databases', tags: ['db', 'cache'], enabled: false });
  await rule('Metrics exporter', { tags: ['ops'] }, takenPort);
  await rule('Loose end');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(host.url);
  await expect(row(page, 'Web (staging)')).toHaveAttribute('data-state', 'running');
  await expect(row(page, 'Metrics exporter')).toHaveAttribute('data-state', 'failed');
});

test.afterEach(async () => {
  await echo.close();
  await new Promise<void>((r) => (squatter ? squatter.close(() => r()) : r()));
});

test('groups: headers with counts, collapse, and one switch that turns the whole group on and off', async ({ page }) => {
  await expect(page.getByTestId('mapping-group')).toHaveCount(3);
  expect(await page.getByTestId('mapping-group').evaluateAll((els) => els.map((e) => e.getAttribute('data-group')))).toEqual(['Databases', 'Staging', '']);
  await expect(group(page, 'Staging').getByTestId('group-count')).toHaveText('2 of 2 running');
  await expect(group(page, 'Databases').getByTestId('group-count')).toHaveText('1 of 2 running · 1 on');
  await expect(group(page, '').getByRole('button', { name: 'Ungrouped' })).toBeVisible();

  mkdirSync(SHOTS, { recursive: true });
  await collapseLogs(page);
  await page.screenshot({ path: `${SHOTS}/mappings-groups.png` });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: `${SHOTS}/mappings-groups-dark.png` });
  await page.emulateMedia({ colorScheme: 'light' });

  // Collapse hides the rows (and says so to assistive tech); expanding brings them back.
  const toggle = group(page, 'Databases').getByRole('button', { name: 'Databases' });
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(row(page, 'Postgres')).toHaveCount(0);
  await expect(group(page, 'Databases').getByTestId('group-count')).toHaveText('1 of 2 running · 1 on');
  await toggle.press('Enter');
  await expect(row(page, 'Postgres')).toBeVisible();

  // The group switch: all of Staging off (their ports close), then on again.
  const stagingSwitch = group(page, 'Staging').getByRole('switch', { name: 'Enable every mapping in Staging' });
  await expect(stagingSwitch).toHaveAttribute('aria-checked', 'true');
  await stagingSwitch.click();
  await expect(row(page, 'Web (staging)')).toHaveAttribute('data-state', 'stopped');
  await expect(row(page, 'API (staging)')).toHaveAttribute('data-state', 'stopped');
  await expect(group(page, 'Staging').getByTestId('group-count')).toHaveText('0 of 2 running');
  await expect(stagingSwitch).toHaveAttribute('aria-checked', 'false');
  expect(await connectOutcome(ports['Web (staging)']!)).toBe('refused');
  await expect(row(page, 'Postgres')).toHaveAttribute('data-state', 'running');
  await stagingSwitch.press('Space');
  await expect(row(page, 'Web (staging)')).toHaveAttribute('data-state', 'running');
  await expect(row(page, 'API (staging)')).toHaveAttribute('data-state', 'running');
  expect((await roundTrip(ports['API (staging)']!, Buffer.from('hi'))).toString()).toBe('hi');

  // Databases is half on: its switch reads off, and turns every one of them on.
  const dbSwitch = group(page, 'Databases').getByRole('switch', { name: 'Enable every mapping in Databases' });
  await expect(dbSwitch).toHaveAttribute('aria-checked', 'false');
  await dbSwitch.click();
  await expect(row(page, 'Redis')).toHaveAttribute('data-state', 'running');
  await expect(group(page, 'Databases').getByTestId('group-count')).toHaveText('2 of 2 running');
  // The ungrouped section has no group switch (the host switches groups by name).
  await expect(group(page, '').getByRole('switch', { name: /every mapping/ })).toHaveCount(0);
});

test('search filters by name, address, tag and group; the tag filter narrows too; / and Ctrl+F focus the box', async ({ page }) => {
  const search = page.getByRole('searchbox', { name: 'Search mappings' });
  await page.locator('body').press('/');
  await expect(search).toBeFocused();
  await page.keyboard.type('postgres');
  await expect.poll(() => rowNames(page)).toEqual(['Postgres']);
  await expect(page.getByTestId('mapping-count')).toHaveText('1 of 6 shown');
  await expect(page.getByTestId('mapping-group')).toHaveCount(1);

  await search.fill(`127.0.0.1:${ports['Loose end']}`);
  await expect.poll(() => rowNames(page)).toEqual(['Loose end']);
  await search.fill('staging');
  await expect.poll(() => rowNames(page)).toEqual(['Web (staging)', 'API (staging)']);
  await search.fill('cache');
  await expect.poll(() => rowNames(page)).toEqual(['Redis']);
  await search.fill('databases');
  await expect.poll(() => rowNames(page)).toEqual(['Postgres', 'Redis']);
  await search.fill('no such thing');
  await expect(page.getByTestId('no-match')).toContainText('No mapping matches “no such thing”');
  // Esc clears the box, a second Esc leaves it.
  await search.press('Escape');
  await expect(search).toHaveValue('');
  await expect.poll(() => rowNames(page)).toHaveLength(6);
  await search.press('Escape');
  await expect(search).not.toBeFocused();

  await page.keyboard.press('Control+f');
  await expect(search).toBeFocused();
  await search.press('Escape');

  // Tag filter from the toolbar, then from a row's chip, combined with the search.
  await page.getByRole('button', { name: 'Tag db, 2 mappings' }).click();
  await expect(page.getByRole('button', { name: 'Tag db, 2 mappings' })).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => rowNames(page)).toEqual(['Postgres', 'Redis']);
  await search.fill('redis');
  await expect.poll(() => rowNames(page)).toEqual(['Redis']);
  await page.getByRole('button', { name: 'Clear filters' }).first().click();
  await expect.poll(() => rowNames(page)).toHaveLength(6);
  await row(page, 'Web (staging)').getByRole('button', { name: 'Show only mappings tagged web' }).click();
  await expect.poll(() => rowNames(page)).toEqual(['Web (staging)']);
  await row(page, 'Web (staging)').getByRole('button', { name: 'Stop filtering by tag web' }).click();
  await expect.poll(() => rowNames(page)).toHaveLength(6);
});

test('the detail pane shows the error and code of a failing mapping, its route, options and log; the pill says it on hover', async ({ page }) => {
  const failing = row(page, 'Metrics exporter');
  const pill = failing.getByTestId('status');
  await expect(pill).toHaveAttribute('title', new RegExp(`port ${takenPort} on 127.0.0.1 is already in use.*\\[PORT_IN_USE\\]`));
  await failing.locator('.row-name').click();
  await expect(failing).toHaveAttribute('aria-current', 'true');
  const detail = page.getByTestId('mapping-detail');
  await expect(detail.getByRole('heading', { name: 'Metrics exporter' })).toBeVisible();
  await expect(detail.getByTestId('detail-state')).toHaveAttribute('data-state', 'failed');
  await expect(detail.getByTestId('detail-error')).toContainText(`port ${takenPort} on 127.0.0.1 is already in use`);
  await expect(detail.getByTestId('detail-error-code')).toHaveText('PORT_IN_USE');
  await expect(detail.getByRole('list', { name: /Recent log lines/ })).toContainText(/already in use/);
  await expect(detail.getByTestId('facts-route')).toContainText(`127.0.0.1:${takenPort}`);
  await expect(detail.getByTestId('facts-options')).toContainText('Max connections');
  await expect(detail.getByLabel('Organisation')).toContainText('ops');

  mkdirSync(SHOTS, { recursive: true });
  await collapseLogs(page);
  await page.screenshot({ path: `${SHOTS}/mappings-detail-error.png` });

  // A running mapping with traffic: totals, connections, the bigger chart.
  const web = ports['Web (staging)']!;
  const chunk = Buffer.alloc(96 * 1024, 7);
  for (let i = 0; i < 6; i++) {
    await roundTrip(web, chunk);
    await new Promise((r) => setTimeout(r, 350));
  }
  await row(page, 'Web (staging)').click({ position: { x: 300, y: 12 } });
  await expect(detail.getByRole('heading', { name: 'Web (staging)' })).toBeVisible();
  await expect(detail.getByTestId('detail-totals')).toHaveText('576 KiB / 576 KiB');
  await expect(detail.getByTestId('detail-connections')).toContainText('0 open, 6 since start');
  await expect(detail.getByTestId('rate-chart').locator('canvas')).toBeVisible();
  await expect(detail.getByRole('list', { name: /Recent log lines/ })).toContainText(`Listening on 127.0.0.1:${web}`);
  await expect(detail.getByTestId('facts-route')).toContainText(`Bound to127.0.0.1:${web}`);
  await page.screenshot({ path: `${SHOTS}/mappings-detail.png` });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: `${SHOTS}/mappings-detail-dark.png` });
  await page.emulateMedia({ colorScheme: 'light' });

  await detail.getByRole('button', { name: 'Close details' }).click();
  await expect(detail).toHaveCount(0);
});

test('copy puts the listen address on the clipboard and says "Copied"', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: host!.origin });
  const copy = row(page, 'Postgres').getByRole('button', { name: 'Copy address of Postgres' });
  await copy.click();
  await expect(copy).toHaveText('✓ Copied');
  await expect(page.getByRole('status').filter({ hasText: `Copied 127.0.0.1:${ports.Postgres}` })).toHaveCount(1);
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`127.0.0.1:${ports.Postgres}`);
  await expect(copy).not.toHaveText('✓ Copied', { timeout: 4000 });
  // The same from the detail pane.
  await row(page, 'Loose end').click({ position: { x: 300, y: 12 } });
  await page.getByTestId('mapping-detail').getByRole('button', { name: `Copy address 127.0.0.1:${ports['Loose end']}` }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`127.0.0.1:${ports['Loose end']}`);
});

test('duplicate makes a switched-off copy on a free port, in the same group with the same tags; the editor edits group and tags', async ({ page }) => {
  await row(page, 'Web (staging)').getByRole('button', { name: 'Duplicate Web (staging)' }).click();
  const copy = row(page, 'Web (staging) (copy)');
  await expect(copy).toHaveAttribute('data-state', 'stopped');
  await expect(copy).toHaveAttribute('aria-current', 'true');
  await expect(copy).toBeFocused();
  await expect(copy.getByRole('switch', { name: 'Enable Web (staging) (copy)' })).toHaveAttribute('aria-checked', 'false');
  await expect(group(page, 'Staging').getByTestId('rule-row')).toHaveCount(3);
  await expect(page.getByText(/Duplicated “Web \(staging\)” as “Web \(staging\) \(copy\)” listening on port \d+/)).toBeVisible();
  const rules = await api!.call<{ rule: { name: string; group?: string; tags: string[]; enabled: boolean; listen: { port: number } } }[]>('rules.list');
  const made = rules.find((e) => e.rule.name === 'Web (staging) (copy)')!.rule;
  const taken = new Set(Object.values(ports));
  expect(made).toMatchObject({ group: 'Staging', tags: ['web', 'staging'], enabled: false });
  expect(taken.has(made.listen.port)).toBe(false);
  await expect(page.getByTestId('mapping-detail').getByTestId('facts-route')).toContainText(`127.0.0.1:${made.listen.port}`);

  // Duplicating again picks another name and port.
  await row(page, 'Web (staging)').getByRole('button', { name: 'Duplicate Web (staging)' }).click();
  await expect(row(page, 'Web (staging) (copy 2)')).toHaveCount(1);

  // The editor shows group and tags; changing them moves the row.
  await copy.getByRole('button', { name: 'Edit Web (staging) (copy)' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByLabel('Group', { exact: true })).toHaveValue('Staging');
  await expect(dialog.getByLabel('Tags', { exact: true })).toHaveValue('web, staging');
  await dialog.getByRole('button', { name: 'Remove tag staging' }).click();
  await expect(dialog.getByLabel('Tags', { exact: true })).toHaveValue('web');
  await dialog.getByLabel('Tags', { exact: true }).fill('web, canary');
  await dialog.getByLabel('Group', { exact: true }).fill('Canary');
  await expect(dialog.getByRole('list', { name: 'Tags entered' }).getByRole('listitem')).toHaveCount(2);
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/mappings-editor-group-tags.png` });
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await expect(dialog).toBeHidden();
  await expect(group(page, 'Canary').getByTestId('rule-row')).toHaveCount(1);
  await expect(row(page, 'Web (staging) (copy)').getByRole('button', { name: 'Show only mappings tagged canary' })).toBeVisible();

  // A new mapping can join an existing group (suggested by the datalist).
  await page.getByRole('button', { name: 'New mapping' }).first().click();
  const create = page.getByRole('dialog');
  expect(await create.locator('#rule-group-options option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual([
    'Canary',
    'Databases',
    'Staging',
  ]);
  await create.getByLabel('Name', { exact: true }).fill('Mongo');
  await create.getByLabel('Listen port', { exact: true }).fill(String(await freePort()));
  await create.getByLabel('Target host', { exact: true }).fill('127.0.0.1');
  await create.getByLabel('Target port', { exact: true }).fill(String(echo.port));
  await create.getByLabel('Group', { exact: true }).fill('Databases');
  await create.getByLabel('Tags', { exact: true }).fill('db, nosql');
  await create.getByRole('button', { name: 'Create mapping' }).click();
  await expect(group(page, 'Databases').getByTestId('rule-row')).toHaveCount(3);
  await expect(row(page, 'Mongo')).toHaveAttribute('data-state', 'running');
});

test('keyboard: arrows move the selection, Enter edits, Space and T toggle, Delete asks, N creates, ? shows the shortcuts', async ({ page }) => {
  await page.locator('body').press('ArrowDown');
  const order = ['Postgres', 'Redis', 'Web (staging)', 'API (staging)', 'Metrics exporter', 'Loose end'];
  expect(await rowNames(page)).toEqual(order);
  await expect(row(page, 'Postgres')).toBeFocused();
  await expect(row(page, 'Postgres')).toHaveAttribute('aria-current', 'true');
  await expect(page.getByTestId('mapping-detail').getByRole('heading', { level: 2 })).toHaveText('Postgres');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(row(page, 'Web (staging)')).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(row(page, 'Redis')).toBeFocused();
  await expect(page.getByTestId('mapping-detail').getByRole('heading', { level: 2 })).toHaveText('Redis');
  await page.keyboard.press('End');
  await expect(row(page, 'Loose end')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(row(page, 'Loose end')).toBeFocused();
  await page.keyboard.press('Home');
  await expect(row(page, 'Postgres')).toBeFocused();

  // Only the selected row is a Tab stop; Tab goes into its controls.
  expect(await page.locator('[data-testid="rule-row"][tabindex="0"]').count()).toBe(1);
  await page.keyboard.press('Tab');
  await expect(row(page, 'Postgres').getByRole('switch', { name: 'Enable Postgres' })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(row(page, 'Postgres')).toBeFocused();

  // Enter opens the editor of the selected mapping.
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog')).toContainText('Edit Postgres');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(row(page, 'Postgres')).toBeFocused();

  // Space and T switch it off and on.
  await page.keyboard.press('Space');
  await expect(row(page, 'Postgres')).toHaveAttribute('data-state', 'stopped');
  expect(await connectOutcome(ports.Postgres!)).toBe('refused');
  await page.keyboard.press('t');
  await expect(row(page, 'Postgres')).toHaveAttribute('data-state', 'running');

  // Delete asks first; Cancel keeps it.
  await page.keyboard.press('Delete');
  const ask = page.getByRole('dialog');
  await expect(ask).toContainText('Delete mapping Postgres?');
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await expect(row(page, 'Postgres')).toHaveCount(1);

  // N and Ctrl+N: a new mapping. Letters do nothing while typing in a field.
  await page.keyboard.press('n');
  await expect(page.getByRole('dialog')).toContainText('New mapping');
  await page.getByRole('dialog').getByLabel('Name', { exact: true }).press('t');
  await expect(page.getByRole('dialog').getByLabel('Name', { exact: true })).toHaveValue('t');
  await page.keyboard.press('Escape');
  await row(page, 'Postgres').focus();
  await page.keyboard.press('Control+n');
  await expect(page.getByRole('dialog')).toContainText('New mapping');
  await page.keyboard.press('Escape');

  // ? shows the shortcuts (and the toolbar button does too).
  await row(page, 'Postgres').focus();
  await page.keyboard.press('Shift+?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  await expect(help).toContainText('Switch the selected mapping on or off');
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/mappings-shortcuts.png` });
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);
  await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
  await expect(help).toBeVisible();
  await help.getByRole('button', { name: 'Close' }).click();

  // Esc in the list closes the details.
  await row(page, 'Postgres').focus();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('mapping-detail')).toHaveCount(0);
});

test('every control in the list has a name, and the row controls are reachable with Tab', async ({ page }) => {
  const unnamed = await page.locator('.mappings button, .mappings input, .mappings [role="switch"]').evaluateAll((els) =>
    els.filter((e) => !(e.getAttribute('aria-label') || e.textContent?.trim() || e.getAttribute('aria-labelledby'))).map((e) => e.outerHTML),
  );
  expect(unnamed).toEqual([]);
  // Tab from the search box walks into the list: tag filters, help, the group header, then the first row and its controls.
  await page.getByRole('searchbox', { name: 'Search mappings' }).focus();
  const seen: string[] = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    seen.push(await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent?.trim() ?? ''));
  }
  expect(seen).toContain('Enable every mapping in Databases');
  // The group toggle's chevron is aria-hidden; its name is the group's.
  expect(seen).toContain('▾Databases');
  await expect(group(page, 'Databases').getByRole('button', { name: 'Databases', exact: true })).toHaveAttribute('aria-expanded', 'true');
  expect(seen).toContain('Copy address of Postgres');
  expect(seen).toContain('Duplicate Postgres');
  expect(seen).toContain('Show only mappings tagged db');
});
