import type { Page } from '@playwright/test';
import { en } from '../src-renderer/i18n/locales/en';
import { zhCN } from '../src-renderer/i18n/locales/zh-CN';
import type { TestApi } from './support/api';
import { LOOKS, expect, setLook, test } from './support/fixtures';
import { type Echo, freePort, startEcho } from './support/host';
import { seriousAxe, shot } from './support/look';

// Issue 18, what a person does, in English and Chinese, light and dark: the listen port is checked as
// it is typed and the free one is a button; the log panel is dragged taller and keeps that height after
// a reload; the dashboard speaks 24-hour time; a pasted config is "pasted text" and a jump host is
// counted in the UI language; after an import is undone its log lines still name its mapping.

const CAT = { en, 'zh-CN': zhCN } as const;

let echo: Echo;
test.beforeEach(async () => {
  echo = await startEcho();
});
test.afterEach(async () => {
  await echo.close();
});

const SSH_CONFIG = 'Host bastion\n  HostName 127.0.0.3\n  User ops\nHost app\n  HostName 10.0.0.5\n  User deploy\n  ProxyJump bastion\n  LocalForward 127.0.0.1:18081 127.0.0.1:80\n';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

async function panelHeight(page: Page): Promise<number> {
  return Math.round((await page.getByTestId('log-panel').boundingBox())!.height);
}

for (const { lang, theme } of LOOKS) {
  test(`${lang} ${theme}: port check as you type, a resizable log panel, 24-hour times, pasted imports, names after undo`, async ({ page, host, api }) => {
    const cat = CAT[lang];
    const serious: string[] = [];
    await page.setViewportSize({ width: 1366, height: 768 });
    const web = await freePort();
    await api.call('rules.create', { type: 'tcp-forward', name: 'Web app', enabled: true, listen: { host: '127.0.0.1', port: web }, target: { host: '127.0.0.1', port: echo.port } });
    await page.goto(host.url);
    await setLook(page, api, lang, theme);

    // The listen port, checked as it is typed: the echo server (this test's process) holds one port,
    // the mapping "Web app" another; the free port the host found is one click away.
    await page.getByRole('button', { name: cat.shell.header.newMapping, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: cat.editors.ruleDialog.newTitle });
    const listenPort = dialog.getByLabel(cat.ruleFields.listenPort, { exact: true });
    const note = dialog.getByTestId('port-check');
    await listenPort.fill(String(echo.port));
    await expect(note).toContainText(lang === 'en' ? `Port ${echo.port} on 127.0.0.1 is in use by node (pid ` : `127.0.0.1 上的端口 ${echo.port} 正被 node（pid `);
    const use = note.getByTestId('use-free-port');
    const suggested = Number(/\d+/.exec((await use.textContent()) ?? '')?.[0]);
    expect(suggested).toBeGreaterThan(echo.port);
    serious.push(...(await seriousAxe(page, `port-check-${lang}-${theme}`)));
    await shot(page, `port-check-${lang}-${theme}`);
    await use.click();
    await expect(listenPort).toHaveValue(String(suggested));
    await expect(note).toBeEmpty();
    await listenPort.fill(String(web));
    await expect(note).toContainText(lang === 'en' ? `Port ${web} is already used by the mapping “Web app”.` : `端口 ${web} 已被映射“Web app”使用。`);
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();

    // The log panel: dragged 120 px taller by its top edge, and as tall after a reload.
    const before = await panelHeight(page);
    const edge = (await page.getByTestId('log-resizer').boundingBox())!;
    await page.mouse.move(edge.x + edge.width / 2, edge.y + edge.height / 2);
    await page.mouse.down();
    await page.mouse.move(edge.x + edge.width / 2, edge.y + edge.height / 2 - 120, { steps: 6 });
    await page.mouse.up();
    const dragged = await panelHeight(page);
    expect(Math.abs(dragged - (before + 120))).toBeLessThanOrEqual(2);
    await page.getByTestId('log-resizer').focus();
    await page.keyboard.press('ArrowDown');
    expect(await panelHeight(page)).toBe(dragged - 16);
    await page.reload();
    await expect(page.getByTestId('log-panel')).toHaveClass(/is-open/);
    expect(await panelHeight(page)).toBe(dragged - 16);

    // The dashboard's times are on the 24-hour clock, like the log's (the browser here is en-US).
    await page.locator('#tab-dashboard').click();
    const updated = page.locator('.dash-updated');
    await expect(updated).toHaveText(/\d{2}:\d{2}:\d{2}/);
    expect(await updated.textContent()).not.toMatch(/AM|PM|上午|下午/);
    serious.push(...(await seriousAxe(page, `dashboard-${lang}-${theme}`)));
    await shot(page, `dashboard-${lang}-${theme}`);
    await page.locator('#tab-mappings').click();

    // Paste: the preview says "pasted text", not "this file", and counts the jump host in the UI language.
    const ie = cat.importExport;
    await page.getByRole('button', { name: ie.menu.import, exact: true }).click();
    await page.getByRole('menuitem', { name: ie.menu.pasteText }).click();
    const paste = page.getByRole('dialog', { name: ie.paste.title });
    await paste.getByLabel(ie.paste.label).fill(SSH_CONFIG);
    await paste.getByRole('button', { name: ie.paste.preview }).click();
    const preview = page.getByRole('dialog', { name: ie.preview.titlePasted });
    await expect(preview.locator('[data-testid="import-item"][data-item-name="app"]')).toContainText(lang === 'en' ? 'SSH deploy@10.0.0.5:22 via 1 jump host' : 'SSH deploy@10.0.0.5:22 经由 1 个跳板机');
    serious.push(...(await seriousAxe(page, `import-pasted-${lang}-${theme}`)));
    await shot(page, `import-pasted-${lang}-${theme}`);
    await preview.getByRole('button', { name: cat.common.cancel, exact: true }).click();
    await page.getByRole('button', { name: ie.menu.import, exact: true }).click();
    await page.getByRole('menuitem', { name: ie.menu.pasteText }).click();
    await paste.getByLabel(ie.paste.label).fill('this is not a config at all\n');
    await paste.getByRole('button', { name: ie.paste.preview }).click();
    await expect(page.getByRole('dialog', { name: ie.preview.titlePasted })).toContainText(ie.preview.nothingPasted);
    await page.keyboard.press('Escape');

    // An import undone before this window loaded: its lines name the mapping, never its id.
    const offered = await api.call<{ id: string }>('imports.preview', {
      sources: [{ name: 'team.yaml', text: `porthole: 1\nrules:\n  - { type: tcp-forward, name: Imported web, enabled: true, listen: { host: 127.0.0.1, port: ${await freePort()} }, target: { host: 127.0.0.1, port: ${echo.port} } }\n` }],
    });
    await api.call('imports.apply', { previewId: offered.id, decisions: [], start: true });
    await api.call('imports.undo');
    await page.reload();
    const lines = page.getByTestId('log-lines');
    await expect(lines).toContainText(lang === 'en' ? 'Created mapping "Imported web"' : '已创建映射“Imported web”');
    const ruleColumn = await page.locator('#log-lines .log-rule').allTextContents();
    expect(ruleColumn).toContain('Imported web');
    expect(ruleColumn.filter((r) => UUID.test(r))).toEqual([]);

    expect(serious, serious.join('\n')).toEqual([]);
  });
}

test('a stale link says it expired and what to open, in the UI language, instead of reconnecting for ever', async ({ page, porthole }) => {
  for (const { lang, theme } of [LOOKS[0]!, LOOKS[3]!]) {
    const host = await porthole.start();
    const api: TestApi = await porthole.api();
    await page.goto(host.url);
    await setLook(page, api, lang, theme);
    // Porthole restarts on the same address: every start has a new token, and this page holds the old one.
    await porthole.stop();
    await porthole.start(['--listen', new URL(host.origin).host]);
    const expired = page.getByTestId('link-expired');
    await expect(expired).toBeVisible({ timeout: 20_000 });
    await expect(expired.getByRole('heading')).toHaveText(CAT[lang].noToken.expiredTitle);
    await expect(expired).toContainText('porthole ui');
    await expect(page.getByTestId('connection-banner')).toHaveCount(0);
    expect(await seriousAxe(page, `expired-${lang}-${theme}`)).toEqual([]);
    await shot(page, `link-expired-${lang}-${theme}`);
    await porthole.stop();
  }
});
