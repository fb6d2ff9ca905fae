import { afterEach, describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src-shared/model/log';
import { LOG_KEYS, LOG_TEXT, LOG_WORDS, type LogKey, type LogWord, logText, said } from '../../src-shared/model/log-text';
// The host's real messages, written by the code that says them (src-main/service/host-messages.test.ts
// keeps this file current): the renderer does not import src-main.
import host from '../../test-support/fixtures/host-messages.json';
import { LogRing } from '../lib/log-ring';
import { formatLogLine } from '../store/log-export';
import { i18n } from './i18n';
import { shownLogLine, translateLogLine } from './log-lines';
import { translateError, translateMessage } from './messages';
import { en } from './locales/en';

afterEach(async () => {
  await i18n.changeLanguage('en');
});

const refused = host.refused;

/** A value for every {{field}} any log code uses; `error` is a real engine message. */
const SAMPLE: Record<string, string | number> = {
  name: 'Web app',
  address: '127.0.0.1:47001',
  error: refused.message,
  seconds: '2.0',
  times: 3,
  window: 60,
  client: '127.0.0.1:51234',
  suppressed: 4,
  bytesIn: 120,
  bytesOut: 4096,
  durationMs: 35,
  opened: 1835,
  closed: 1830,
  limit: 40,
  text: 'GET /health → 200 (2 ms)',
  from: 'running',
  to: 'starting',
  id: 7,
  failures: 3,
  rules: 2,
  servers: 1,
  relays: 0,
  replaced: 0,
  skipped: 1,
  started: 1,
  removed: 2,
  restored: 0,
  kept: 1,
  reason: 'Unexpected token } in JSON',
  movedTo: '/data/porthole.json.corrupt-1',
  count: 2,
  fingerprint: 'SHA256:3q2+7w',
  seen: 'AB:CD:01',
  expected: 'EF:01:23',
  agent: 'laptop',
  ports: '47000-47010',
  method: 'rules.create',
  previous: '198.51.100.4:40112',
  software: 'porthole 0.1.0 (linux)',
  protocol: 'tcp',
  open: 64,
  max: 64,
  path: '/health',
  status: 200,
  deadline: 10000,
  lines: 12,
  peer: '198.51.100.9:51000',
  pending: 8,
  source: '198.51.100.0/24',
  most: 5,
  relay: 'relay.example.net:9015',
  port: 47010,
  pid: 4242,
  internal: '192.168.1.20:47001',
  lease: 3600,
  renew: 1800,
  owner: 'relay-x',
  command: 'xdg-mime',
  appImage: '/home/me/Porthole.AppImage',
  origin: 'https://profiles.example.com',
  bytes: 812,
  url: 'https://profiles.example.com/team.yaml',
  group: 'Work',
  // Fields the window shows in its own words: a span, one of the host's phrases, a router, a keyring.
  span: '1.5 s',
  blockSpan: '10 min',
  why: LOG_WORDS.heartbeatTimeout,
  detail: LOG_WORDS.tls,
  what: LOG_WORDS.startAtLoginRenew,
  state: LOG_WORDS.on,
  outcome: LOG_WORDS.pageTimeout,
  host: LOG_WORDS.desktopApp,
  gateway: 'NAT-PMP at 192.168.1.1:5351',
  backend: 'file readable only by you (secrets.json, mode 0600)',
  external: '203.0.113.7:47001',
};

/** Fields shown in the window's own words rather than as they came (the error by the message table). */
const TRANSLATED = new Set(['error', 'span', 'blockSpan', 'why', 'detail', 'what', 'state', 'outcome', 'host', 'gateway', 'backend']);

/** Words that stay Latin in Chinese: protocol names (docs/glossary.md). */
const LATIN_OK = /\b(TLS|TCP|UDP|SSH|SHA256|HTTPS?|NAT|PMP|PCP|UPnP|IGD|AppImage|AppImageLauncher|AppIndicator|GNOME|Porthole|porthole|inspect|GOAWAY|max_connections|max_pending_per_address|max_pending_handshakes|tls|false|secrets\.json|Content-Length|Transfer-Encoding)\b/g;

/**
 * Each host message is recognised (English in, the same English out), then in Chinese holds Chinese
 * and no English word of 3+ letters beyond LATIN_OK and what `allowed` strips (names, a peer's words).
 */
async function expectTranslatedWhole(messages: readonly { code: string; message: string }[], allowed: (zh: string) => string): Promise<void> {
  for (const m of messages) expect(translateMessage(m.message)).toBe(m.message);
  await i18n.changeLanguage('zh-CN');
  for (const m of messages) {
    const zh = translateError(m);
    expect(zh, m.message).toMatch(/[\u4e00-\u9fff]/);
    expect(allowed(zh).replace(LATIN_OK, ''), `${m.message} → ${zh}`).not.toMatch(/[A-Za-z]{3,}/);
  }
}

function entry(key: LogKey): LogEntry {
  const texts = Object.entries(LOG_TEXT).filter(([k]) => k === key || k.startsWith(`${key}_`)).map(([, text]) => text).join(' ');
  const fields = Object.fromEntries(Object.entries(SAMPLE).filter(([f]) => texts.includes(`{{${f}}}`)));
  return { seq: 1, ts: 0, level: 'info', key, fields, code: 'TARGET_REFUSED', message: logText(key, fields) };
}

describe('host log lines by their code', () => {
  it('has a sample for every field any code uses, and the English catalogue is the host’s own text', () => {
    for (const text of Object.values(LOG_TEXT)) for (const m of text.matchAll(/\{\{(\w+)\}\}/g)) expect(SAMPLE, m[1]).toHaveProperty(m[1]!);
    expect(en.hostLog).toBe(LOG_TEXT);
  });

  it('walks every code: English shows the host’s line; Chinese has every field, no template left and no English words', async () => {
    for (const key of LOG_KEYS) {
      const e = entry(key);
      expect(translateLogLine(e), key).toBe(e.message);
      expect(shownLogLine(e), key).toBeUndefined();
    }
    await i18n.changeLanguage('zh-CN');
    for (const key of LOG_KEYS) {
      const e = entry(key);
      const zh = translateLogLine(e);
      expect(zh, key).not.toContain('{{');
      // `note` is a tunnel's own line, shown as it is; every other code has words of its own.
      if (key !== 'note') expect(zh, key).toMatch(/[\u4e00-\u9fff]/);
      for (const [field, value] of Object.entries(e.fields ?? {})) {
        // The error and the host's phrases arrive translated; every other value appears as it came.
        if (!TRANSLATED.has(field)) expect(zh, `${key}: ${field}`).toContain(String(value));
        else if (field !== 'error') expect(zh, `${key}: ${field} in Chinese`).not.toContain(String(value));
      }
      let rest = zh;
      for (const [field, value] of Object.entries(e.fields ?? {})) if (typeof value === 'string' && !TRANSLATED.has(field)) rest = rest.replaceAll(value, '');
      rest = rest.replace(LATIN_OK, '');
      expect(rest, `${key}: ${zh}`).not.toMatch(/[A-Za-z]{3,}/);
    }
    expect(translateLogLine(entry('connectionFailed'))).toBe('来自 127.0.0.1:51234 的连接失败：127.0.0.1:47999 拒绝了连接——该端口上的服务在运行吗？');
    expect(translateLogLine({ ...entry('networkReconnecting'), fields: { count: 1 } })).toBe('网络或电源状态变化：正在重新建立 1 个 SSH/中继连接');
  });

  it('walks every phrase the host puts in fields: English as the host wrote it, Chinese in Chinese words', async () => {
    const words = Object.entries(LOG_WORDS) as [LogWord, string][];
    for (const [key, text] of words) expect(i18n.t(`hostLogWord.${key}`), key).toBe(text);
    await i18n.changeLanguage('zh-CN');
    for (const [key, text] of words) {
      const zh = i18n.t(`hostLogWord.${key}`);
      expect(zh, key).toMatch(/[\u4e00-\u9fff]/);
      expect(zh.replace(LATIN_OK, ''), `${key}: ${text} → ${zh}`).not.toMatch(/[A-Za-z]{3,}/);
    }
  });

  it('shows a wrapped line with the wrapped line in Chinese too: a relay agent’s own line, a burst’s count, a relay port on the router', async () => {
    const serves = said('relayLine', { name: 'Home relay' }, { key: 'agentServes', fields: { relay: '127.0.0.1:9015', name: 'web', agent: 'laptop' } });
    const burst = said('burstMore', { suppressed: 4, span: '1.5 min' }, { key: 'relayHandshakeFailed', fields: { peer: '198.51.100.9:51000', error: LOG_WORDS.peerClosedHandshake } });
    const router = said('relayRouterPublicAgent', { protocol: 'TCP', port: '8080', agent: 'laptop' }, { key: 'routerClosed', fields: { protocol: 'TCP', port: 8080, gateway: 'NAT-PMP at 192.168.1.1:5351' } });
    const line = ([message, l]: ReturnType<typeof said>): LogEntry => ({ seq: 1, ts: 0, level: 'info', message, key: l.key, fields: l.fields, ...(l.inner ? { inner: l.inner } : {}) });
    // English: the host's words exactly, as `porthole agent`, `porthole relay` and exported logs print them.
    expect(serves[0]).toBe('Relay "Home relay": relay 127.0.0.1:9015 serves web for agent "laptop"');
    expect(burst[0]).toBe('handshake from 198.51.100.9:51000 failed: the peer closed the connection during the handshake (and 4 more like it in the last 1.5 min)');
    expect(router[0]).toBe('Relay public TCP port 8080 (agent "laptop"): Closed TCP port 8080 on the router (NAT-PMP at 192.168.1.1:5351)');
    for (const s of [serves, burst, router]) expect(translateLogLine(line(s))).toBe(s[0]);
    await i18n.changeLanguage('zh-CN');
    expect(translateLogLine(line(serves))).toBe('中继“Home relay”：中继 127.0.0.1:9015 为代理端“laptop”提供 web');
    expect(translateLogLine(line(burst))).toBe('来自 198.51.100.9:51000 的握手失败：对方在握手期间关闭了连接（最近 1.5 分钟 内另有 4 条相同情况）');
    expect(translateLogLine(line(router))).toBe('中继的公网 TCP 端口 8080（代理端“laptop”）：已关闭路由器上的 TCP 端口 8080（192.168.1.1:5351 上的 NAT-PMP）');
    // A router's failure: what its code means in Chinese, then the host's detail.
    const failed = said('routerError', { error: 'the mapping listens on 127.0.0.1, which the router cannot reach', errorCode: 'LISTEN_ON_LOOPBACK' });
    expect(failed[0]).toBe('Router: the mapping listens on 127.0.0.1, which the router cannot reach');
    expect(translateLogLine(line(failed))).toBe('路由器：监听的是回环地址：路由器无法访问：the mapping listens on 127.0.0.1, which the router cannot reach');
    // Where a relay mapping listens, bound and not yet.
    const listening = (address: string) => translateLogLine(line(said('listening', { address })));
    expect(listening('relay 127.0.0.1:9015 127.0.0.1:42637')).toBe('正在监听 中继 127.0.0.1:9015 上的 127.0.0.1:42637');
    expect(listening('relay 127.0.0.1:9015 port (any allowed)')).toBe('正在监听 中继 127.0.0.1:9015 上的端口 （任意允许的端口）');
    // A wrapped line of a code this window does not know keeps its English words inside the Chinese.
    const newer = { ...line(serves), inner: { key: 'fromANewerHost' as LogKey, fields: {} } };
    expect(translateLogLine(newer)).toBe('中继“Home relay”：relay 127.0.0.1:9015 serves web for agent "laptop"');
  });

  it('shows the router’s real line about a loopback listener wholly in Chinese', async () => {
    const r = host.routerLoopback;
    const said = { seq: 1, ts: 0, ...r, level: r.level as LogEntry['level'], key: r.key as LogKey, code: r.code as LogEntry['code'] };
    expect(translateLogLine(said)).toBe(r.message);
    await i18n.changeLanguage('zh-CN');
    const zh = translateLogLine(said);
    expect(zh).toMatch(/^路由器：映射监听的是 127\.0\.0\.1，路由器无法访问——请监听本机的局域网地址/);
    expect(zh.replace(/\d+\.\d+\.\d+\.\d+/g, '')).not.toMatch(/[A-Za-z]{3,}/);
  });

  it('keeps a line without a code, or with a code this window does not know, as the host wrote it', async () => {
    await i18n.changeLanguage('zh-CN');
    expect(translateLogLine({ message: 'agent "a" online from 10.0.0.2' })).toBe('agent "a" online from 10.0.0.2');
    expect(translateLogLine({ key: 'fromANewerHost' as LogKey, fields: {}, message: 'Something new' })).toBe('Something new');
  });

  it('the log ring shows lines in the UI language, again after a switch, while copies and exports stay English', async () => {
    const ring = new LogRing(10);
    ring.setTranslator(shownLogLine);
    const e = { ...entry('listening'), ruleId: 'r1', ruleName: 'Web app' };
    const id = ring.push(e);
    expect(ring.messageOf(id)).toBe('Listening on 127.0.0.1:47001');
    await i18n.changeLanguage('zh-CN');
    ring.setTranslator(shownLogLine);
    expect(ring.messageOf(id)).toBe('正在监听 127.0.0.1:47001');
    expect(ring.englishOf(id)).toBe('Listening on 127.0.0.1:47001');
    expect(ring.get(id)).toMatchObject({ key: 'listening', ruleName: 'Web app', message: 'Listening on 127.0.0.1:47001' });
    // The window never saw this mapping (an undone import): the line's own name, not its id.
    expect(formatLogLine(ring, id, {})).toMatch(/ INFO {2}\[Web app\] Listening on 127\.0\.0\.1:47001 \(TARGET_REFUSED\)$/);
  });
});

describe('an SSH mapping’s messages in the UI language', () => {
  const messages = [
    ...host.ssh,
    // ssh-auth.ts's reasons a login cannot even be tried.
    { code: 'AUTH_FAILED', message: 'Cannot log in to me@box.internal:22: no ssh-agent is running (SSH_AUTH_SOCK is not set) — start one and add your key with ssh-add, or choose a key file' },
    { code: 'AUTH_FAILED', message: "Cannot log in to me@box.internal:22: no password is saved — enter the password in the server's settings" },
    { code: 'AUTH_FAILED', message: 'Cannot log in to me@box.internal:22: the passphrase for /home/me/.ssh/id_ed25519 is wrong — enter it again' },
  ];

  it('recognises what the host says about SSH servers and channels, and says it in Chinese', async () => {
    // The detail OpenSSH gave (its own words, like the OS's) is the only English left.
    await expectTranslatedWhole(messages, (zh) =>
      zh
        .replaceAll('me@box.internal:22', '')
        .replaceAll('box.internal', '')
        .replaceAll('/home/me/.ssh/id_ed25519', '')
        .replace(/No route to host|SSH_AUTH_SOCK is not set|publickey|MaxStartups|AllowUsers|fail2ban|AllowTcpForwarding|PermitOpen|ssh-agent|ssh-add|SSH_AUTH_SOCK/g, ''),
    );
    expect(translateError(messages[7]!)).toBe('box.internal:22 拒绝了连接——SSH 服务器在端口 22 上运行吗？');
  });
});

describe('the engine’s messages in the UI language', () => {
  const messages = [refused, ...host.engine];

  it('recognises every one the host words (all but the catch-alls) and translates it whole', async () => {
    await expectTranslatedWhole(messages, (zh) => zh.replaceAll('db.internal', ''));
    // connectError(connectTimeout(…, 1500)): the third of host.engine.
    expect(translateMessage(host.engine[2]!.message)).toBe(
      'db.internal:5432 在 1.5 秒 内没有响应——请检查目标地址和端口，以及是否有防火墙丢弃了连接',
    );
    // The catch-alls keep the OS's words as their detail.
    expect(translateMessage(host.catchAll.message)).toBe('到 db.internal:1 的连接失败：x EWHATEVER');
  });
});
