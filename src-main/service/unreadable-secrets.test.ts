import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RuleEntry } from '../../src-shared/api/contract';
import type { RelayEntry } from '../../src-shared/model/relay';
import type { SshServerEntry } from '../../src-shared/model/ssh';
import { NetFixtures, type TestServer, waitFor } from '../../test-support/net-fixtures';
import { apiCall } from '../../test-support/service-core';
import { tempDir } from '../../test-support/tmp';
import { confFactory } from '../store/conf-factories';
import type { SecretCodec } from '../store/secret-store';
import { type Core, createCore } from './core';

// The desktop app (keychain codec) saves a password and a token on a data dir; the CLI or browser mode
// (file codec) on the same data dir must neither send that ciphertext nor an empty secret: the server
// and relay say why, their rules fail with that reason, and no connection is even attempted.

/** The desktop app's codec as far as storage goes: a keychain-scheme codec this process alone can read. */
const desktopKeychain: SecretCodec = {
  backend: 'test keychain',
  scheme: 'keychain',
  encode: (plain) => Buffer.from(`v10${plain}`).toString('base64'),
  decode: (body) => Buffer.from(body, 'base64').toString().slice(3),
};

describe('secrets this process cannot read', () => {
  let t: ReturnType<typeof tempDir>;
  let net: NetFixtures;
  let core: Core | undefined;

  beforeEach(() => {
    t = tempDir();
    net = new NetFixtures();
  });
  afterEach(async () => {
    await core?.shutdown();
    core = undefined;
    await net.cleanup();
    t.cleanup();
  });

  const open = (secretCodec?: SecretCodec) =>
    createCore({ dataDir: t.dir, mode: 'browser', confFactory, storeBackend: 'conf', version: 't', extraKnownHosts: [], ...(secretCodec ? { secretCodec } : {}) });
  const call = apiCall;

  it('are asked for again and never sent: the server, the relay and their rules say why', async () => {
    // Stand-ins for the SSH server and the relay: they only count who connects.
    const sshd: TestServer = await net.server();
    const relayPort: TestServer = await net.server();
    const target = await net.echoServer();
    const listen = await net.freePort();

    const desktop = await open(desktopKeychain);
    const server = await call<SshServerEntry>(desktop, 'servers.create', {
      server: { name: 'box', host: '127.0.0.1', port: sshd.port, user: 'me', auth: { method: 'password' }, hostKeyPolicy: 'accept-new' },
      password: 'hunter2',
    });
    const relay = await call<RelayEntry>(desktop, 'relays.create', { relay: { name: 'vps', host: '127.0.0.1', port: relayPort.port, agentName: 'laptop' }, token: 'relay-token-for-the-tests' });
    const sshRule = await call<RuleEntry>(desktop, 'rules.create', { type: 'ssh-local', name: 'L', enabled: false, server: server.server.id, listen: { host: '127.0.0.1', port: listen }, target: { host: '127.0.0.1', port: target.port } });
    const relayRule = await call<RuleEntry>(desktop, 'rules.create', { type: 'relay-expose', name: 'R', enabled: false, relay: relay.relay.id, target: { host: '127.0.0.1', port: target.port }, remotePort: 0 });
    expect(server.server.auth).toMatchObject({ hasPassword: true });
    await desktop.shutdown();

    // The CLI / browser mode on the same data dir.
    core = await open();
    const cli = core;
    const servers = await call<SshServerEntry[]>(cli, 'servers.list');
    expect(servers[0]!.server.auth).toMatchObject({ hasPassword: false });
    expect(servers[0]!.error).toEqual({ code: 'AUTH_FAILED', message: expect.stringMatching(/^The saved password cannot be used here: it was encrypted with an OS keyring .* — enter it again in the server's settings$/) });
    const relays = await call<RelayEntry[]>(cli, 'relays.list');
    expect(relays[0]!.relay.hasToken).toBe(false);
    expect(relays[0]!.error?.message).toMatch(/^The saved token cannot be used here: .* — enter it again in the relay's settings$/);

    await call(cli, 'rules.setEnabled', { id: sshRule.rule.id, enabled: true });
    await call(cli, 'rules.setEnabled', { id: relayRule.rule.id, enabled: true });
    const status = (id: string) => cli.service.list().find((e) => e.rule.id === id)!.status;
    await waitFor(() => status(sshRule.rule.id).state === 'failed', 'the ssh rule to fail');
    await waitFor(() => status(relayRule.rule.id).state === 'failed', 'the relay rule to fail');
    expect(status(sshRule.rule.id).error).toMatchObject({ code: 'AUTH_FAILED', message: expect.stringContaining('the saved password cannot be used here') });
    expect(status(relayRule.rule.id).error).toMatchObject({ code: 'AUTH_FAILED', message: expect.stringContaining('The saved token cannot be used here') });
    expect(sshd.accepted).toHaveLength(0);
    expect(relayPort.accepted).toHaveLength(0);

    // Entering the password again in this Porthole makes it usable here (stored in this one's way).
    // (The rules are off first: the stand-in sshd would never answer a real login.)
    await call(cli, 'rules.setEnabled', { id: sshRule.rule.id, enabled: false });
    const { id, ...draft } = server.server;
    const again = await call<SshServerEntry>(cli, 'servers.update', { id, server: draft, password: 'hunter2' });
    expect(again.server.auth).toMatchObject({ hasPassword: true });
    expect(again.error).toBeUndefined();
  });
});
