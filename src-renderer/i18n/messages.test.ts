import { afterEach, describe, expect, it, vi } from 'vitest';
import { fmtDuration, fmtTime } from './format';
import { i18n, t } from './i18n';
import { translateError, translateMessage, translateSecretsBackend } from './messages';

afterEach(async () => {
  await i18n.changeLanguage('en');
});

describe('messages and formats in the UI language', () => {
  it('shows the host’s English validation messages in Chinese, keeps unknown ones and field paths', async () => {
    expect(translateMessage('port must be between 1 and 65535')).toBe('port must be between 1 and 65535');
    await i18n.changeLanguage('zh-CN');
    expect(translateMessage('port must be between 1 and 65535')).toBe('端口必须在 1 到 65535 之间');
    expect(translateMessage('server.jump.0: enter a host; something new')).toBe('server.jump.0: 请输入主机; something new');
    expect(translateMessage('Listening on 10.0.0.1: other machines can reach the relay')).toBe('监听 10.0.0.1：其他机器可以访问中继');
  });

  it('uses one plural form in Chinese and two in English', async () => {
    expect(t('connections.count', { count: 1 })).toBe('1 connection');
    expect(t('connections.count', { count: 2 })).toBe('2 connections');
    await i18n.changeLanguage('zh-CN');
    expect(t('connections.count', { count: 1 })).toBe('1 个连接');
    expect(t('servers.usedBy', { count: 2, names: 'a, b' })).toBe('被 2 个映射使用：a, b');
  });

  it('formats durations per locale', async () => {
    expect(fmtDuration(3_723_000)).toBe('1h 2m');
    await i18n.changeLanguage('zh-CN');
    expect(fmtDuration(3_723_000)).toBe('1小时2分');
    expect(fmtDuration(65_000)).toBe('1分5秒');
  });
});

describe('where secrets are kept, in the UI language', () => {
  // The host's real texts, from the code that writes them (src-main runs these under Node, never in the page).
  const hostTexts = async () => {
     
    const { fileOnlyCodec } = await import('../../src-main/store/secret-store');
    const { NO_KEYRING_FILE_TEXT, NO_KEYRING_MEMORY_TEXT, safeStorageCodec } = await import('../../src-main/electron/secret-codec');
     
    const safe = (backend: string) => ({
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend: () => backend,
      encryptString: (s: string) => Buffer.from(s),
      decryptString: (b: Buffer) => b.toString(),
    });
    const keyrings = [
      safeStorageCodec(safe('gnome_libsecret') as never, { memoryOnly: false, platform: 'linux' }).backend,
      safeStorageCodec(safe('') as never, { memoryOnly: false, platform: 'darwin' }).backend,
      safeStorageCodec(safe('') as never, { memoryOnly: false, platform: 'win32' }).backend,
    ];
    return [fileOnlyCodec.backend, NO_KEYRING_FILE_TEXT, NO_KEYRING_MEMORY_TEXT, ...keyrings];
  };

  it('translates every text the host can send and keeps English as it is', async () => {
    const texts = await hostTexts();
    for (const text of texts) expect(translateSecretsBackend(text)).toBe(text);
    await i18n.changeLanguage('zh-CN');
    for (const text of texts) {
      const zh = translateSecretsBackend(text);
      expect(zh, text).not.toBe(text);
      expect(zh, text).toMatch(/[\u4e00-\u9fff]/);
      expect(zh, text).not.toMatch(/readable only|memory only|encrypted with|keyring \(/);
    }
    expect(translateSecretsBackend('something new')).toBe('something new');
  });
});

describe('a listen port in use, in the UI language', () => {
  it('translates the host\u2019s real message, with its owner and the free port it suggests', async () => {
     
    const { createServer } = await import('node:net');
    const { describePortInUse } = await import('../../src-main/engine/port-owner');
     
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const text = await describePortInUse('tcp', '127.0.0.1', port);
      expect(text).toMatch(new RegExp(`^TCP port ${port} on 127\\.0\\.0\\.1 is already in use`));
      expect(translateMessage(text)).toBe(text);
      await i18n.changeLanguage('zh-CN');
      const zh = translateMessage(text);
      expect(zh).toMatch(new RegExp(`^127\\.0\\.0\\.1 上的 TCP 端口 ${port} 已被占用`));
      expect(zh).not.toMatch(/already in use|choose another|by Porthole/);
      const suggested = /e\.g\. (\d+)$/.exec(text)?.[1];
      if (suggested) expect(zh).toContain(`例如 ${suggested}`);
      expect(translateMessage(`TCP port 80 on 0.0.0.0 is already in use by nginx (pid 12) — choose another listen port`)).toBe(
        '0.0.0.0 上的 TCP 端口 80 已被占用（nginx，pid 12）——请换一个监听端口',
      );
    } finally {
      server.close();
    }
  });
});

describe('errors with a stable code, in the UI language', () => {
  it('keeps English, translates known messages whole, else puts what the code means before the detail', async () => {
    const refused = { code: 'TARGET_REFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9' };
    expect(translateError(refused)).toBe(refused.message);
    await i18n.changeLanguage('zh-CN');
    expect(translateError(refused)).toBe('目标拒绝连接：connect ECONNREFUSED 127.0.0.1:9');
    expect(translateError({ code: 'PORT_IN_USE', message: 'TCP port 80 on 0.0.0.0 is already in use — choose another listen port' })).toBe(
      '0.0.0.0 上的 TCP 端口 80 已被占用——请换一个监听端口',
    );
    expect(translateError({ code: 'SOMETHING_NEW', message: 'as it came' })).toBe('as it came');
  });
});

describe('clock times', () => {
  it('are on the 24-hour clock in every locale (the chart with the log, issue 18), zh-CN in Chinese', async () => {
    const ts = Date.UTC(2026, 0, 2, 15, 30);
    const midnight = Date.UTC(2026, 0, 2, 0, 5);
    const opts: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' };
    vi.stubGlobal('navigator', { languages: ['en-GB', 'en'] });
    try {
      expect(fmtTime(ts, opts)).toBe('15:30');
      vi.stubGlobal('navigator', { languages: ['de-DE', 'en-US'] });
      expect(fmtTime(ts, opts)).toBe('15:30');
      expect(fmtTime(midnight, { ...opts, hour12: false })).toBe('00:05');
      await i18n.changeLanguage('zh-CN');
      expect(fmtTime(ts, opts)).toBe('15:30');
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
