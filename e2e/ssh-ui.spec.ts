import { mkdirSync } from 'node:fs';
import { expect, test } from './support/fixtures';
import type { TestApi } from './support/api';
import { type Host, freePort } from './support/host';

// The SSH parts of the UI against the real host: saved servers (dialog, list, delete refused while in
// use) and an SSH mapping made from a quick start. No SSH connection is made (mappings stay off).

let host: Host | undefined;
let api: TestApi | undefined;

test.beforeEach(() => {
  mkdirSync('test-results/screenshots', { recursive: true });
});


test('save SSH servers, use one in an SSH mapping, and see the host refuse deleting it while in use', async ({ page, porthole }) => {
  host = await porthole.start();
  api = await porthole.api();
  await api.call('servers.create', {
    server: { name: 'Bastion', host: '127.0.0.2', user: 'ops', auth: { method: 'agent' } },
  });
  await page.goto(host.url);

  // A new server through the dialog, jumping through Bastion.
  await page.getByRole('tab', { name: 'Servers' }).click();
  await expect(page.locator('[data-testid="server-row"][data-server-name="Bastion"]')).toBeVisible();
  await page.getByRole('button', { name: 'New SSH server' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name', { exact: true }).fill('Build box');
  await dialog.getByLabel('Host', { exact: true }).fill('bad host!');
  await dialog.getByLabel('User', { exact: true }).fill('ci');
  await expect(dialog.getByText('not a valid host name or IP address')).toBeVisible();
  await dialog.getByLabel('Host', { exact: true }).fill('127.0.0.3');
  await expect(dialog.getByLabel('Port', { exact: true })).toHaveValue('22');
  await expect(dialog.getByLabel('Keepalive (s)', { exact: true })).toHaveValue('15');
  await dialog.getByLabel('Authentication', { exact: true }).selectOption({ label: 'Password' });
  await dialog.getByLabel('Password', { exact: true }).fill('s3cret');
  await expect(dialog.getByText(/Stored in: /)).toBeVisible();
  await dialog.getByRole('group', { name: 'Jump hosts' }).getByLabel('Bastion').check();
  await expect(dialog.getByText('Route: this machine → Bastion → Build box')).toBeVisible();
  await dialog.getByLabel('Host key checking', { exact: true }).selectOption({ label: 'Off' });
  await expect(dialog.getByText('Off accepts any key: anyone in the path can impersonate this server')).toBeVisible();
  await dialog.getByLabel('Host key checking', { exact: true }).selectOption({ label: 'Ask me' });
  await page.setViewportSize({ width: 1280, height: 1000 });
  await dialog.screenshot({ path: 'test-results/screenshots/server-dialog.png' });
  await dialog.getByRole('button', { name: 'Add server' }).click();
  await expect(dialog).toBeHidden();
  const box = page.locator('[data-testid="server-row"][data-server-name="Build box"]');
  await expect(box).toContainText('ci@127.0.0.3:22');
  await expect(box).toContainText('via Bastion');
  await expect(box.getByTestId('server-used-by')).toHaveText('Not used by any mapping');

  // Editing: the stored password is not shown back; the field says so.
  await box.getByRole('button', { name: 'Edit server Build box' }).click();
  await expect(page.getByRole('dialog').getByLabel('Password', { exact: true })).toHaveAttribute('placeholder', 'unchanged');
  await expect(page.getByRole('dialog').getByLabel('Password', { exact: true })).toHaveValue('');
  await page.keyboard.press('Escape');

  // An SSH mapping from the quick start, through Build box.
  await page.getByRole('tab', { name: 'Mappings' }).click();
  await page.getByRole('button', { name: 'New mapping' }).first().click();
  const rule = page.getByRole('dialog');
  await rule.getByRole('button', { name: 'SSH into a server' }).click();
  await expect(rule.getByLabel('Protocol', { exact: true })).toHaveValue('ssh-local');
  await expect(rule.getByLabel('Listen port', { exact: true })).toHaveValue('2222');
  const port = await freePort();
  await rule.getByLabel('Listen port', { exact: true }).fill(String(port));
  await rule.getByLabel('SSH server', { exact: true }).selectOption({ label: 'Build box (ci@127.0.0.3)' });
  await rule.getByLabel('Start now').uncheck();
  await rule.screenshot({ path: 'test-results/screenshots/rule-dialog-ssh.png' });
  await rule.getByRole('button', { name: 'Create mapping' }).click();
  await expect(rule).toBeHidden();
  const row = page.locator('[data-testid="rule-row"][data-rule-name="SSH"]');
  await expect(row.getByTestId('protocol')).toHaveText('SSH -L');
  await expect(row.getByTestId('route')).toHaveText(`127.0.0.1:${port}→127.0.0.1:22viaBuild box`);
  await page.screenshot({ path: 'test-results/screenshots/mappings-ssh.png' });

  // The remote-forward fields.
  await page.getByRole('button', { name: 'New mapping' }).first().click();
  await rule.getByLabel('Protocol', { exact: true }).selectOption('ssh-remote');
  await expect(rule.getByLabel('Remote bind host', { exact: true })).toHaveValue('127.0.0.1');
  await expect(rule.getByText('0 = let the server choose')).toBeVisible();
  await expect(rule.getByLabel('Listen port', { exact: true })).toHaveCount(0);
  await page.keyboard.press('Escape');

  // Used by the mapping: the host refuses to delete it and the dialog says why.
  await page.getByRole('tab', { name: 'Servers' }).click();
  await expect(box.getByTestId('server-used-by')).toHaveText('Used by 1 mapping: SSH');
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.screenshot({ path: 'test-results/screenshots/servers-view.png' });
  await box.getByRole('button', { name: 'Delete server Build box' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(page.getByRole('dialog').getByRole('alert')).toContainText('Could not delete “Build box”');
  await page.keyboard.press('Escape');
  await expect(box).toBeVisible();
});
