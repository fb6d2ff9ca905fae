import { mkdirSync } from 'node:fs';
import { type Page } from '@playwright/test';
import { type PortholeControl, expect, test } from './support/fixtures';
import { type SshdFixture, sshdAvailable, startSshd } from '../test-support/sshd';
import type { TestApi } from './support/api';
import { type Echo, type Host, connectOutcome, freePort, roundTrip, startEcho } from './support/host';

// The host-key prompt through the real UI: an SSH mapping to a server whose key Porthole has never
// seen waits in `starting` until the person trusts (or rejects) the fingerprint shown.

let host: Host | undefined;
let api: TestApi | undefined;
let echo: Echo;
let sshd: SshdFixture | undefined;
/** This test's host lifecycle (e2e/support/fixtures.ts), for the helpers below. */
let porthole: PortholeControl;

test.beforeEach(({ porthole: fixture }) => {
  porthole = fixture;
});

test.skip(!sshdAvailable(), 'openssh-server is not installed (apt-get install -y openssh-server)');

test.beforeEach(async () => {
  echo = await startEcho();
  sshd = await startSshd();
});

test.afterEach(async () => {
  await echo.close();
  await sshd?.cleanup();
});

async function setUp(page: Page, name: string) {
  host = await porthole.start();
  api = await porthole.api();
  await page.goto(host.url);
  const server = await api.call<{ server: { id: string } }>('servers.create', {
    server: { name: 'lab box', host: '127.0.0.1', port: sshd!.port, user: sshd!.user, auth: { method: 'key', keyPath: sshd!.userKeyPath }, hostKeyPolicy: 'ask' },
  });
  const port = await freePort();
  // Not awaited: the rule stays `starting` until the prompt is answered.
  void api.call('rules.create', {
    type: 'ssh-local', name, enabled: true, server: server.server.id,
    listen: { host: '127.0.0.1', port }, target: { host: '127.0.0.1', port: echo.port },
  }).catch(() => undefined);
  return port;
}

test('an unknown host key is shown with its fingerprint; "Trust always" lets the SSH mapping run', async ({ page }) => {
  const port = await setUp(page, 'Via lab box');
  const dialog = page.getByRole('alertdialog');
  await expect(dialog).toContainText(`Unknown host key for 127.0.0.1:${sshd!.port}`);
  await expect(dialog).toContainText(sshd!.hostKeyFingerprint);
  mkdirSync('test-results/screenshots', { recursive: true });
  await page.screenshot({ path: 'test-results/screenshots/host-key-prompt.png' });
  await dialog.getByRole('button', { name: 'Trust always' }).click();
  const row = page.locator('[data-testid="rule-row"][data-rule-name="Via lab box"]');
  await expect(row).toHaveAttribute('data-state', 'running');
  expect((await roundTrip(port, Buffer.from('over ssh'))).toString()).toBe('over ssh');
});

test('rejecting the host key fails the mapping with HOST_KEY_UNKNOWN and opens no port', async ({ page }) => {
  const port = await setUp(page, 'Rejected');
  await page.getByRole('alertdialog').getByRole('button', { name: 'Reject' }).click();
  const row = page.locator('[data-testid="rule-row"][data-rule-name="Rejected"]');
  await expect(row).toHaveAttribute('data-state', 'failed');
  await expect(row).toContainText(/host key/i);
  expect(await connectOutcome(port)).toBe('refused');
});
