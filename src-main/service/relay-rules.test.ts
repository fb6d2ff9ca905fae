import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LocalRelaySettings, RuleEntry } from '../../src-shared/api/contract';
import type { RelayEntry, RelayServerStatus } from '../../src-shared/model/relay';
import { CountingSecrets } from '../../test-support/counting-stores';
import { waitFor } from '../../test-support/net-fixtures';
import { useServiceCore } from '../../test-support/service-core';
import { FileSecretStore } from '../store/secret-store';

// relay-expose rules end to end through the API: the in-app relay (this process is also the relay,
// as on a VPS running `porthole ui`), a saved relay pointing at it, a rule exposing a loopback echo.

describe('relay rules through the API', () => {
  const svc = useServiceCore({ checkLogCodes: true });
  const { net, call } = svc;

  const stateOf = (id: string) => svc.core.service.list().find((e) => e.rule.id === id)!.status;

  /** The in-app relay on a free port; agent "laptop" may ask for one free port (`publicPort`). */
  async function relayWithAgent(token = 'laptop-token-for-tests'): Promise<{ port: number; publicPort: number; status: RelayServerStatus }> {
    const port = await net.freePort();
    const publicPort = await net.freePort();
    await call<LocalRelaySettings>('relayServer.configure', {
      config: { bind: { host: '127.0.0.1', port }, publicHost: '127.0.0.1', tls: true, agents: [{ name: 'laptop', allowPorts: `${publicPort}` }] },
      tokens: { laptop: token },
    });
    const status = await call<RelayServerStatus>('relayServer.start');
    expect(status.running).toBe(true);
    return { port, publicPort, status };
  }

  it('exposes a local echo through the in-app relay; the relay view and the rule agree on bytes; the token stays out of the rules file', async () => {
    const echo = await net.echoServer();
    const { port, publicPort, status } = await relayWithAgent();
    const relay = await call<RelayEntry>('relays.create', { relay: { name: 'my relay', host: '127.0.0.1', port, agentName: 'laptop' }, token: 'laptop-token-for-tests' });
    expect(relay.relay.hasToken).toBe(true);
    const rule = await call<RuleEntry>('rules.create', { type: 'relay-expose', name: 'echo', enabled: true, relay: relay.relay.id, target: { host: '127.0.0.1', port: echo.port }, remotePort: 0 });
    await waitFor(() => stateOf(rule.rule.id).state === 'running', 'rule running');
    expect(stateOf(rule.rule.id).boundAddress).toBe(`relay 127.0.0.1:${port} 127.0.0.1:${publicPort}`);
    const sock = await net.connect(publicPort);
    sock.write('through the relay');
    const got = await new Promise<string>((r) => sock.once('data', (d) => r(d.toString())));
    expect(got).toBe('through the relay');
    const entry = (await call<RelayEntry[]>('relays.list'))[0]!;
    expect(entry.state).toBe('ready');
    expect(entry.usedBy).toEqual([rule.rule.id]);
    // First use pinned the certificate the relay made.
    expect(entry.relay.fingerprint).toBe(status.fingerprint);
    const rs = await call<RelayServerStatus>('relayServer.status');
    expect(rs.agents[0]).toMatchObject({ name: 'laptop', online: true });
    expect(rs.agents[0]!.exposures[0]).toMatchObject({ publicAddress: `127.0.0.1:${publicPort}`, source: 'agent', bytesIn: 17, name: 'echo' });
    expect(readFileSync(join(svc.dir, 'porthole.json'), 'utf8')).not.toContain('laptop-token');
    // Switching the rule off closes the public port at the relay.
    await call('rules.setEnabled', { id: rule.rule.id, enabled: false });
    await waitFor(async () => (await call<RelayServerStatus>('relayServer.status')).agents[0]!.exposures.length === 0, 'exposure closed');
  });

  it('a wrong token fails the rule with AUTH_FAILED; fixing the token brings it up without touching the rule', async () => {
    const echo = await net.echoServer();
    const { port } = await relayWithAgent('right-token-for-tests');
    const relay = await call<RelayEntry>('relays.create', { relay: { name: 'r', host: '127.0.0.1', port, agentName: 'laptop' }, token: 'wrong-token-for-tests' });
    const rule = await call<RuleEntry>('rules.create', { type: 'relay-expose', name: 'echo', enabled: true, relay: relay.relay.id, target: { host: '127.0.0.1', port: echo.port } });
    await waitFor(() => stateOf(rule.rule.id).state === 'failed', 'rule failed');
    expect(stateOf(rule.rule.id).error).toMatchObject({ code: 'AUTH_FAILED' });
    expect(stateOf(rule.rule.id).error!.message).toMatch(/agent "laptop": unknown agent name or wrong token/);
    await call('relays.update', { id: relay.relay.id, relay: { name: 'r', host: '127.0.0.1', port, agentName: 'laptop' }, token: 'right-token-for-tests' });
    await waitFor(() => stateOf(rule.rule.id).state === 'running', 'rule running after the token was fixed');
  });

  it("a relay whose certificate changed is refused (RELAY_CERT_CHANGED) until the person trusts the new one", async () => {
    const echo = await net.echoServer();
    const { port, status } = await relayWithAgent();
    const relay = await call<RelayEntry>('relays.create', { relay: { name: 'r', host: '127.0.0.1', port, agentName: 'laptop' }, token: 'laptop-token-for-tests' });
    const rule = await call<RuleEntry>('rules.create', { type: 'relay-expose', name: 'echo', enabled: true, relay: relay.relay.id, target: { host: '127.0.0.1', port: echo.port } });
    await waitFor(() => stateOf(rule.rule.id).state === 'running', 'rule running');
    // The relay gets a new certificate (its files removed, as after a reinstall).
    await call('relayServer.stop');
    rmSync(join(svc.dir, 'relay-cert.pem'));
    rmSync(join(svc.dir, 'relay-key.pem'));
    const restarted = await call<RelayServerStatus>('relayServer.start');
    expect(restarted.fingerprint).not.toBe(status.fingerprint);
    await waitFor(() => stateOf(rule.rule.id).state === 'failed', 'rule failed on the changed certificate', 10_000);
    expect(stateOf(rule.rule.id).error?.code).toBe('RELAY_CERT_CHANGED');
    const entry = (await call<RelayEntry[]>('relays.list'))[0]!;
    expect(entry.seenFingerprint).toBe(restarted.fingerprint);
    expect(entry.relay.fingerprint).toBe(status.fingerprint);
    await call('relays.trust', { id: relay.relay.id, fingerprint: entry.seenFingerprint });
    await waitFor(() => stateOf(rule.rule.id).state === 'running', 'rule running after trusting the new certificate', 10_000);
  });

  it('guards the in-app relay with the same admission control: a ninth pending connection from one address is refused at once', async () => {
    const { port } = await relayWithAgent();
    const idle = await Promise.all(Array.from({ length: 8 }, () => net.connect(port)));
    const ninth = await net.connect(port).catch(() => undefined);
    if (ninth) await new Promise((r) => (ninth.closed ? r(undefined) : ninth.once('close', r)));
    expect(idle.every((s) => !s.closed)).toBe(true);
    const log = await call<{ message: string }[]>('logs.query', { minLevel: 'warn' });
    expect(log.map((l) => l.message)).toContainEqual(expect.stringMatching(/^refused a connection from 127\.0\.0\.1:\d+: 8 handshakes from 127\.0\.0\.1 are already in progress \(max_pending_per_address\)$/));
  });

  it('refuses tokens under 16 characters for a saved relay and for the in-app relay, saying how to make one', async () => {
    const port = await net.freePort();
    const saved = await svc.core.api.handle('relays.create', { relay: { name: 'r', host: '127.0.0.1', port, agentName: 'laptop' }, token: 'hunter2' });
    expect(!saved.ok && saved.error).toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: 'token', message: expect.stringContaining('at least 16 characters') }] });
    const configured = await svc.core.api.handle('relayServer.configure', { config: { bind: { host: '127.0.0.1', port }, agents: [{ name: 'laptop', allowPorts: '20000' }] }, tokens: { laptop: 'hunter2' } });
    expect(!configured.ok && configured.error).toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: 'tokens.laptop', message: expect.stringContaining('porthole relay --gen-token') }] });
    expect(await call<RelayEntry[]>('relays.list')).toEqual([]);
  });

  it('refuses to start the in-app relay while an agent has no token', async () => {
    const port = await net.freePort();
    await call('relayServer.configure', { config: { bind: { host: '127.0.0.1', port }, agents: [{ name: 'open', allowPorts: '20000' }] } });
    const r = await svc.core.api.handle('relayServer.start', undefined);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.message).toMatch(/Set a token for "open"/);
    await expect(net.connect(port)).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('in-app relay settings', () => {
  let secrets: CountingSecrets | undefined;
  const svc = useServiceCore({ options: (dir) => ({ secretStore: (secrets = new CountingSecrets(new FileSecretStore(dir))) }) });

  it('stores the tokens of several agents, and deletes one, in one write of the secret store', async () => {
    const agents = ['a', 'b', 'c'].map((name) => ({ name, allowPorts: '20000' }));
    const configure = (tokens: Record<string, string>) => svc.call<LocalRelaySettings>('relayServer.configure', { config: { bind: { host: '127.0.0.1', port: 9 }, agents }, tokens });
    const before = secrets!.writes;
    expect((await configure({ a: 'token-a-for-the-tests', b: 'token-b-for-the-tests', c: 'token-c-for-the-tests' })).withToken).toEqual(['a', 'b', 'c']);
    expect(secrets!.writes - before).toBe(1);
    expect((await configure({ a: 'token-a-changed-for-tests', b: '' })).withToken).toEqual(['a', 'c']);
    expect(secrets!.writes - before).toBe(2);
  });
});
