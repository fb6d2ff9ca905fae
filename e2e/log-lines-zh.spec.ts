import type { Locator, Page } from '@playwright/test';
import { type Theme, expect, setLook, test } from './support/fixtures';
import { type Echo, freePort, startEcho } from './support/host';
import { seriousAxe, shot } from './support/look';

// Issue 18: the host's own lines in the UI language — not only mappings' lines but the relay server's,
// its agents', the router's and the SSH side's, which reached a Chinese window in English before they had codes. The
// same lines in English are the words the CLI prints (unchanged), and exported logs stay English.

const TOKEN = 'laptop-token-for-e2e-0123456789';

/** The log lines matching `search` (the panel's own search, which searches what the window shows). */
async function linesFor(page: Page, search: string): Promise<Locator> {
  const panel = page.getByTestId('log-panel');
  await panel.getByRole('searchbox').fill(search);
  return panel.getByTestId('log-lines').getByTestId('log-line');
}

test('the relay server’s, its agent’s, the router’s and an SSH mapping’s log lines in Chinese (light and dark), and the same lines in English', async ({ page, host, api }) => {
  let echo: Echo | undefined;
  try {
    echo = await startEcho();
    const relayPort = await freePort();
    const publicPort = await freePort();
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(host.url);
    await setLook(page, api, 'zh-CN', 'light');

    // The in-app relay, a saved relay pointing at it, a mapping exposed through it: relay server lines
    // (an agent online, a port exposed) and the agent's own (its first connection pins the certificate).
    await api.call('relayServer.configure', {
      config: { bind: { host: '127.0.0.1', port: relayPort }, publicHost: '127.0.0.1', tls: true, agents: [{ name: 'laptop', allowPorts: String(publicPort) }] },
      tokens: { laptop: TOKEN },
    });
    expect((await api.call<{ running: boolean }>('relayServer.start')).running).toBe(true);
    const relay = await api.call<{ relay: { id: string } }>('relays.create', {
      relay: { name: 'Home relay', host: '127.0.0.1', port: relayPort, agentName: 'laptop', tls: true },
      token: TOKEN,
    });
    await api.call('rules.create', { type: 'relay-expose', name: 'Echo via relay', enabled: true, relay: relay.relay.id, target: { host: '127.0.0.1', port: echo.port }, remotePort: 0, protocol: 'tcp', kind: 'tcp' });
    // "Open on router" on a loopback listener: the router line says it cannot reach it.
    await api.call('rules.create', {
      type: 'tcp-forward',
      name: 'Router test',
      enabled: true,
      listen: { host: '127.0.0.1', port: await freePort() },
      target: { host: '127.0.0.1', port: echo.port },
      router: { enabled: true },
    });
    // An SSH mapping whose key file is not there: its failure, said by the SSH side, in the log.
    const ssh = await api.call<{ server: { id: string } }>('servers.create', {
      server: { name: 'Box', host: '127.0.0.1', port: await freePort(), user: 'me', auth: { method: 'key', keyPath: '/nonexistent/porthole-e2e/id_ed25519' } },
    });
    await api.call('rules.create', { type: 'ssh-local', name: 'Via SSH', enabled: true, server: ssh.server.id, listen: { host: '127.0.0.1', port: await freePort() }, target: { host: '127.0.0.1', port: echo.port } });
    await expect(page.locator('[data-testid="rule-row"][data-rule-name="Echo via relay"]')).toHaveAttribute('data-state', 'running');
    await expect(page.locator('[data-testid="rule-row"][data-rule-name="Via SSH"]')).toHaveAttribute('data-state', 'failed');

    const online = await linesFor(page, '代理端“laptop”已从 127.0.0.1:');
    await expect(online.first()).toContainText(/代理端“laptop”已从 127\.0\.0\.1:\d+ 上线/);
    await expect(await linesFor(page, `代理端“laptop”开放了 tcp 127.0.0.1:${publicPort}`)).toHaveCount(1);
    const pinned = await linesFor(page, '中继“Home relay”：首次连接中继');
    await expect(pinned).toHaveCount(1);
    await expect(pinned).toContainText(`中继“Home relay”：首次连接中继 127.0.0.1:${relayPort}：已固定其证书`);
    await expect(await linesFor(page, '路由器：映射监听的是 127.0.0.1，路由器无法访问——请监听本机的局域网地址')).toHaveCount(1);
    await expect(await linesFor(page, `正在监听 中继 127.0.0.1:${relayPort} 上的 127.0.0.1:${publicPort}`)).toHaveCount(1);
    await expect(await linesFor(page, '无法登录 me@127.0.0.1:')).toContainText(/无法登录 me@127\.0\.0\.1:\d+：无法读取密钥文件 \/nonexistent\/porthole-e2e\/id_ed25519（ENOENT）——请选择一个存在的私钥文件/);
    // None of them in English any more.
    for (const english of ['online from', 'exposed tcp', 'First connection to', 'Router:', 'Cannot log in']) await expect(await linesFor(page, english), english).toHaveCount(0);

    await linesFor(page, '');
    const serious: string[] = [];
    for (const theme of ['light', 'dark'] as Theme[]) {
      await setLook(page, api, 'zh-CN', theme);
      serious.push(...(await seriousAxe(page, `log-zh-${theme}`)));
      await shot(page, `log-lines-relay-router-zh-CN-${theme}`);
    }
    expect(serious, serious.join('\n')).toEqual([]);

    // In English: exactly the words `porthole relay`, `porthole agent` and exported logs have always had.
    await setLook(page, api, 'en', 'light');
    await expect((await linesFor(page, 'agent "laptop" online from 127.0.0.1:')).first()).toBeVisible();
    await expect(await linesFor(page, `Relay "Home relay": First connection to relay 127.0.0.1:${relayPort}: pinned its certificate`)).toHaveCount(1);
    await expect(await linesFor(page, "Router: the mapping listens on 127.0.0.1, which the router cannot reach")).toHaveCount(1);
    await expect(await linesFor(page, 'Cannot log in to me@127.0.0.1:')).toContainText('cannot read the key file /nonexistent/porthole-e2e/id_ed25519 (ENOENT) — choose an existing private key file');
    await linesFor(page, '');
    await shot(page, 'log-lines-relay-router-en-light');
  } finally {
    await api.call('settings.update', { language: 'system', theme: 'system' }).catch(() => undefined);
    await echo?.close();
  }
});
