import { mkdirSync, readFileSync } from 'node:fs';
import { type Locator, type Page } from '@playwright/test';
import { type PortholeControl, expect, test } from './support/fixtures';
import type { TestApi } from './support/api';
import { type Host, freePort } from './support/host';

// Profiles through the real UI: files dropped on the window (a DataTransfer built in the page, as a
// drag from the desktop delivers it), the preview with its conflicts and per-item actions, apply,
// undo, the files refused before they reach the host, and export → re-import of a mapping.

const SHOTS = 'test-results/screenshots';
const FIXTURES = 'src-main/profiles/fixtures';
const fixture = (path: string) => readFileSync(`${FIXTURES}/${path}`, 'utf8');

let host: Host | undefined;
let api: TestApi | undefined;
/** This test's host lifecycle (e2e/support/fixtures.ts), for the helpers below. */
let porthole: PortholeControl;

test.beforeEach(({ porthole: fixture }) => {
  porthole = fixture;
});

test.beforeEach(async () => {
  mkdirSync(SHOTS, { recursive: true });
});


interface DropFile {
  name: string;
  text?: string;
  /** Raw bytes (a binary file). */
  bytes?: number[];
  /** A text file of this many bytes, built in the page rather than sent over the wire. */
  filler?: number;
}

interface PageGlobals {
  DataTransfer: new () => { items: { add(file: unknown): void } };
  File: new (parts: unknown[], name: string) => unknown;
}

/** A DataTransfer holding `files`, made in the page. */
async function dataTransfer(page: Page, files: DropFile[]) {
  return page.evaluateHandle((list) => {
    // The page's own classes (this project's e2e tsconfig has no DOM lib).
    const web = globalThis as unknown as PageGlobals;
    const dt = new web.DataTransfer();
    for (const f of list) {
      const body = f.bytes ? new Uint8Array(f.bytes) : f.filler !== undefined ? '#'.repeat(f.filler) : (f.text ?? '');
      dt.items.add(new web.File([body], f.name));
    }
    return dt;
  }, files);
}

/** Drags `files` over the window (the overlay shows) and drops them on the body. */
async function dropFiles(page: Page, files: DropFile[], beforeDrop?: () => Promise<void>): Promise<void> {
  const dt = await dataTransfer(page, files);
  await page.dispatchEvent('body', 'dragenter', { dataTransfer: dt });
  await page.dispatchEvent('body', 'dragover', { dataTransfer: dt });
  await expect(page.getByTestId('drop-overlay')).toBeVisible();
  await beforeDrop?.();
  await page.dispatchEvent('body', 'drop', { dataTransfer: dt });
  await expect(page.getByTestId('drop-overlay')).toBeHidden();
  await dt.dispose();
}

const ruleRow = (page: Page, name: string) => page.locator(`[data-testid="rule-row"][data-rule-name="${name}"]`);
const importDialog = (page: Page) => page.getByRole('dialog', { name: /^Import/ });
const item = (dialog: Locator, name: string) => dialog.locator(`[data-testid="import-item"][data-item-name="${name}"]`);

async function shoot(target: Page | Locator, name: string, page: Page): Promise<void> {
  await target.screenshot({ path: `${SHOTS}/${name}.png` });
  await page.emulateMedia({ colorScheme: 'dark' });
  await target.screenshot({ path: `${SHOTS}/${name}-dark.png` });
  await page.emulateMedia({ colorScheme: 'light' });
}

async function open(page: Page): Promise<void> {
  host = await porthole.start();
  api = await porthole.api();
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(host.url);
  await expect(page.getByTestId('empty-state')).toBeVisible();
}

test('drop an ssh_config and a port-proxy client config: preview, import, undo', async ({ page }) => {
  await open(page);
  await dropFiles(page, [{ name: 'config', text: fixture('corpus/ssh/home/.ssh/config') }, { name: 'client.yaml', text: fixture('corpus/port-proxy/client.yaml') }], () =>
    shoot(page, 'import-drop-overlay', page),
  );

  const dialog = importDialog(page);
  await expect(dialog.getByRole('heading', { name: 'Import 2 files' })).toBeVisible();
  const config = dialog.locator('[data-testid="import-file"][data-file-name="config"]');
  await expect(config.getByTestId('import-format')).toHaveText('OpenSSH client config');
  // Four warnings fold away; opening them shows the Match exec one.
  await config.getByText('5 warnings').click();
  await expect(config.getByText(/Match exec is never run by Porthole/)).toBeVisible();
  // Dropped as text, not opened by its path: its Include is not followed, and the warning says how to.
  await expect(config.getByText(/^config:2: Include conf\.d\/\*\.conf was not followed: .* run `porthole import ~\/\.ssh\/config`/)).toBeVisible();
  await expect(dialog.locator('[data-testid="import-file"][data-file-name="client.yaml"]').getByTestId('import-format')).toHaveText('port-proxy client');

  await expect(dialog.getByRole('region', { name: 'SSH servers' }).getByTestId('import-item')).toHaveCount(4);
  await expect(dialog.getByRole('region', { name: 'Mappings' }).getByTestId('import-item')).toHaveCount(10);
  await expect(item(dialog, 'app: L 5432 → db.internal:5432')).toContainText('ssh -L 127.0.0.1:5432 → db.internal:5432');
  await expect(item(dialog, 'app: L 5432 → db.internal:5432')).toContainText('from config');
  await expect(dialog.locator('[data-kind="relay"]').getByTestId('secret-badge')).toBeVisible();
  await expect(dialog.getByTestId('import-conflict')).toHaveCount(0);
  await expect(dialog.getByTestId('import-plan')).toHaveText('Adds 10 mappings, 4 SSH servers and 1 relay');

  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(dialog).toBeHidden();
  const toast = page.getByTestId('import-toast');
  await expect(toast).toContainText('Imported 10 mappings, 4 SSH servers and 1 relay');
  await expect(page.getByTestId('rule-row')).toHaveCount(10);
  await expect(ruleRow(page, 'web')).toBeVisible();
  await expect(ruleRow(page, 'app: D [::1]:1080 (SOCKS)')).toBeVisible();
  await shoot(page, 'import-toast', page);

  await toast.getByRole('button', { name: 'Undo' }).click();
  await expect(toast).toContainText('Undid the import: removed 10 mappings, 4 SSH servers and 1 relay');
  await expect(page.getByTestId('empty-state')).toBeVisible();
  expect(await api!.call<unknown[]>('servers.list')).toEqual([]);
});

test('importing the same frpc.toml again: conflicts, rename to "(2)", skip one, undo', async ({ page }) => {
  await open(page);
  const frpc = { name: 'frpc.toml', text: fixture('corpus/frpc/frpc.toml') };
  await dropFiles(page, [frpc]);
  const dialog = importDialog(page);
  await expect(dialog.getByTestId('import-format')).toHaveText('frpc (TOML)');
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByTestId('rule-row')).toHaveCount(3);

  await dropFiles(page, [frpc]);
  await expect(dialog.getByTestId('import-conflict')).toHaveCount(4);
  await expect(item(dialog, 'nas-ssh').getByTestId('import-conflict')).toHaveText('⚠ a mapping named "nas-ssh" exists');
  await expect(dialog.locator('[data-kind="relay"]').getByTestId('import-conflict')).toContainText('the same relay is saved as');
  await expect(dialog.getByLabel('Action for frps [2001:db8::1]:7000')).toHaveValue('reuse');

  const ssh = item(dialog, 'nas-ssh');
  await ssh.getByLabel('Action for nas-ssh').selectOption('skip');
  await expect(ssh.getByLabel('New name for nas-ssh')).toHaveCount(0);
  await ssh.getByLabel('Action for nas-ssh').selectOption('rename');
  await expect(ssh.getByLabel('New name for nas-ssh')).toHaveValue('nas-ssh (2)');
  // The clashing name itself is refused before anything is sent.
  await ssh.getByLabel('New name for nas-ssh').fill('nas-ssh');
  await expect(ssh.getByText('That name is taken — choose another')).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Import', exact: true })).toBeDisabled();
  await ssh.getByLabel('New name for nas-ssh').fill('nas-ssh (2)');
  await item(dialog, 'nas-web').getByLabel('Action for nas-web').selectOption('rename');
  await item(dialog, 'dns').getByLabel('Action for dns').selectOption('skip');
  await expect(dialog.getByTestId('import-plan')).toHaveText('Adds 2 mappings · reuses 1 saved · skips 1 · 4 conflicts');
  await shoot(dialog, 'import-preview-conflict', page);

  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByTestId('import-toast')).toContainText('Imported 2 mappings (skipped 1)');
  for (const name of ['nas-ssh', 'nas-ssh (2)', 'nas-web', 'nas-web (2)', 'dns']) await expect(ruleRow(page, name)).toBeVisible();
  await expect(ruleRow(page, 'dns (2)')).toHaveCount(0);
  expect(await api!.call<unknown[]>('relays.list')).toHaveLength(1);

  await page.getByTestId('import-toast').getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByTestId('import-toast')).toContainText('Undid the import: removed 2 mappings');
  await expect(page.getByTestId('rule-row')).toHaveCount(3);
  await expect(ruleRow(page, 'nas-ssh (2)')).toHaveCount(0);
  await page.getByTestId('import-toast').getByRole('button', { name: 'Dismiss' }).click();
  await expect(page.getByTestId('import-toast')).toHaveCount(0);
});

test('undo after the replaced mapping’s old server was deleted: the mapping stays as imported, and the toast says why', async ({ page }) => {
  await open(page);
  const port = await freePort();
  const old = await api!.call<{ server: { id: string } }>('servers.create', { server: { name: 'Old', host: 'old.example', user: 'me', auth: { method: 'agent' } } });
  await api!.call('rules.create', { type: 'ssh-local', name: 'db', enabled: false, server: old.server.id, listen: { host: '127.0.0.1', port }, target: { host: 'db', port: 5432 } });
  await expect(ruleRow(page, 'db')).toBeVisible();
  const doc = {
    porthole: 1,
    servers: [{ ref: 'n', name: 'New', host: 'new.example', user: 'me', auth: { method: 'agent' } }],
    rules: [{ type: 'ssh-local', name: 'db', server: 'n', listen: { host: '127.0.0.1', port }, target: { host: 'db', port: 5432 } }],
  };
  await dropFiles(page, [{ name: 'db.json', text: JSON.stringify(doc) }]);
  const dialog = importDialog(page);
  await item(dialog, 'db').getByLabel('Action for db').selectOption('replace');
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  const toast = page.getByTestId('import-toast');
  await expect(toast).toContainText('Imported');
  // The imported "db" goes through New: Old can be deleted now.
  await api!.call('servers.remove', { id: old.server.id });

  await toast.getByRole('button', { name: 'Undo' }).click();
  await expect(toast).toContainText('kept 1 replaced mapping as imported (the server or relay of its old version was deleted since)');
  await shoot(page, 'import-undo-kept', page);
  await expect(ruleRow(page, 'db')).toBeVisible();
  expect((await api!.call<{ server: { name: string } }[]>('servers.list')).map((e) => e.server.name)).toEqual(['New']);
});

test('a file over 1 MiB, a binary file and a non-UTF-8 file are refused by name; an unknown format shows the host’s error', async ({ page }) => {
  await open(page);
  await dropFiles(page, [
    { name: 'huge.yaml', filler: 1024 * 1024 + 512 * 1024 },
    { name: 'photo.png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52] },
    { name: 'latin1.conf', bytes: [0x48, 0x6f, 0x73, 0x74, 0x20, 0xe9, 0x74, 0xe9, 0x0a] },
    { name: 'notes.txt', text: 'remember to water the plants\n' },
  ]);
  const dialog = importDialog(page);
  await expect(dialog.getByRole('heading', { name: 'Import 4 files' })).toBeVisible();
  await expect(dialog.getByText('huge.yaml was not imported: it is 1.5 MiB, over the 1 MiB limit')).toBeVisible();
  await expect(dialog.getByText('photo.png was not imported: it contains NUL bytes, so it is a binary file, not a text config.')).toBeVisible();
  await expect(dialog.getByText('latin1.conf was not imported: it is not UTF-8 text')).toBeVisible();
  await expect(dialog.getByText(/^notes\.txt: not a format Porthole can import/)).toBeVisible();
  await expect(dialog.getByText('Nothing can be imported from these files:')).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Import', exact: true })).toHaveCount(0);
  await shoot(dialog, 'import-refused', page);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();

  // Only refused files: the host is not asked, and the dialog just says why.
  await dropFiles(page, [{ name: 'photo.png', bytes: [0x89, 0x50, 0x4e, 0x47, 0, 0, 0] }]);
  await expect(dialog.getByRole('heading', { name: 'Import photo.png' })).toBeVisible();
  await expect(dialog.getByText('photo.png was not imported: it contains NUL bytes')).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('empty-state')).toBeVisible();
});

test('the Import menu: choose files with the picker, or paste text', async ({ page }) => {
  await open(page);
  await page.getByRole('button', { name: 'Import' }).click();
  await shoot(page, 'import-menu', page);
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('menuitem', { name: /Choose files/ }).click();
  await (await chooser).setFiles([`${FIXTURES}/corpus/frpc/frpc.ini`, `${FIXTURES}/corpus/rathole/client.toml`]);
  const dialog = importDialog(page);
  await expect(dialog.getByRole('heading', { name: 'Import 2 files' })).toBeVisible();
  await expect(dialog.getByTestId('import-format')).toHaveText(['frpc (INI)', 'rathole client']);
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  await page.getByRole('button', { name: 'Import' }).click();
  await page.getByRole('menuitem', { name: /Paste text/ }).click();
  const paste = page.getByRole('dialog', { name: 'Paste a config' });
  await paste.getByLabel('Config text').fill(fixture('corpus/port-proxy/client.yaml'));
  await paste.getByRole('button', { name: 'Preview import' }).click();
  await expect(paste).toBeHidden();
  // Pasted text is called that, not a file named "clipboard" (issue 18).
  await expect(dialog.getByRole('heading', { name: 'Import pasted text' })).toBeVisible();
  await expect(dialog.getByTestId('import-format')).toHaveText('port-proxy client');
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByTestId('rule-row')).toHaveCount(3);
});

test('export one mapping as YAML, delete it, and import the file back: the same mapping', async ({ page }) => {
  await open(page);
  const [listenPort, targetPort] = [await freePort(), await freePort()];
  const original = await api!.call<{ rule: Record<string, unknown> & { id: string } }>('rules.create', {
    type: 'tcp-forward',
    name: 'Intranet web',
    enabled: false,
    group: 'web',
    listen: { host: '127.0.0.1', port: listenPort },
    target: { host: 'intranet.example', port: targetPort },
  });
  await api!.call('rules.create', { type: 'socks', name: 'Plain SOCKS', enabled: false, listen: { host: '127.0.0.1', port: await freePort() } });
  await expect(page.getByTestId('rule-row')).toHaveCount(2);

  await page.getByRole('button', { name: 'Export…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Export mappings' });
  await expect(dialog.getByTestId('export-counts')).toContainText('2 mappings');
  await dialog.getByRole('checkbox', { name: 'All mappings (2)' }).uncheck();
  await expect(dialog.getByText('Choose at least one mapping to export.')).toBeVisible();
  await dialog.getByRole('checkbox', { name: 'Group web (1)' }).check();
  await expect(dialog.getByTestId('export-counts')).toContainText('1 mapping');
  await expect(dialog.getByTestId('export-text')).toContainText('name: Intranet web');
  await expect(dialog.getByTestId('export-text')).not.toContainText('Plain SOCKS');

  await dialog.getByRole('radio', { name: 'ssh_config' }).check();
  await expect(dialog.getByTestId('export-warnings')).toContainText('1 mapping is not an SSH tunnel');
  await dialog.getByRole('radio', { name: 'Porthole YAML' }).check();
  await dialog.getByRole('checkbox', { name: /Include secrets/ }).check();
  await expect(dialog.getByTestId('secrets-warning')).toContainText('plain text');
  await expect(dialog.getByTestId('export-text')).toHaveAttribute('aria-busy', 'false');
  await shoot(dialog, 'export-dialog', page);
  await dialog.getByRole('checkbox', { name: /Include secrets/ }).uncheck();
  await expect(dialog.getByTestId('secrets-warning')).toHaveCount(0);
  await expect(dialog.getByTestId('export-text')).toContainText('No secrets');

  const download = page.waitForEvent('download');
  await dialog.getByRole('button', { name: 'Download' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^porthole-export-\d{4}-\d\d-\d\d\.yaml$/);
  const text = readFileSync((await file.path())!, 'utf8');
  expect(text).toBe(await dialog.getByTestId('export-text').textContent());
  await dialog.getByRole('button', { name: 'Close' }).click();

  await api!.call('rules.remove', { id: original.rule.id });
  await expect(ruleRow(page, 'Intranet web')).toHaveCount(0);
  await dropFiles(page, [{ name: file.suggestedFilename(), text }]);
  const preview = importDialog(page);
  await expect(preview.getByTestId('import-format')).toHaveText('Porthole export (YAML)');
  await expect(item(preview, 'Intranet web')).toContainText(`tcp-forward 127.0.0.1:${listenPort} → intranet.example:${targetPort}`);
  await preview.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(ruleRow(page, 'Intranet web')).toBeVisible();

  const rules = await api!.call<Array<{ rule: { id: string; name: string } }>>('rules.list');
  const back = rules.find((r) => r.rule.name === 'Intranet web')!.rule;
  const { id: _a, ...was } = original.rule;
  const { id: _b, ...now } = back;
  expect(now).toEqual(was);
});
