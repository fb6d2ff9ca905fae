import { mkdirSync } from 'node:fs';
import { type Page } from '@playwright/test';
import { expect, test } from './support/fixtures';
import type { TestApi } from './support/api';
import { type Echo, type Host, freePort, roundTrip, startEcho } from './support/host';

// Reverse tunnels through the real UI: the app runs a relay (Relay view), the same app saves that relay
// (Servers view) and exposes a local echo server through it with a relay mapping. Real sockets end to
// end: the public port is opened by the relay and the bytes come back through the agent.

const TOKEN = 'e2e-relay-token-7f3a';
const SHOTS = 'test-results/screenshots';

let host: Host | undefined;
let api: TestApi | undefined;
let echo: Echo;

test.beforeEach(async () => {
  echo = await startEcho();
  mkdirSync(SHOTS, { recursive: true });
});

test.afterEach(async () => {
  await echo.close();
});

/** More room for the views in the screenshots. */
async function collapseLogs(page: Page): Promise<void> {
  const toggle = page.getByRole('button', { name: /^Logs/ });
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
}

const ruleRow = (page: Page, name: string) => page.locator(`[data-testid="rule-row"][data-rule-name="${name}"]`);
const relayRow = (page: Page, name: string) => page.locator(`[data-testid="relay-row"][data-relay-name="${name}"]`);

/** The in-app relay on `relayPort`, agent "laptop" allowed exactly `publicPort`, started — through the API. */
async function startRelayByApi(relayPort: number, publicPort: number): Promise<void> {
  await api!.call('relayServer.configure', {
    config: { bind: { host: '127.0.0.1', port: relayPort }, publicHost: '127.0.0.1', tls: true, agents: [{ name: 'laptop', allowPorts: String(publicPort) }] },
    tokens: { laptop: TOKEN },
  });
  const status = await api!.call<{ running: boolean }>('relayServer.start');
  expect(status.running).toBe(true);
}

async function createRelayMappingByApi(relayId: string): Promise<void> {
  await api!.call('rules.create', {
    type: 'relay-expose',
    name: 'Echo via relay',
    enabled: true,
    relay: relayId,
    target: { host: '127.0.0.1', port: echo.port },
    remotePort: 0,
    protocol: 'tcp',
    kind: 'tcp',
  });
}

test('run a relay in the app, expose a local service through it, and watch its agent and traffic', async ({ page, porthole }) => {
  host = await porthole.start();
  const relayPort = await freePort();
  const publicPort = await freePort();
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.goto(host.url);
  await collapseLogs(page);

  // 1. The relay on this machine: settings, one agent with a token, start.
  await page.getByRole('tab', { name: 'Relay' }).click();
  await expect(page.getByTestId('relay-server-state')).toHaveText('Stopped');
  await page.getByLabel('Listen port', { exact: true }).fill('0');
  await expect(page.getByText('port must be between 1 and 65535')).toBeVisible();
  await page.getByLabel('Listen port', { exact: true }).fill(String(relayPort));
  await page.getByRole('button', { name: 'Add agent' }).click();
  const agent = page.getByRole('group', { name: 'Agent 1' });
  await expect(agent.getByTestId('agent-token-state')).toHaveText('not set');
  await expect(agent.getByText('needs a token before the relay can start')).toBeVisible();
  await agent.getByLabel('Name', { exact: true }).fill('laptop');
  await agent.getByLabel('Allowed ports', { exact: true }).fill(String(publicPort));
  // The host refuses to start with an agent that has no token, and the view says why.
  await page.getByRole('button', { name: 'Save and start relay' }).click();
  await expect(page.getByTestId('relay-server-error')).toContainText('Set a token for "laptop" before starting the relay');
  await expect(page.getByTestId('relay-server-state')).toHaveText('Stopped');
  await agent.getByLabel('Token', { exact: true }).fill(TOKEN);
  await page.getByRole('switch', { name: 'TLS' }).click();
  await expect(page.getByText(/Without TLS agents cannot check this relay’s identity/)).toBeVisible();
  await page.getByRole('switch', { name: 'TLS' }).click();
  await page.screenshot({ path: `${SHOTS}/relay-view-settings.png` });
  await page.getByRole('button', { name: 'Save and start relay' }).click();
  await expect(page.getByTestId('relay-server-state')).toHaveText('Running');
  await expect(page.getByTestId('relay-listening')).toHaveText(`127.0.0.1:${relayPort}`);
  await expect(agent.getByTestId('agent-token-state')).toHaveText('stored');
  await expect(agent.getByLabel('Token', { exact: true })).toHaveValue('');
  const fingerprint = (await page.getByTestId('relay-server-fingerprint').textContent()) ?? '';
  expect(fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  const laptop = page.locator('[data-testid="relay-agent-row"][data-agent-name="laptop"]');
  await expect(laptop).toHaveAttribute('data-online', 'false');

  // No saved relay yet: the rule dialog says so and offers to add one.
  await page.getByRole('button', { name: 'New mapping' }).first().click();
  const early = page.getByRole('dialog');
  await early.getByRole('button', { name: 'Share a local web app' }).click();
  await expect(early.getByLabel('Protocol', { exact: true })).toHaveValue('relay-expose');
  await expect(early.getByLabel('Inspect HTTP')).toBeChecked();
  await expect(early.getByText('No saved relays yet: add the relay this machine should connect to.')).toBeVisible();
  await expect(early.getByRole('button', { name: 'Add a relay' })).toBeVisible();
  await early.screenshot({ path: `${SHOTS}/rule-dialog-relay-none.png` });
  await page.keyboard.press('Escape');
  await expect(early).toBeHidden();

  // 2. The same relay saved in the Servers view, this machine as agent "laptop".
  await page.getByRole('tab', { name: 'Servers' }).click();
  await expect(page.getByTestId('relays-empty')).toBeVisible();
  await page.getByRole('button', { name: 'New relay' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByLabel('Port', { exact: true })).toHaveValue('9015');
  await dialog.getByLabel('Name', { exact: true }).fill('Home relay');
  await dialog.getByLabel('Host', { exact: true }).fill('127.0.0.1');
  await dialog.getByLabel('Port', { exact: true }).fill(String(relayPort));
  await dialog.getByLabel('Agent name', { exact: true }).fill('laptop');
  await expect(dialog.getByText('Without a token only a relay that runs without authentication accepts this agent')).toBeVisible();
  await dialog.getByLabel('Token', { exact: true }).fill(TOKEN);
  await dialog.getByRole('switch', { name: 'TLS' }).click();
  await expect(dialog.getByText(/Without TLS the tunnel is not encrypted/)).toBeVisible();
  await expect(dialog.getByLabel('Certificate fingerprint (SHA-256)')).toHaveCount(0);
  await dialog.getByRole('switch', { name: 'TLS' }).click();
  await dialog.getByLabel('Certificate fingerprint (SHA-256)').fill('not a fingerprint');
  await dialog.getByLabel('Name', { exact: true }).click();
  await expect(dialog.getByText('a SHA-256 fingerprint is 64 hex digits (colons optional)')).toBeVisible();
  await dialog.getByLabel('Certificate fingerprint (SHA-256)').fill('');
  await dialog.screenshot({ path: `${SHOTS}/relay-dialog.png` });
  await page.emulateMedia({ colorScheme: 'dark' });
  await dialog.screenshot({ path: `${SHOTS}/relay-dialog-dark.png` });
  await page.emulateMedia({ colorScheme: 'light' });
  await dialog.getByRole('button', { name: 'Add relay' }).click();
  await expect(dialog).toBeHidden();
  const saved = relayRow(page, 'Home relay');
  await expect(saved).toContainText(`127.0.0.1:${relayPort}`);
  await expect(saved).toContainText('token stored');
  await expect(saved.getByTestId('relay-fingerprint-none')).toBeVisible();
  await expect(saved.getByTestId('relay-used-by')).toHaveText('Not used by any mapping');

  // 3. A relay mapping to the local echo server, public port left to the relay.
  await page.getByRole('tab', { name: 'Mappings' }).click();
  await page.getByRole('button', { name: 'New mapping' }).first().click();
  const rule = page.getByRole('dialog');
  await rule.getByLabel('Protocol', { exact: true }).selectOption('relay-expose');
  await expect(rule.getByLabel('Target host', { exact: true })).toHaveValue('127.0.0.1');
  await expect(rule.getByLabel('Listen port', { exact: true })).toHaveCount(0);
  await rule.getByLabel('Name', { exact: true }).fill('Echo via relay');
  await rule.getByLabel('Relay', { exact: true }).selectOption({ label: `Home relay (127.0.0.1:${relayPort}, agent laptop)` });
  await rule.getByLabel('Public port', { exact: true }).fill('70000');
  await rule.getByLabel('Name', { exact: true }).click();
  await expect(rule.getByText(/enter a port from 1 to 65535, or leave it empty/)).toBeVisible();
  await rule.getByLabel('Public port', { exact: true }).fill('');
  await rule.getByLabel('Target port', { exact: true }).fill(String(echo.port));
  await rule.getByRole('radio', { name: 'UDP' }).check();
  await expect(rule.getByLabel('Inspect HTTP')).toBeDisabled();
  await rule.getByRole('radio', { name: 'TCP' }).check();
  await expect(rule.getByLabel('Inspect HTTP')).toBeEnabled();
  await rule.screenshot({ path: `${SHOTS}/rule-dialog-relay.png` });
  await page.emulateMedia({ colorScheme: 'dark' });
  await rule.screenshot({ path: `${SHOTS}/rule-dialog-relay-dark.png` });
  await page.emulateMedia({ colorScheme: 'light' });
  await rule.getByRole('button', { name: 'Create mapping' }).click();
  await expect(rule).toBeHidden();

  const row = ruleRow(page, 'Echo via relay');
  await expect(row.getByTestId('protocol')).toHaveText('RELAY');
  await expect(row).toHaveAttribute('data-state', 'running');
  await expect(row.getByTestId('public-address')).toHaveText(`127.0.0.1:${publicPort}`);
  await expect(row.getByTestId('route')).toHaveText(`Home relay127.0.0.1:${publicPort}→127.0.0.1:${echo.port}`);

  // 4. The public port works: bytes go through the relay, the agent and back from the echo server.
  const payload = Buffer.from('hello through the relay '.repeat(400));
  expect((await roundTrip(publicPort, payload)).equals(payload)).toBe(true);
  await expect(row.getByTestId('bytes-in')).not.toHaveAttribute('data-value', '0');
  await page.screenshot({ path: `${SHOTS}/mappings-relay.png` });

  // 5. The Relay view sees agent "laptop" online with one public port that moved bytes.
  await page.getByRole('tab', { name: 'Relay' }).click();
  await expect(laptop).toHaveAttribute('data-online', 'true');
  await expect(laptop.getByTestId('relay-agent-state')).toHaveText('Online');
  await expect(laptop.getByTestId('relay-agent-exposures')).toHaveText('1');
  const exposure = page.locator(`[data-testid="relay-exposure-row"][data-agent-name="laptop"]`);
  await expect(exposure).toHaveCount(1);
  await expect(exposure).toHaveAttribute('data-public-address', `127.0.0.1:${publicPort}`);
  await expect(exposure.getByTestId('relay-exposure-in')).toHaveAttribute('data-value', String(payload.length));
  await expect(exposure.getByTestId('relay-exposure-out')).toHaveAttribute('data-value', String(payload.length));
  await expect(exposure.getByTestId('relay-exposure-conns')).toHaveText('0 (1)');
  await page.screenshot({ path: `${SHOTS}/relay-view.png` });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: `${SHOTS}/relay-view-dark.png` });
  await page.emulateMedia({ colorScheme: 'light' });

  // 6. The saved relay pinned the certificate the Relay view shows, and names its mapping.
  await page.getByRole('tab', { name: 'Servers' }).click();
  await expect(saved.getByTestId('relay-state')).toHaveText('Connected');
  await expect(saved.getByTestId('relay-fingerprint')).toHaveText(fingerprint);
  await expect(saved.getByTestId('relay-used-by')).toHaveText('Used by 1 mapping: Echo via relay');
  await page.screenshot({ path: `${SHOTS}/servers-relays.png` });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: `${SHOTS}/servers-relays-dark.png` });
  await page.emulateMedia({ colorScheme: 'light' });

  // Deleting a relay in use is refused with the host's reason.
  await saved.getByRole('button', { name: 'Delete relay Home relay' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(page.getByRole('dialog').getByRole('alert')).toContainText('is used by "Echo via relay"');
  await page.keyboard.press('Escape');
  await expect(saved).toBeVisible();

  // Stopping the relay closes the public port and the agent goes offline.
  await page.getByRole('tab', { name: 'Relay' }).click();
  await page.getByRole('button', { name: 'Stop relay' }).click();
  await expect(page.getByTestId('relay-server-state')).toHaveText('Stopped');
});

test('a wrong token fails the mapping with the relay’s refusal, and fixing it brings the mapping up', async ({ page, porthole }) => {
  host = await porthole.start();
  api = await porthole.api();
  const relayPort = await freePort();
  const publicPort = await freePort();
  await startRelayByApi(relayPort, publicPort);
  const relay = await api.call<{ relay: { id: string } }>('relays.create', {
    relay: { name: 'Home relay', host: '127.0.0.1', port: relayPort, agentName: 'laptop', tls: true },
    token: 'not-the-token-0123456789',
  });
  await page.goto(host.url);
  await createRelayMappingByApi(relay.relay.id);

  const row = ruleRow(page, 'Echo via relay');
  await expect(row).toHaveAttribute('data-state', 'failed');
  await expect(row.locator('.row-problem')).toContainText('the relay refused agent "laptop": unknown agent name or wrong token');

  await page.getByRole('tab', { name: 'Servers' }).click();
  const saved = relayRow(page, 'Home relay');
  await saved.getByRole('button', { name: 'Edit relay Home relay' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('token-stored')).toBeVisible();
  await expect(dialog.getByLabel('Token', { exact: true })).toHaveAttribute('placeholder', 'unchanged');
  await dialog.getByLabel('Token', { exact: true }).fill(TOKEN);
  await dialog.getByRole('button', { name: 'Save relay' }).click();
  await expect(dialog).toBeHidden();

  await page.getByRole('tab', { name: 'Mappings' }).click();
  await expect(row).toHaveAttribute('data-state', 'running');
  await expect(row.getByTestId('public-address')).toHaveText(`127.0.0.1:${publicPort}`);
  const payload = Buffer.from('fixed');
  expect((await roundTrip(publicPort, payload)).equals(payload)).toBe(true);
});

test('a relay certificate that does not match the pin is shown side by side and trusted only after confirming', async ({ page, porthole }) => {
  host = await porthole.start();
  api = await porthole.api();
  const relayPort = await freePort();
  const publicPort = await freePort();
  await startRelayByApi(relayPort, publicPort);
  const real = (await api.call<{ fingerprint: string }>('relayServer.status')).fingerprint;
  const wrong = Array.from({ length: 32 }, () => 'AB').join(':');
  const relay = await api.call<{ relay: { id: string } }>('relays.create', {
    relay: { name: 'Home relay', host: '127.0.0.1', port: relayPort, agentName: 'laptop', tls: true, fingerprint: wrong },
    token: TOKEN,
  });
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.goto(host.url);
  await collapseLogs(page);
  await createRelayMappingByApi(relay.relay.id);
  await expect(ruleRow(page, 'Echo via relay')).toHaveAttribute('data-state', 'failed');

  await page.getByRole('tab', { name: 'Servers' }).click();
  const saved = relayRow(page, 'Home relay');
  const panel = saved.getByTestId('relay-cert-changed');
  await expect(panel).toBeVisible();
  await expect(panel.getByTestId('relay-cert-pinned')).toHaveText(wrong);
  await expect(panel.getByTestId('relay-cert-seen')).toHaveText(real);
  await page.screenshot({ path: `${SHOTS}/relay-cert-changed.png` });

  // Cancel keeps the old pin; Trust pins the new one and the mapping comes up.
  await panel.getByRole('button', { name: 'Trust the new certificate…' }).click();
  const confirm = page.getByRole('alertdialog');
  await expect(confirm.getByTestId('relay-trust-new')).toHaveText(real);
  await confirm.screenshot({ path: `${SHOTS}/relay-trust-dialog.png` });
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await expect(panel.getByTestId('relay-cert-pinned')).toHaveText(wrong);
  await panel.getByRole('button', { name: 'Trust the new certificate…' }).click();
  await confirm.getByRole('button', { name: 'Trust this certificate' }).click();
  await expect(confirm).toBeHidden();
  await expect(saved.getByTestId('relay-fingerprint')).toHaveText(real);
  await expect(panel).toBeHidden();
  await page.getByRole('tab', { name: 'Mappings' }).click();
  await expect(ruleRow(page, 'Echo via relay')).toHaveAttribute('data-state', 'running');
});
