import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { RuleEntry } from '../../src-shared/api/contract';
import type { SshServerEntry } from '../../src-shared/model/ssh';
import type { RuleStatus } from '../../src-shared/model/status';
import { waitFor } from '../../test-support/net-fixtures';
import { useServiceCore } from '../../test-support/service-core';

// A SOCKS rule that names a user must authenticate its clients: with no password stored for it, the
// rule fails closed (does not listen at all) instead of serving everyone without authentication.

const MISSING = /^SOCKS user alice has no password stored on this machine — set the password in the rule, or clear the username to allow anyone who can reach 127\.0\.0\.1:\d+$/;


const svc = useServiceCore();
const { net, call } = svc;

const probe = (port: number) => net.connectOutcome(port);

/** Sends a SOCKS5 greeting and resolves with the server's 2-byte method selection. */
async function greet(socket: Socket, methods: number[]): Promise<Buffer> {
  let got = Buffer.alloc(0);
  const onData = (d: Buffer) => (got = Buffer.concat([got, d]));
  socket.on('data', onData);
  socket.write(Buffer.from([0x05, methods.length, ...methods]));
  await waitFor(() => got.length >= 2 || socket.closed, 'the SOCKS method selection');
  socket.off('data', onData);
  return got.subarray(0, 2);
}

describe('SOCKS rules with a username fail closed', () => {
  it('a socks rule with a username and no stored password is failed with SOCKS_PASSWORD_MISSING and does not listen', async () => {
    const port = await net.freePort();
    // hasPassword: true as an import from an export without secrets would claim: the secret store decides.
    const created = await call<RuleEntry>('rules.create', {
      type: 'socks',
      name: 'team proxy',
      enabled: true,
      listen: { host: '127.0.0.1', port },
      socks: { username: 'alice', hasPassword: true },
    });
    expect(created.status).toMatchObject({ state: 'failed', error: { code: 'SOCKS_PASSWORD_MISSING', message: expect.stringMatching(MISSING) } });
    expect(created.status.error?.message).toContain(`127.0.0.1:${port}`);
    expect(await probe(port)).toBe('ECONNREFUSED');
    const log = await call<{ level: string; message: string; code?: string }[]>('logs.query', { ruleId: created.rule.id });
    expect(log).toContainEqual(expect.objectContaining({ level: 'error', code: 'SOCKS_PASSWORD_MISSING', message: expect.stringMatching(MISSING) }));

    // A restart (e.g. switching it off and on) still refuses.
    await call('rules.setEnabled', { id: created.rule.id, enabled: false });
    const again = await call<RuleStatus>('rules.setEnabled', { id: created.rule.id, enabled: true });
    expect(again).toMatchObject({ state: 'failed', error: { code: 'SOCKS_PASSWORD_MISSING' } });
    expect(await probe(port)).toBe('ECONNREFUSED');
  });

  it('once the password is stored it runs, refuses a client offering only no-auth (05 FF) and serves the right credentials', async () => {
    const port = await net.freePort();
    const echo = await net.echoServer();
    const created = await call<RuleEntry>('rules.create', { type: 'socks', name: 'p', enabled: true, listen: { host: '127.0.0.1', port }, socks: { username: 'alice' } });
    expect(created.status.state).toBe('failed');
    const set = await call<RuleEntry>('rules.setSocksPassword', { id: created.rule.id, password: 'wonderland' });
    expect(set.status.state).toBe('running');

    const anonymous = await net.connect(port);
    expect([...(await greet(anonymous, [0x00]))]).toEqual([0x05, 0xff]);
    await waitFor(() => anonymous.readableEnded, 'the server to close the refused client');

    const user = await net.connect(port);
    expect([...(await greet(user, [0x00, 0x02]))]).toEqual([0x05, 0x02]);
    const u = Buffer.from('alice');
    const p = Buffer.from('wonderland');
    let got = Buffer.alloc(0);
    user.on('data', (d: Buffer) => (got = Buffer.concat([got, d])));
    user.write(Buffer.concat([Buffer.from([0x01, u.length]), u, Buffer.from([p.length]), p]));
    user.write(Buffer.from([0x05, 0x01, 0x00, 0x01, 127, 0, 0, 1, echo.port >> 8, echo.port & 0xff]));
    await waitFor(() => got.length >= 12, 'the auth and CONNECT replies');
    expect([...got.subarray(0, 4)]).toEqual([0x01, 0x00, 0x05, 0x00]);
    got = Buffer.alloc(0);
    user.write('through the proxy');
    await waitFor(() => got.toString() === 'through the proxy', 'the echo through the SOCKS rule');
    user.destroy();

    // Clearing the password again (not the username) makes the rule fail closed on its restart.
    const cleared = await call<RuleEntry>('rules.setSocksPassword', { id: created.rule.id, password: '' });
    expect(cleared.status).toMatchObject({ state: 'failed', error: { code: 'SOCKS_PASSWORD_MISSING' } });
    expect(await probe(port)).toBe('ECONNREFUSED');
  });

  it('an ssh-dynamic rule with a username and no password fails before dialling its SSH server, without retrying', async () => {
    let dialled = 0;
    const ssh = await net.server((s) => {
      dialled += 1;
      s.destroy();
    });
    const server = await call<SshServerEntry>('servers.create', {
      server: { name: 'box', host: '127.0.0.1', port: ssh.port, user: 'me', auth: { method: 'agent' }, hostKeyPolicy: 'accept-new' },
    });
    const port = await net.freePort();
    const created = await call<RuleEntry>('rules.create', {
      type: 'ssh-dynamic',
      name: 'D',
      enabled: true,
      server: server.server.id,
      listen: { host: '127.0.0.1', port },
      socks: { username: 'alice' },
    });
    expect(created.status).toMatchObject({ state: 'failed', error: { code: 'SOCKS_PASSWORD_MISSING', message: expect.stringMatching(MISSING) } });
    expect(created.status.nextRetryAt).toBeUndefined();
    expect(await probe(port)).toBe('ECONNREFUSED');
    expect(dialled).toBe(0);
  });

  it('a rule without a username still runs without authentication (05 00)', async () => {
    const port = await net.freePort();
    const created = await call<RuleEntry>('rules.create', { type: 'socks', name: 'open', enabled: true, listen: { host: '127.0.0.1', port } });
    expect(created.status.state).toBe('running');
    const c = await net.connect(port);
    expect([...(await greet(c, [0x00]))]).toEqual([0x05, 0x00]);
    c.destroy();
  });
});
