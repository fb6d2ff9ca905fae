import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type Page, chromium, expect, test } from '@playwright/test';
import { CHROMIUM_ARGS } from '../playwright.config';
import { NsAgentClient } from '../test-support/router-lab/agent-client';
import type { LineChild } from '../test-support/router-lab/line-child';
import { LAB, RouterLab, labUnavailable } from '../test-support/router-lab/topology';

// "Open on router" in the real UI against a real router: `porthole ui` and Chromium both run inside the
// LAN namespace of the router lab (Chromium through a wrapper that enters it), so the page reaches the
// host on that namespace's loopback and the host asks miniupnpd for the port. Screenshots are kept.

const SHOTS = 'test-results/screenshots';
const MiB = 1024 * 1024;
const CI = process.env.CI === 'true' || process.env.CI === '1';
const why = labUnavailable();
if (why && !CI) process.stderr.write(`\n!!! SKIPPED e2e/router-upnp.spec.ts: the router lab cannot run — ${why}\n`);
test.skip(Boolean(why) && !CI, why ?? '');

let lab: RouterLab;
let lan: NsAgentClient;
let wan: NsAgentClient;
let ui: LineChild;
let url: string;
let browser: Browser;
let dir: string;
let source: { port: number; sha256: string };

test.beforeAll(async () => {
  if (why) throw new Error(`the router lab cannot run: ${why}`);
  dir = mkdtempSync(join(tmpdir(), 'porthole-e2e-router-'));
  lab = await RouterLab.start();
  [lan, wan] = await Promise.all([NsAgentClient.start(lab, lab.ns.lan), NsAgentClient.start(lab, lab.ns.wan)]);
  source = await lan.tcpSource('127.0.0.1', 0, MiB, 3);
  ui = lab.spawnLine(lab.ns.lan, [process.execPath, lab.bundle.cli, 'ui', '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'data')], {
    PORTHOLE_RENDERER_DIR: resolve('out/renderer'),
    PORTHOLE_DATA_DIR: '',
  });
  url = (await ui.waitForLine(/Porthole UI: (http\S+)/, 15_000, 'porthole ui'))[1]!;
  const wrapper = join(dir, 'chromium-in-lan.sh');
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec "$PORTHOLE_E2E_NETNS" "${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'}" "$@"\n`);
  chmodSync(wrapper, 0o755);
  browser = await chromium.launch({ executablePath: wrapper, args: CHROMIUM_ARGS, env: { ...process.env, PORTHOLE_E2E_NETNS: lab.ns.lan } });
  mkdirSync(SHOTS, { recursive: true });
});

test.afterAll(async () => {
  await browser?.close();
  await ui?.stop();
  await Promise.all([lan?.stop(), wan?.stop()]);
  await lab?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function open(locale: string): Promise<Page> {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

test('the editor opens a port on the router; the detail pane shows where the internet reaches it, the renewal and the double-NAT warning', async () => {
  const page = await open('en-GB');
  await page.getByRole('button', { name: 'New mapping' }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name', { exact: true }).fill('Game server');
  await dialog.getByLabel('Listen port', { exact: true }).fill('8200');
  await dialog.getByLabel('Target host', { exact: true }).fill('127.0.0.1');
  await dialog.getByLabel('Target port', { exact: true }).fill(String(source.port));
  await dialog.getByRole('switch', { name: 'Open this port on the home router' }).click();
  // Listening on loopback (the default): explained, and the LAN addresses offered.
  const loopback = dialog.getByTestId('router-loopback');
  await expect(loopback).toContainText('listens on 127.0.0.1, which only this computer can reach');
  await dialog.getByLabel('Port on the router', { exact: true }).fill('18200');
  await dialog.getByTestId('router-field').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/router-editor-loopback.png` });
  await loopback.getByRole('button', { name: `Use ${LAB.host}` }).click();
  await expect(dialog.getByLabel('Listen host', { exact: true })).toHaveValue(LAB.host);
  await expect(loopback).toBeHidden();
  await page.screenshot({ path: `${SHOTS}/router-editor.png` });
  await dialog.getByRole('button', { name: 'Create mapping' }).click();
  await expect(dialog).toBeHidden();

  await page.locator('[data-testid="rule-row"][data-rule-name="Game server"]').click();
  const detail = page.getByTestId('mapping-detail');
  const reachable = detail.getByTestId('router-reachable');
  await expect(reachable).toContainText(`Reachable from the internet at ${LAB.routerWan}:18200 via UPnP, renews in 30 min`);
  await expect(detail.getByTestId('detail-router')).toContainText(`Router ${LAB.routerLan} forwards TCP to ${LAB.host}:8200`);
  await expect(reachable.getByRole('button', { name: `Copy the internet address ${LAB.routerWan}:18200` })).toBeVisible();
  await expect(detail.getByTestId('router-double-nat')).toContainText(`The router’s own internet address (${LAB.routerWan}) is private`);
  // What the pane says is true: from the WAN side, that address and port reach the target.
  expect((await wan.tcpFetch(LAB.routerWan, 18200, 10_000)).sha256).toBe(source.sha256);
  await detail.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/router-detail.png` });
  await detail.getByTestId('detail-router').screenshot({ path: `${SHOTS}/router-detail-section.png` });

  // The same in Chinese.
  const zh = await open('zh-CN');
  await zh.locator('[data-testid="rule-row"][data-rule-name="Game server"]').click();
  const zhDetail = zh.getByTestId('mapping-detail');
  await expect(zhDetail.getByTestId('router-reachable')).toContainText(`可从互联网通过 ${LAB.routerWan}:18200 访问（UPnP），30 分钟后续期`);
  await expect(zhDetail.getByTestId('router-double-nat')).toContainText('运营商级 NAT');
  await zhDetail.getByTestId('detail-router').screenshot({ path: `${SHOTS}/router-detail-section-zh-CN.png` });
  await zh.context().close();

  // The warning's way out: the Relay view.
  await detail.getByRole('button', { name: 'Open the Relay view' }).click();
  await expect(page.locator('#tab-relay')).toHaveAttribute('aria-selected', 'true');

  // Switched off: the router forwards no more, and the pane says it will open the port when running.
  await page.locator('#tab-mappings').click();
  await page.locator('[data-testid="rule-row"][data-rule-name="Game server"]').click();
  await detail.getByRole('switch').first().click();
  await expect(detail.getByTestId('detail-router')).toHaveAttribute('data-router-state', 'off');
  await expect.poll(() => /dport 18200 /.test(lab.routerRules()), { timeout: 10_000 }).toBe(false);
  await page.context().close();
});

test('the Relay view opens the relay’s agent port and an agent’s public port on the router and shows both, in English and Chinese; Stop closes them', async () => {
  const page = await open('en-GB');
  await page.locator('#tab-relay').click();
  const settings = page.locator('form.relay-settings');
  await settings.getByRole('switch', { name: 'Open the relay’s ports on the home router' }).click();
  // The defaults listen on loopback: explained, with the way out.
  const loopback = settings.getByTestId('relay-router-loopback');
  await expect(loopback).toContainText('on loopback, which the router cannot reach');
  await settings.getByTestId('relay-router-field').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/relay-router-settings-loopback.png` });
  await loopback.getByRole('button', { name: 'Use all interfaces (0.0.0.0)' }).click();
  await expect(settings.getByLabel('Listen host', { exact: true })).toHaveValue('0.0.0.0');
  await expect(settings.getByLabel('Public host for agent ports', { exact: true })).toHaveValue('0.0.0.0');
  await expect(loopback).toBeHidden();
  await settings.getByRole('button', { name: 'Add agent' }).click();
  const agentCard = settings.getByTestId('relay-agent-settings');
  await agentCard.getByLabel('Name', { exact: true }).fill('laptop');
  // The lab's router refuses 20000-20099 (its deny rule).
  await agentCard.getByLabel('Allowed ports', { exact: true }).fill('20150-20160');
  await agentCard.getByRole('button', { name: 'Generate' }).click();
  const token = await agentCard.getByLabel('Token', { exact: true }).inputValue();
  await page.getByRole('button', { name: 'Save and start relay' }).click();

  const card = page.getByTestId('relay-router');
  const agentPort = card.locator('[data-testid="relay-router-port"][data-port="9015"]');
  await expect(agentPort).toContainText('Agent port 9015/TCP');
  await expect(agentPort).toContainText(`Reachable from the internet at ${LAB.routerWan}:9015 via UPnP, renews in 30 min`);
  await expect(agentPort.getByRole('button', { name: `Copy the internet address ${LAB.routerWan}:9015` })).toBeVisible();
  await expect(card.getByTestId('relay-router-double-nat')).toContainText(`The router’s own internet address (${LAB.routerWan}) is private`);

  // An agent out on the WAN side reaches the relay through that mapping and asks for a public port.
  const target = await wan.tcpSource('127.0.0.1', 0, MiB, 5);
  const conf = join(dir, 'agent.yaml');
  writeFileSync(conf, `name: laptop\nserver: ${LAB.routerWan}:9015\ntoken: ${token}\nexpose:\n  - { name: web, local: "127.0.0.1:${target.port}", remote: 20151 }\n`);
  const agent = lab.spawnLine(lab.ns.wan, [process.execPath, lab.bundle.cli, 'agent', '--config', conf, '--data-dir', join(dir, 'agent')]);
  try {
    const publicPort = card.locator('[data-testid="relay-router-port"][data-port="20151"]');
    await expect(publicPort).toContainText('Public port 20151/TCP (web) of agent laptop');
    await expect(publicPort).toContainText(`Reachable from the internet at ${LAB.routerWan}:20151 via UPnP`);
    expect((await wan.tcpFetch(LAB.routerWan, 20151, 10_000)).sha256).toBe(target.sha256);
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/relay-router.png` });
    await card.screenshot({ path: `${SHOTS}/relay-router-card.png` });

    const zh = await open('zh-CN');
    await zh.locator('#tab-relay').click();
    const zhCard = zh.getByTestId('relay-router');
    await expect(zhCard.locator('[data-testid="relay-router-port"][data-port="9015"]')).toContainText(`代理端连接端口 9015/TCP可从互联网通过 ${LAB.routerWan}:9015 访问（UPnP），30 分钟后续期`);
    await expect(zhCard.locator('[data-testid="relay-router-port"][data-port="20151"]')).toContainText('代理端 laptop 的公网端口 20151/TCP（web）');
    await expect(zhCard.getByTestId('relay-router-double-nat')).toContainText('有公网地址的机器');
    await zhCard.screenshot({ path: `${SHOTS}/relay-router-card-zh-CN.png` });
    await zh.context().close();
  } finally {
    await agent.stop();
  }
  await page.getByRole('button', { name: 'Stop relay' }).click();
  await expect(card).toBeHidden();
  expect(lab.routerRules()).not.toMatch(/dport (9015|20151) /);
  await page.context().close();
});
