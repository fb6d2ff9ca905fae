import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Locator, type Page, expect, test } from '@playwright/test';
import { TestApi } from './support/api';
import { type Host, freePort, startHost, tempDataDir } from './support/host';

// Issue 14 through the real UI: an import starts nothing unless "Start after import" is ticked (off by
// default), the preview marks every mapping that would listen where other machines can reach it, and
// a pasted ssh_config's Include is not followed (the included file never reaches the page).

const SHOTS = 'test-results/screenshots';

let data: ReturnType<typeof tempDataDir>;
let host: Host | undefined;
let api: TestApi | undefined;
let scratch: string;

test.beforeEach(() => {
  data = tempDataDir();
  scratch = mkdtempSync(join(tmpdir(), 'porthole-e2e-inc-'));
  mkdirSync(SHOTS, { recursive: true });
});

test.afterEach(async () => {
  api?.close();
  api = undefined;
  await host?.stop();
  host = undefined;
  data.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

const importDialog = (page: Page) => page.getByRole('dialog', { name: /^Import/ });
const item = (dialog: Locator, name: string) => dialog.locator(`[data-testid="import-item"][data-item-name="${name}"]`);

/** 'connected', or the error code of a TCP connect to 127.0.0.1:port. */
function connectResult(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

async function open(page: Page): Promise<void> {
  host = await startHost(data.dir);
  api = await TestApi.connect(host);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(host.url);
  await expect(page.getByTestId('empty-state')).toBeVisible();
}

async function paste(page: Page, text: string): Promise<void> {
  await page.getByRole('button', { name: 'Import' }).click();
  await page.getByRole('menuitem', { name: /Paste text/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Paste a config' });
  await dialog.getByLabel('Config text').fill(text);
  await dialog.getByRole('button', { name: 'Preview import' }).click();
  await expect(dialog).toBeHidden();
}

test('an import starts nothing unless ticked; the preview warns about a mapping every machine can reach', async ({ page }) => {
  await open(page);
  const [any, lo] = [await freePort(), await freePort()];
  const rule = (name: string, h: string, port: number) => `  - { type: tcp-forward, name: ${name}, enabled: true, listen: { host: "${h}", port: ${port} }, target: { host: 127.0.0.1, port: 9 } }`;
  await paste(page, `porthole: 1\nrules:\n${rule('Everyone', '0.0.0.0', any)}\n${rule('Local', '127.0.0.1', lo)}\n`);

  const dialog = importDialog(page);
  await expect(item(dialog, 'Everyone').getByTestId('off-loopback-badge')).toHaveText('⚠ reachable from other machines');
  await expect(item(dialog, 'Everyone').getByTestId('off-loopback-badge')).toHaveAttribute('title', `Once on, it listens on 0.0.0.0:${any}, which other machines can connect to`);
  await expect(item(dialog, 'Local').getByTestId('off-loopback-badge')).toHaveCount(0);
  const start = dialog.getByRole('checkbox', { name: 'Start after import' });
  await expect(start).not.toBeChecked();
  await expect(start).toBeEnabled();
  await expect(dialog.getByTestId('import-start')).toContainText('Imported mappings arrive switched off.');
  await expect(dialog.getByTestId('import-start-list')).toHaveCount(0);

  // Ticked, it lists what would start, the off-loopback one marked.
  await start.check();
  const list = dialog.getByTestId('import-start-list');
  await expect(list.locator('li')).toHaveText([`Everyone 0.0.0.0:${any}⚠ reachable from other machines`, `Local 127.0.0.1:${lo}`]);
  await dialog.screenshot({ path: `${SHOTS}/import-start-ticked.png` });
  // Skipping one takes it off the list.
  await item(dialog, 'Everyone').getByLabel('Action for Everyone').selectOption('skip');
  await expect(list.locator('li')).toHaveText([`Local 127.0.0.1:${lo}`]);
  await item(dialog, 'Everyone').getByLabel('Action for Everyone').selectOption('import');
  await start.uncheck();
  await dialog.screenshot({ path: `${SHOTS}/import-start-default.png` });

  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('import-toast')).toContainText('Imported 2 mappings · switched off until you switch them on');
  const rules = await api!.call<Array<{ rule: { name: string; enabled: boolean } }>>('rules.list');
  expect(rules.map((e) => [e.rule.name, e.rule.enabled])).toEqual([
    ['Everyone', false],
    ['Local', false],
  ]);
  expect([await connectResult(any), await connectResult(lo)]).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
});

test('with "Start after import" ticked the mappings listen once imported', async ({ page }) => {
  await open(page);
  const lo = await freePort();
  await paste(page, `porthole: 1\nrules:\n  - { type: tcp-forward, name: Local, enabled: true, listen: { host: 127.0.0.1, port: ${lo} }, target: { host: 127.0.0.1, port: 9 } }\n`);
  const dialog = importDialog(page);
  await dialog.getByRole('checkbox', { name: 'Start after import' }).check();
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByTestId('import-toast')).toContainText('Imported 1 mapping · 1 switched on');
  await expect.poll(() => connectResult(lo)).toBe('connected');
});

test('a pasted ssh_config’s Include is not followed: the included file never reaches the page', async ({ page }) => {
  await open(page);
  const marker = 'Vw3INCLUDEDmarker';
  const secret = join(scratch, 'secret.conf');
  writeFileSync(secret, `Host ${marker}\n  HostName ${marker}.example\n${marker}Line here\n`);
  await paste(page, `Include ${secret}\nHost lab\n  HostName 127.0.0.1\n  LocalForward ${await freePort()} 127.0.0.1:80\n`);
  const dialog = importDialog(page);
  await expect(dialog.getByText(`Include ${secret} was not followed:`, { exact: false })).toBeVisible();
  await expect(dialog.getByTestId('import-item')).toHaveCount(2);
  expect(await page.content()).not.toContain(marker);
  await dialog.screenshot({ path: `${SHOTS}/import-include-not-followed.png` });
});
