import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import nodeNet from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NetFixtures, readToEnd, sha256, waitFor } from '../../test-support/net-fixtures';
import { PASSPHRASE, sshdAvailable, startAgent, startSshd } from '../../test-support/sshd';
import type { SshdFixture } from '../../test-support/sshd';
import { tempDir } from '../../test-support/tmp';
import type { EngineError } from '../engine/engine-error';
import { LocalForwarder } from './local-forward';
import { RemoteForwarder } from './remote-forward';
import { Sessions, reach, serverFor } from '../../test-support/ssh-helpers';
import type { SshSession } from './ssh-session';

const run = promisify(execFile);
const suite = sshdAvailable() ? describe : describe.skip;

suite('SSH against a real OpenSSH sshd', () => {
  let fx: SshdFixture;
  let net: NetFixtures;
  let tmp: ReturnType<typeof tempDir>;
  let sessions: Sessions;
  const stops: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    fx = await startSshd();
    net = new NetFixtures();
    tmp = tempDir();
    sessions = new Sessions(tmp.dir);
  });
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
    await sessions.closeAll();
    await net.cleanup();
    await fx.cleanup();
    tmp.cleanup();
  });

  async function localForward(session: SshSession, targetPort: number): Promise<{ fwd: LocalForwarder; port: number }> {
    const fwd = new LocalForwarder(session, { listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: targetPort } });
    const { port } = await fwd.start();
    stops.push(() => fwd.stop());
    return { fwd, port };
  }

  async function roundTrip(port: number, payload: Buffer): Promise<{ bytes: number; sha256: string }> {
    const c = await net.connect(port);
    const got = readToEnd(c);
    c.end(payload);
    const { bytes, sha256 } = await got;
    return { bytes, sha256 };
  }

  it('-L carries 16 MiB intact both ways through sshd to an echo server', async () => {
    const echo = await net.echoServer();
    const session = sessions.open(serverFor(fx));
    await reach(session, 'ready');
    const { fwd, port } = await localForward(session, echo.port);
    const payload = randomBytes(16 * 1024 * 1024);
    const got = await roundTrip(port, payload);
    expect(got).toEqual({ bytes: payload.length, sha256: sha256(payload) });
    await waitFor(() => fwd.connectionCount === 0, 'the connection to close');
    expect(fwd.meter.snapshot()).toMatchObject({ bytesIn: payload.length, bytesOut: payload.length, totalConnections: 1 });
  });

  it('-L reports a refused target as TARGET_REFUSED and resets the client', async () => {
    const closedPort = await net.freePort();
    const session = sessions.open(serverFor(fx));
    await reach(session, 'ready');
    const { fwd, port } = await localForward(session, closedPort);
    const errors: EngineError[] = [];
    fwd.on('connection-error', (e) => errors.push(e.error));
    const c = await net.connect(port);
    await new Promise((resolve) => c.once('close', resolve));
    expect(errors[0]?.code).toBe('TARGET_REFUSED');
  });

  it('-R with a fixed remote port and with port 0 reaches the local echo server', async () => {
    const echo = await net.echoServer();
    const session = sessions.open(serverFor(fx));
    await reach(session, 'ready');
    const fixed = await net.freePort();
    for (const remotePort of [fixed, 0]) {
      const fwd = new RemoteForwarder(session, { remote: { host: '127.0.0.1', port: remotePort }, target: { host: '127.0.0.1', port: echo.port } });
      const bound = new Promise<number>((resolve) => fwd.once('bound', (b) => resolve(b.port)));
      const { port } = await fwd.start();
      stops.push(() => fwd.stop());
      expect(await bound).toBe(port);
      expect(fwd.boundPort).toBe(port);
      if (remotePort !== 0) expect(port).toBe(fixed);
      else expect(port).toBeGreaterThan(0);
      const payload = randomBytes(256 * 1024);
      expect(await roundTrip(port, payload)).toEqual({ bytes: payload.length, sha256: sha256(payload) });
    }
  });

  it('logs in with a passphrase-protected key; a wrong passphrase fails once, locally, with AUTH_FAILED', async () => {
    const auth = { method: 'key' as const, keyPath: fx.passphraseKeyPath, hasPassphrase: true };
    const good = sessions.open(serverFor(fx, { auth }), { secrets: async ({ kind }) => (kind === 'passphrase' ? PASSPHRASE : undefined) });
    await reach(good, 'ready');
    const before = fx.connectionCount();
    const bad = sessions.open(serverFor(fx, { auth }), { secrets: async () => 'wrong horse' });
    await reach(bad, 'failed');
    expect(bad.lastError?.code).toBe('AUTH_FAILED');
    expect(bad.lastError?.message).toMatch(/passphrase .* is wrong/);
    expect(bad.attempts).toBe(1);
    expect(fx.connectionCount()).toBe(before); // the key is decrypted before dialling
  });

  it('a key the server refuses gives AUTH_FAILED naming the methods, with exactly one attempt (no retry storm)', async () => {
    const session = sessions.open(serverFor(fx, { auth: { method: 'key', keyPath: fx.strangerKeyPath, hasPassphrase: false } }));
    await reach(session, 'failed');
    expect(session.lastError?.code).toBe('AUTH_FAILED');
    expect(session.lastError?.message).toBe(`Authentication failed for ${fx.user}@127.0.0.1:${fx.port} (tried: publickey) — check the key or password`);
    await waitFor(() => fx.connectionCount() >= 1, 'sshd to log the connection');
    // Watching for an absence needs a window: 2 s is 4+ backoff periods of this session (100 ms start).
    await new Promise((r) => setTimeout(r, 2000));
    expect(fx.connectionCount()).toBe(1);
    expect(session.attempts).toBe(1);
    expect(session.state).toBe('failed');
  });

  it('authenticates through a real ssh-agent', async () => {
    const agent = await startAgent(tmp.dir, [fx.userKeyPath]);
    stops.push(agent.stop);
    const session = sessions.open(serverFor(fx, { auth: { method: 'agent' } }), { agentPath: agent.socket });
    await reach(session, 'ready');
  });

  it('policy ask: "always" records the key in the app file and the next connection does not ask', async () => {
    const prompts: string[] = [];
    const s1 = sessions.open(serverFor(fx, { hostKeyPolicy: 'ask' }), {
      prompt: async (p) => {
        prompts.push(p.fingerprint);
        return 'always';
      },
    });
    await reach(s1, 'ready');
    expect(prompts).toEqual([fx.hostKeyFingerprint]);
    expect(readFileSync(join(tmp.dir, 'known_hosts'), 'utf8')).toContain(`[127.0.0.1]:${fx.port} ssh-ed25519 `);
    const s2 = sessions.open(serverFor(fx, { hostKeyPolicy: 'ask' }), { prompt: async () => (prompts.push('again'), 'reject') });
    await reach(s2, 'ready');
    expect(prompts).toHaveLength(1);
  });

  it('policy ask: "reject" fails with HOST_KEY_UNKNOWN and records nothing; strict refuses unknown keys', async () => {
    const s1 = sessions.open(serverFor(fx, { hostKeyPolicy: 'ask' }), { prompt: async () => 'reject' });
    await reach(s1, 'failed');
    expect(s1.lastError?.code).toBe('HOST_KEY_UNKNOWN');
    const s2 = sessions.open(serverFor(fx, { hostKeyPolicy: 'strict' }));
    await reach(s2, 'failed');
    expect(s2.lastError?.code).toBe('HOST_KEY_UNKNOWN');
    expect(s2.lastError?.message).toContain(fx.hostKeyFingerprint);
    expect(() => readFileSync(join(tmp.dir, 'known_hosts'))).toThrow();
  });

  it('a changed host key fails with HOST_KEY_CHANGED showing both fingerprints and the file', async () => {
    const s1 = sessions.open(serverFor(fx));
    await reach(s1, 'ready');
    await s1.close();
    const old = fx.hostKeyFingerprint;
    await fx.restart({ newHostKey: true });
    const s2 = sessions.open(serverFor(fx, { hostKeyPolicy: 'ask' }), { prompt: async () => 'always' });
    await reach(s2, 'failed');
    expect(s2.lastError?.code).toBe('HOST_KEY_CHANGED');
    expect(s2.lastError?.message).toContain(old);
    expect(s2.lastError?.message).toContain(fx.hostKeyFingerprint);
    expect(s2.lastError?.message).toContain(join(tmp.dir, 'known_hosts'));
  });

  it('matches a hashed entry made by ssh-keygen -H in the server\'s known_hosts file', async () => {
    const file = join(tmp.dir, 'hashed_known_hosts');
    writeFileSync(file, fx.knownHostsLine() + '\n');
    await run('ssh-keygen', ['-H', '-f', file]);
    expect(readFileSync(file, 'utf8')).toMatch(/^\|1\|/);
    const session = sessions.open(serverFor(fx, { hostKeyPolicy: 'strict', knownHostsFile: file }));
    await reach(session, 'ready');
  });

  it('reconnects by itself after sshd restarts: -L works for new connections and -R is bound again', async () => {
    const echo = await net.echoServer();
    const session = sessions.open(serverFor(fx));
    await reach(session, 'ready');
    const { port } = await localForward(session, echo.port);
    const remotePort = await net.freePort();
    const rfwd = new RemoteForwarder(session, { remote: { host: '127.0.0.1', port: remotePort }, target: { host: '127.0.0.1', port: echo.port } });
    await rfwd.start();
    stops.push(() => rfwd.stop());

    await fx.stop();
    await reach(session, 'retrying');
    expect(session.nextRetryAt).toBeGreaterThan(0);
    const rebound = new Promise<number>((resolve) => rfwd.once('bound', (b) => resolve(b.port)));
    await fx.restart();
    await reach(session, 'ready');
    expect(await rebound).toBe(remotePort);
    const payload = randomBytes(64 * 1024);
    expect(await roundTrip(port, payload)).toEqual({ bytes: payload.length, sha256: sha256(payload) });
    expect(await roundTrip(remotePort, payload)).toEqual({ bytes: payload.length, sha256: sha256(payload) });
  });

  it('refuses -L clients quickly while the session is down, saying it is retrying', async () => {
    const echo = await net.echoServer();
    const session = sessions.open(serverFor(fx), { backoff: { initialMs: 60_000 } });
    await reach(session, 'ready');
    const { fwd, port } = await localForward(session, echo.port);
    await fx.stop();
    await reach(session, 'retrying');
    const errors: EngineError[] = [];
    fwd.on('connection-error', (e) => errors.push(e.error));
    // The reset may even beat the connect callback, so just watch the socket close.
    const c = net.socket(nodeNet.connect({ host: '127.0.0.1', port }));
    await new Promise((resolve) => c.once('close', resolve));
    await waitFor(() => errors.length > 0, 'the connection error');
    expect(errors[0]?.code).toBe('CONNECTION_RESET');
    expect(errors[0]?.message).toMatch(/unreachable .*retrying in \d+ s/);
  });

  it('close() while retrying stops every further attempt', async () => {
    const session = sessions.open(serverFor(fx), { backoff: { initialMs: 50, maxMs: 50 } });
    await reach(session, 'ready');
    await fx.stop();
    await reach(session, 'retrying');
    await session.close();
    const attempts = session.attempts;
    expect(session.state).toBe('closed');
    expect(session.nextRetryAt).toBeUndefined();
    // 500 ms = 10 backoff periods: any surviving timer would have fired.
    await new Promise((r) => setTimeout(r, 500));
    expect(session.attempts).toBe(attempts);
    expect(session.state).toBe('closed');
  });
});

suite('SSH through a jump host', () => {
  it('connects to sshd B through sshd A and forwards -L through B', async () => {
    const a = await startSshd();
    const b = await startSshd();
    const net = new NetFixtures();
    const tmp = tempDir();
    const sessions = new Sessions(tmp.dir);
    try {
      const echo = await net.echoServer();
      const session = sessions.open(serverFor(b), { jump: [serverFor(a)] });
      await reach(session, 'ready');
      const fwd = new LocalForwarder(session, { listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: echo.port } });
      const { port } = await fwd.start();
      const c = await net.connect(port);
      const got = readToEnd(c);
      const payload = randomBytes(1024 * 1024);
      c.end(payload);
      expect(await got).toMatchObject({ bytes: payload.length, sha256: sha256(payload) });
      await fwd.stop();
      // Both hops were checked against known_hosts (accept-new recorded both).
      const recorded = readFileSync(join(tmp.dir, 'known_hosts'), 'utf8');
      expect(recorded).toContain(`[127.0.0.1]:${a.port} `);
      expect(recorded).toContain(`[127.0.0.1]:${b.port} `);
    } finally {
      await sessions.closeAll();
      await net.cleanup();
      await a.cleanup();
      await b.cleanup();
      tmp.cleanup();
    }
  });
});
