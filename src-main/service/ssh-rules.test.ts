import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RuleEntry } from '../../src-shared/api/contract';
import type { HostKeyPrompt, SshServerEntry } from '../../src-shared/model/ssh';
import type { RuleStatus } from '../../src-shared/model/status';
import { readToEnd, waitFor } from '../../test-support/net-fixtures';
import { type SshdFixture, startSshd, sshdAvailable } from '../../test-support/sshd';
import { useServiceCore } from '../../test-support/service-core';

// SSH rules end to end through the API: saved server → rule → a real OpenSSH sshd → a loopback target.

const haveSshd = sshdAvailable();

describe.skipIf(!haveSshd)('SSH rules through the API against OpenSSH', () => {
  let sshd: SshdFixture;
  let http: Server;
  let httpPort: number;

  beforeAll(async () => {
    sshd = await startSshd();
    http = createServer((req, res) => res.end(`hello from ${req.url}`));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    httpPort = (http.address() as { port: number }).port;
  });
  afterAll(async () => {
    await sshd?.cleanup();
    await new Promise<void>((r) => http.close(() => r()));
  });
  const svc = useServiceCore({ options: () => ({ hostKeyPromptTimeoutMs: 10_000 }) });
  const { net, call } = svc;

  const server = (over: Record<string, unknown> = {}) =>
    call<SshServerEntry>('servers.create', {
      server: { name: 'test sshd', host: '127.0.0.1', port: sshd.port, user: sshd.user, auth: { method: 'key', keyPath: sshd.userKeyPath }, hostKeyPolicy: 'accept-new', ...over },
    });
  const stateOf = (id: string) => svc.core.service.list().find((e) => e.rule.id === id)!.status;
  const curl = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const p = spawn('curl', ['-sS', '--max-time', '10', ...args]);
      let out = '';
      let err = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (err += d));
      p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`curl exit ${code}: ${err}`))));
    });

  it('runs ssh-local, ssh-dynamic and socks rules over one shared session; curl goes through -D and socks', async () => {
    const s = await server();
    const echo = await net.echoServer();
    const [pl, pd, ps] = [await net.freePort(), await net.freePort(), await net.freePort()];
    const local = await call<RuleEntry>('rules.create', { type: 'ssh-local', name: 'L', enabled: true, server: s.server.id, listen: { host: '127.0.0.1', port: pl }, target: { host: '127.0.0.1', port: echo.port } });
    const dyn = await call<RuleEntry>('rules.create', { type: 'ssh-dynamic', name: 'D', enabled: true, server: s.server.id, listen: { host: '127.0.0.1', port: pd } });
    const socks = await call<RuleEntry>('rules.create', { type: 'socks', name: 'S', enabled: true, listen: { host: '127.0.0.1', port: ps } });
    expect([local.status.state, dyn.status.state, socks.status.state]).toEqual(['running', 'running', 'running']);
    const c = await net.connect(pl);
    const got = readToEnd(c);
    c.end('through ssh -L');
    expect((await got).text).toBe('through ssh -L');
    expect(await curl(['--socks5-hostname', `127.0.0.1:${pd}`, `http://localhost:${httpPort}/via-D`])).toBe('hello from /via-D');
    expect(await curl(['--socks5-hostname', `127.0.0.1:${ps}`, `http://localhost:${httpPort}/via-socks`])).toBe('hello from /via-socks');
    // Both SSH rules share one connection to sshd.
    expect(sshd.connectionCount()).toBeGreaterThanOrEqual(1);
    const servers = await call<SshServerEntry[]>('servers.list');
    expect(servers[0]).toMatchObject({ state: 'ready', usedBy: expect.arrayContaining([local.rule.id, dyn.rule.id]) });
    // A server in use cannot be deleted.
    const del = await svc.core.api.handle('servers.remove', { id: s.server.id });
    expect(del).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('reports the port the SSH server assigned for a -R rule with port 0, and traffic reaches the local target', async () => {
    const s = await server();
    const echo = await net.echoServer();
    const r = await call<RuleEntry>('rules.create', { type: 'ssh-remote', name: 'R', enabled: true, server: s.server.id, remote: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: echo.port } });
    expect(r.status.state).toBe('running');
    const m = /:(\d+)$/.exec(r.status.boundAddress ?? '');
    expect(m).not.toBeNull();
    const c = await net.connect(Number(m![1]));
    const got = readToEnd(c);
    c.end('back through -R');
    expect((await got).text).toBe('back through -R');
  });

  it('asks about an unknown host key, and an "always" answer lets the rule run and records the key', async () => {
    const s = await server({ hostKeyPolicy: 'ask' });
    const echo = await net.echoServer();
    const prompts: HostKeyPrompt[] = [];
    svc.core.api.subscribe('host-key-prompt', (p) => {
      prompts.push(p);
      void svc.core.api.handle('hostKeys.answer', { promptId: p.promptId, decision: 'always' });
    });
    const r = await call<RuleEntry>('rules.create', { type: 'ssh-local', name: 'ask', enabled: true, server: s.server.id, listen: { host: '127.0.0.1', port: await net.freePort() }, target: { host: '127.0.0.1', port: echo.port } });
    expect(r.status.state).toBe('running');
    expect(prompts).toHaveLength(1);
    expect(prompts[0]!.fingerprint).toBe(sshd.hostKeyFingerprint);
    expect(readFileSync(join(svc.dir, 'known_hosts'), 'utf8')).toContain('ssh-ed25519');
  });

  it('fails the rule with AUTH_FAILED for a key the server refuses, without retrying', async () => {
    const s = await server({ auth: { method: 'key', keyPath: sshd.strangerKeyPath } });
    const before = sshd.connectionCount();
    const r = await call<RuleEntry>('rules.create', { type: 'ssh-local', name: 'bad key', enabled: true, server: s.server.id, listen: { host: '127.0.0.1', port: await net.freePort() }, target: { host: '127.0.0.1', port: 1 } });
    expect(r.status).toMatchObject({ state: 'failed', error: { code: 'AUTH_FAILED' } });
    expect(r.status.error?.message).toMatch(/Authentication failed for .*tried: publickey/);
    const settled = Date.now() + 1500;
    await waitFor(() => Date.now() > settled, 'a moment for any retry to show');
    expect(sshd.connectionCount() - before).toBe(1);
    expect(stateOf(r.rule.id).state).toBe('failed');
  });

  it('retries a rule that failed with AUTH_FAILED once the server is given a working key', async () => {
    const s = await server({ auth: { method: 'key', keyPath: sshd.strangerKeyPath } });
    const echo = await net.echoServer();
    const port = await net.freePort();
    const r = await call<RuleEntry>('rules.create', { type: 'ssh-local', name: 'fixed later', enabled: true, server: s.server.id, listen: { host: '127.0.0.1', port }, target: { host: '127.0.0.1', port: echo.port } });
    expect(r.status.state).toBe('failed');
    const { id: _id, ...saved } = s.server;
    await call('servers.update', { id: s.server.id, server: { ...saved, auth: { method: 'key', keyPath: sshd.userKeyPath } } });
    expect(stateOf(r.rule.id).state).toBe('running');
    const c = await net.connect(port);
    const got = readToEnd(c);
    c.end('fixed');
    expect((await got).text).toBe('fixed');
  });

  it('keeps passwords out of porthole.json', async () => {
    await call('servers.create', { server: { name: 'pw', host: '127.0.0.1', port: 2, user: 'u', auth: { method: 'password' } }, password: 's3cret-pass' });
    const saved = readFileSync(join(svc.dir, 'porthole.json'), 'utf8');
    expect(saved).not.toContain('s3cret-pass');
    expect(JSON.parse(saved).servers[0].auth).toEqual({ method: 'password', hasPassword: true });
  });

  it('shows retrying while sshd is down and comes back by itself when it returns', async () => {
    const s = await server();
    const echo = await net.echoServer();
    const port = await net.freePort();
    const r = await call<RuleEntry>('rules.create', { type: 'ssh-local', name: 'resilient', enabled: true, server: s.server.id, listen: { host: '127.0.0.1', port }, target: { host: '127.0.0.1', port: echo.port } });
    expect(r.status.state).toBe('running');
    const states: RuleStatus[] = [];
    svc.core.api.subscribe('rule-state', (st) => st.id === r.rule.id && states.push(st));
    await sshd.stop();
    const down = await waitFor(() => states.find((x) => x.state === 'retrying' && x.nextRetryAt), 'retrying with a next attempt time', 15_000);
    expect(down.nextRetryAt).toBeGreaterThan(Date.now() - 1000);
    await sshd.restart();
    await waitFor(() => stateOf(r.rule.id).state === 'running', 'running again', 40_000);
    const c = await net.connect(port);
    const got = readToEnd(c);
    c.end('after the restart');
    expect((await got).text).toBe('after the restart');
  }, 60_000);
});

describe('SOCKS rule with a username and password set through the API', () => {
  const svc = useServiceCore();
  const { net } = svc;
  let http: Server;
  beforeEach(async () => {
    http = createServer((_req, res) => res.end('secret page'));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  });
  afterEach(async () => {
    await new Promise<void>((r) => http.close(() => r()));
  });

  const curlStatus = (args: string[]) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const p = spawn('curl', ['-sS', '--max-time', '10', ...args]);
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.on('close', (code) => resolve({ code, out }));
    });

  it('requires the stored password, keeps it out of porthole.json, and refuses wrong credentials', async () => {
    const port = await net.freePort();
    const created = await svc.core.api.handle('rules.create', { type: 'socks', name: 'auth proxy', enabled: true, listen: { host: '127.0.0.1', port }, socks: { username: 'alice' } });
    expect(created.ok).toBe(true);
    const id = created.ok ? (created.value as RuleEntry).rule.id : '';
    const set = await svc.core.api.handle('rules.setSocksPassword', { id, password: 'wonderland' });
    expect(set).toMatchObject({ ok: true, value: { rule: { socks: { username: 'alice', hasPassword: true } }, status: { state: 'running' } } });
    expect(readFileSync(join(svc.dir, 'porthole.json'), 'utf8')).not.toContain('wonderland');
    const url = `http://127.0.0.1:${(http.address() as { port: number }).port}/`;
    expect(await curlStatus(['--socks5-hostname', `alice:wonderland@127.0.0.1:${port}`, url])).toEqual({ code: 0, out: 'secret page' });
    expect((await curlStatus(['--socks5-hostname', `alice:nope@127.0.0.1:${port}`, url])).code).not.toBe(0);
    expect((await curlStatus(['--socks5-hostname', `127.0.0.1:${port}`, url])).code).not.toBe(0);
    // Only SOCKS rules take a password.
    const tcp = await svc.core.api.handle('rules.create', { type: 'tcp-forward', name: 'x', listen: { host: '127.0.0.1', port: await net.freePort() }, target: { host: '127.0.0.1', port: 1 } });
    const wrong = await svc.core.api.handle('rules.setSocksPassword', { id: tcp.ok ? (tcp.value as RuleEntry).rule.id : '', password: 'p' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});
