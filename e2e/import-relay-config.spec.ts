import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { type Host, startHost, tempDataDir } from './support/host';

// Issue 15, "a way off frp": the import preview of an frpc config says the server side must run
// `porthole relay` and offers that relay's config as a file, in the browser UI.

let data: ReturnType<typeof tempDataDir>;
let host: Host | undefined;

test.beforeEach(() => {
  data = tempDataDir();
});

test.afterEach(async () => {
  if (host) await host.stop();
  host = undefined;
  data.cleanup();
});

test('the preview of a pasted frpc.toml saves the relay config for the server, with a new token when frp\'s is short', async ({ page }) => {
  host = await startHost(data.dir);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(host.url);
  await expect(page.getByTestId('empty-state')).toBeVisible();
  await page.getByRole('button', { name: 'Import' }).click();
  await page.getByRole('menuitem', { name: /Paste text/ }).click();
  const paste = page.getByRole('dialog', { name: 'Paste a config' });
  await paste.getByLabel('Config text').fill('serverAddr = "203.0.113.9"\nserverPort = 7000\nauth.token = "short"\n\n[[proxies]]\nname = "ssh"\nlocalPort = 22\nremotePort = 6022\n');
  await paste.getByRole('button', { name: 'Preview import' }).click();
  const dialog = page.getByRole('dialog', { name: /^Import/ });
  const file = dialog.getByTestId('import-file');
  await expect(file).toContainText("that machine must run `porthole relay` instead");
  const downloaded = page.waitForEvent('download');
  await file.getByRole('button', { name: 'Save the relay config for the server…' }).click();
  const dl = await downloaded;
  expect(dl.suggestedFilename()).toBe('porthole-relay.yaml');
  const yaml = readFileSync((await dl.path())!, 'utf8');
  expect(yaml).toContain('bind: 0.0.0.0:7000');
  expect(yaml).toMatch(/token: [A-Za-z0-9_-]{32}\n/);
  expect(yaml).toContain('- 6022');
  await expect(file.getByRole('status')).toHaveText(
    "Saved porthole-relay.yaml — on the server, run porthole relay --config porthole-relay.yaml. its token has 5 characters and Porthole's relay needs at least 16: the relay config has a new one",
  );
});
