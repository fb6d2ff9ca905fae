import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { connect } from 'node:net';
import { expect, test } from '@playwright/test';
import { TestApi } from './support/api';
import { type Host, freePort, startHost, tempDataDir } from './support/host';

// SOCKS fails closed, as a person meets it: the editor will not create a SOCKS proxy with a username and
// no password; one saved that way elsewhere (an import without secrets) is failed with a status that
// says what to set, and its port is not open; once the password is given it runs and refuses no-auth.

let data: ReturnType<typeof tempDataDir>;
let host: Host | undefined;
let api: TestApi | undefined;

test.beforeEach(() => {
  data = tempDataDir();
});

let run: ChildProcess | undefined;

test.afterEach(async () => {
  if (run && run.exitCode === null) {
    const exited = new Promise((r) => run!.once('exit', r));
    run.kill('SIGKILL');
    await exited;
  }
  run = undefined;
  api?.close();
  api = undefined;
  await host?.stop();
  host = undefined;
  data.cleanup();
});

/** The reply to a SOCKS5 greeting offering only "no authentication", or the connect error's code. */
function greetNoAuth(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    let got = Buffer.alloc(0);
    const done = (r: string) => {
      s.destroy();
      resolve(r);
    };
    s.setTimeout(5000, () => done('timeout'));
    s.on('connect', () => s.write(Buffer.from([5, 1, 0])));
    s.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 2) done(got.subarray(0, 2).toString('hex'));
    });
    s.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
    s.on('close', () => done(got.toString('hex') || 'closed'));
  });
}

test('the editor requires the SOCKS password with a username; the saved proxy runs and refuses no-auth clients', async ({ page }) => {
  host = await startHost(data.dir);
  await page.goto(host.url);
  await expect(page.getByText('Browser mode')).toBeVisible();
  const port = await freePort();

  await page.getByRole('button', { name: 'New mapping' }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name', { exact: true }).fill('Team proxy');
  await dialog.getByLabel('Protocol', { exact: true }).selectOption({ label: 'SOCKS5 proxy (direct)' });
  await dialog.getByLabel('Listen port', { exact: true }).fill(String(port));
  await dialog.getByLabel('Username', { exact: true }).fill('alice');
  await dialog.getByLabel('Name', { exact: true }).click();
  const password = dialog.getByLabel('Password', { exact: true });
  await expect(dialog.getByText('enter a password for this user, or clear the username to let anyone who can reach the port connect')).toBeVisible();
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  const create = dialog.getByRole('button', { name: 'Create mapping' });
  await expect(create).toBeDisabled();
  mkdirSync('test-results/screenshots', { recursive: true });
  await page.screenshot({ path: 'test-results/screenshots/socks-password-required.png' });

  await password.fill('wonderland');
  await expect(create).toBeEnabled();
  await create.click();
  await expect(dialog).toBeHidden();
  const row = page.locator('[data-testid="rule-row"][data-rule-name="Team proxy"]');
  await expect(row).toHaveAttribute('data-state', 'running');
  expect(await greetNoAuth(port)).toBe('05ff');

  // Editing keeps the stored password: the field says so and does not ask for it again.
  await row.getByRole('button', { name: /^Edit/ }).click();
  await expect(dialog.getByLabel('Password', { exact: true })).toHaveAttribute('placeholder', 'stored — leave empty to keep it');
  await expect(dialog.getByRole('button', { name: 'Save changes' })).toBeEnabled();
  await page.keyboard.press('Escape');
});

test('a SOCKS mapping saved with a username but no password is failed, says what to set, and leaves its port closed', async ({ page }) => {
  host = await startHost(data.dir);
  api = await TestApi.connect(host);
  const port = await freePort();
  await api.call('rules.create', { type: 'socks', name: 'Imported proxy', enabled: true, listen: { host: '127.0.0.1', port }, socks: { username: 'alice', hasPassword: true } });
  await page.goto(host.url);
  const row = page.locator('[data-testid="rule-row"][data-rule-name="Imported proxy"]');
  await expect(row).toHaveAttribute('data-state', 'failed');
  await expect(row.locator('.row-problem')).toHaveText(
    `SOCKS user alice has no password stored on this machine — set the password in the rule, or clear the username to allow anyone who can reach 127.0.0.1:${port}`,
  );
  expect(await greetNoAuth(port)).toBe('ECONNREFUSED');
  // The editor does not pretend a password is stored: it asks for one.
  await row.getByRole('button', { name: /^Edit/ }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByLabel('Password', { exact: true })).toHaveAttribute('placeholder', 'required by clients when set');
  await expect(dialog.getByRole('button', { name: 'Save changes' })).toBeDisabled();
  await dialog.getByLabel('Password', { exact: true }).fill('wonderland');
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toHaveAttribute('data-state', 'running');
  expect(await greetNoAuth(port)).toBe('05ff');
});

test('porthole run names the SOCKS mapping that cannot start and says what to set', async () => {
  // Saved through the API of `porthole ui`, then run headless on the same data dir.
  host = await startHost(data.dir);
  api = await TestApi.connect(host);
  const port = await freePort();
  await api.call('rules.create', { type: 'socks', name: 'Team proxy', enabled: true, listen: { host: '127.0.0.1', port }, socks: { username: 'alice' } });
  api.close();
  api = undefined;
  await host.stop();
  host = undefined;

  run = spawn(process.execPath, [resolve('out/main/cli.js'), 'run', '--data-dir', data.dir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORTHOLE_DATA_DIR: '' } });
  let out = '';
  let err = '';
  run.stdout!.on('data', (d) => (out += d));
  run.stderr!.on('data', (d) => (err += d));
  await expect.poll(() => out, { timeout: 15_000 }).toMatch(/1 mappings, 0 running, 1 failed \(see the errors above\)/);
  expect(err).toContain(
    `ERROR [Team proxy] SOCKS user alice has no password stored on this machine — set the password in the rule, or clear the username to allow anyone who can reach 127.0.0.1:${port}`,
  );
  expect(await greetNoAuth(port)).toBe('ECONNREFUSED');
});
