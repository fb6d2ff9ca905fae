import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { TestApi } from './support/api';
import { type Host, freePort, startHost, tempDataDir } from './support/host';

// A preview the host starts before any window listens — `porthole ui --import FILE` here, a cold
// start from a porthole:// link or an opened file in the desktop app — is kept by the host until a
// window claims it, so the first window to connect shows it (it used to be sent to nobody and lost).

let data: ReturnType<typeof tempDataDir>;
let host: Host | undefined;
let api: TestApi | undefined;

test.beforeEach(() => {
  data = tempDataDir();
});

test.afterEach(async () => {
  api?.close();
  api = undefined;
  await host?.stop();
  host = undefined;
  data.cleanup();
});

test('the first window shows a preview the host offered before it connected, and only that window', async ({ page }) => {
  const file = join(data.dir, 'host-offer.yaml');
  const port = await freePort();
  writeFileSync(file, `porthole: 1\nrules:\n  - type: tcp-forward\n    name: offered early\n    listen: { host: 127.0.0.1, port: ${port} }\n    target: { host: 127.0.0.1, port: 9 }\n`);
  host = await startHost(data.dir, ['--listen', '127.0.0.1:0', '--import', file]);
  // Offered before the UI server even listened: no window could have been subscribed.
  expect(host.output()).toContain(`Import preview of ${file} (1 items) waits for the first window`);

  await page.goto(host.url);
  const dialog = page.getByRole('dialog', { name: /^Import/ });
  await expect(dialog.locator('[data-testid="import-file"][data-file-name="host-offer.yaml"]')).toBeVisible();
  await expect(dialog.locator('[data-testid="import-item"][data-item-name="offered early"]')).toBeVisible();
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('[data-testid="rule-row"][data-rule-name="offered early"]')).toBeVisible();

  // Handed out once: a window opened now (or a reload) finds nothing waiting.
  api = await TestApi.connect(host);
  expect(await api.call('imports.claim', {})).toEqual([]);
});
