import { afterEach, describe, expect, it, vi } from 'vitest';
// The host's real messages, written by the code that says them (src-main/service/host-messages.test.ts
// keeps this file current): the renderer does not import src-main.
import host from '../../test-support/fixtures/host-messages.json';
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
  // The host's real texts, written by the code that says them (src-main/service/host-messages.test.ts).
  const texts = host.secretsBackends;

  it('translates every text the host can send and keeps English as it is', async () => {
    expect(texts.length).toBeGreaterThan(0);
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
  // describePortInUse's real messages in each of its forms (another program, Porthole itself, nobody
  // known; a free port suggested or none), written by src-main/service/host-messages.test.ts.
  const texts = host.portInUse;

  it('translates the host\u2019s real message, with its owner and the free port it suggests', async () => {
    // Every form is in the fixture, so no check below is skipped.
    expect(texts.some((text) => / by .+ \(pid \d+\) — /.test(text))).toBe(true);
    expect(texts.some((text) => / by Porthole itself /.test(text))).toBe(true);
    expect(texts.some((text) => / already in use — /.test(text))).toBe(true);
    expect(texts.some((text) => /e\.g\. \d+$/.test(text))).toBe(true);
    expect(texts.some((text) => /choose another listen port$/.test(text))).toBe(true);
    const parts = texts.map((text) => {
      const m = /^(TCP|UDP) port (\d+) on (\S+) is already in use/.exec(text);
      expect(m, text).not.toBeNull();
      return { text, protocol: m![1]!, port: m![2]!, host: m![3]!, suggested: /e\.g\. (\d+)$/.exec(text)?.[1], owner: / by (.+) \(pid (\d+)\) — /.exec(text) };
    });
    for (const { text } of parts) expect(translateMessage(text)).toBe(text);
    await i18n.changeLanguage('zh-CN');
    const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    for (const { text, protocol, port, host: on, suggested, owner } of parts) {
      const zh = translateMessage(text);
      expect(zh, text).toMatch(new RegExp(`^${escape(on)} 上的 ${protocol} 端口 ${port} 已被占用`));
      expect(zh, text).not.toMatch(/already in use|choose another|by Porthole/);
      if (suggested) expect(zh, text).toContain(`例如 ${suggested}`);
      if (owner) expect(zh, text).toContain(`（${owner[1]}，pid ${owner[2]}）`);
      if (text.includes(' by Porthole itself ')) expect(zh, text).toContain('Porthole 自身');
    }
    expect(translateMessage(`TCP port 80 on 0.0.0.0 is already in use by nginx (pid 12) — choose another listen port`)).toBe(
      '0.0.0.0 上的 TCP 端口 80 已被占用（nginx，pid 12）——请换一个监听端口',
    );
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
