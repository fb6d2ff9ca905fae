import { describe, expect, it } from 'vitest';
import { SshServerInputSchema, type SshServer } from '../../src-shared/model/ssh';
import {
  checkServerForm,
  emptyServerValues,
  jumpCandidates,
  moveJump,
  serverApiErrors,
  serverInputFrom,
  serverValuesFrom,
  storedSecret,
  toggleJump,
  type ServerFormValues,
} from './server-form';
import { authLabel, retryLabel, serverAddress, usedByLabel } from './server-describe';

const server = (id: string, patch: Partial<SshServer> = {}): SshServer => ({
  id,
  name: `srv ${id}`,
  host: 'ssh.example.com',
  port: 22,
  user: 'deploy',
  auth: { method: 'agent' },
  jump: [],
  keepaliveIntervalMs: 15_000,
  keepaliveCountMax: 3,
  hostKeyPolicy: 'ask',
  ...patch,
});
const filled = (patch: Partial<ServerFormValues> = {}): ServerFormValues => ({ ...emptyServerValues(), name: 'Bastion', host: 'bastion.example.com', user: 'me', ...patch });

describe('server form → input', () => {
  it('builds a valid input with the defaults the dialog shows', () => {
    const input = serverInputFrom(filled());
    expect(input).toEqual({
      server: { name: 'Bastion', host: 'bastion.example.com', port: 22, user: 'me', auth: { method: 'agent' }, jump: [], keepaliveIntervalMs: 15_000, hostKeyPolicy: 'ask' },
    });
    expect(SshServerInputSchema.safeParse(input).success).toBe(true);
    expect(checkServerForm(filled()).valid).toBe(true);
  });

  it('sends a secret only when one was typed, and only for the chosen method', () => {
    expect(serverInputFrom(filled({ auth: 'password', password: 'pw' }))).toMatchObject({ password: 'pw', server: { auth: { method: 'password', hasPassword: true } } });
    expect(serverInputFrom(filled({ auth: 'key', keyPath: '~/.ssh/id', passphrase: 'pp', password: 'left over' }))).toEqual(
      expect.objectContaining({ passphrase: 'pp', server: expect.objectContaining({ auth: { method: 'key', keyPath: '~/.ssh/id', hasPassphrase: true } }) }),
    );
    expect(serverInputFrom(filled({ auth: 'key', keyPath: 'k', passphrase: 'pp' }))).not.toHaveProperty('password');
    expect(serverInputFrom(filled({ auth: 'agent', password: 'pw', passphrase: 'pp' }))).toEqual({ server: expect.any(Object) });
  });

  it('editing: an empty secret field keeps the stored one (not sent, flag kept)', () => {
    const base = server('a', { auth: { method: 'password', hasPassword: true } });
    const values = serverValuesFrom(base);
    expect(values.password).toBe('');
    expect(storedSecret(base, 'password')).toBe(true);
    const input = serverInputFrom(values, base);
    expect(input).not.toHaveProperty('password');
    expect(input.server.auth).toEqual({ method: 'password', hasPassword: true });
    expect(checkServerForm(values, base).valid).toBe(true);
  });

  it('a new password server needs a password', () => {
    expect(checkServerForm(filled({ auth: 'password' })).errors).toEqual({ password: 'enter the password' });
  });

  it('keeps fields the dialog does not show, and round-trips what it does', () => {
    const base = server('a', {
      port: 2200,
      auth: { method: 'key', keyPath: '/k', hasPassphrase: true },
      jump: ['j1', 'j2'],
      keepaliveIntervalMs: 0,
      keepaliveCountMax: 7,
      hostKeyPolicy: 'strict',
      knownHostsFile: '/etc/kh',
    });
    const { id: _id, ...expected } = base;
    expect(SshServerInputSchema.parse(serverInputFrom(serverValuesFrom(base), base))).toEqual({ server: expected });
  });

  it('explains bad numbers in the units of the form', () => {
    const c = checkServerForm(filled({ port: '0', keepalive: '700', user: 'a b', host: 'bad host!', auth: 'key' }));
    expect(c.errors).toEqual({
      port: 'port must be between 1 and 65535',
      keepalive: 'enter 0 (off) to 600 seconds',
      user: 'a user name has no spaces, @ or :',
      host: 'not a valid host name or IP address',
      keyPath: 'choose a key file',
    });
  });

  it('maps the host’s issue paths (server.host) onto fields', () => {
    expect(serverApiErrors([{ path: 'server.host', message: 'no' }, { path: 'password', message: 'too long' }], 'x')).toEqual({
      fields: { host: 'no', password: 'too long' },
      formError: null,
    });
    expect(serverApiErrors([], 'a server named Bastion already exists')).toEqual({ fields: {}, formError: 'a server named Bastion already exists' });
  });
});

describe('jump hosts', () => {
  it('offers every other server that does not already jump through this one', () => {
    const all = [server('a'), server('b', { jump: ['a'] }), server('c', { jump: ['b'] }), server('d')];
    expect(jumpCandidates(all, 'a').map((s) => s.id)).toEqual(['d']);
    expect(jumpCandidates(all, 'd').map((s) => s.id)).toEqual(['a', 'b', 'c']);
    expect(jumpCandidates(all, undefined)).toHaveLength(4);
  });

  it('keeps the chain in the order hops were checked, and moves hops', () => {
    expect(toggleJump(toggleJump([], 'b', true), 'a', true)).toEqual(['b', 'a']);
    expect(toggleJump(['b', 'a', 'c'], 'a', false)).toEqual(['b', 'c']);
    expect(moveJump(['a', 'b', 'c'], 'c', -1)).toEqual(['a', 'c', 'b']);
    expect(moveJump(['a', 'b'], 'a', -1)).toEqual(['a', 'b']);
  });
});

describe('server wording', () => {
  it('describes address, auth, users and retries', () => {
    expect(serverAddress(server('a'))).toBe('deploy@ssh.example.com:22');
    expect(serverAddress({ user: 'u', host: '::1', port: 2222 })).toBe('u@[::1]:2222');
    expect(authLabel({ method: 'key', keyPath: '~/.ssh/id', hasPassphrase: true })).toBe('Key file ~/.ssh/id (with passphrase)');
    expect(authLabel({ method: 'password', hasPassword: false })).toBe('Password (none stored)');
    expect(usedByLabel([])).toBe('Not used by any mapping');
    expect(usedByLabel(['db', 'web'])).toBe('Used by 2 mappings: db, web');
    expect(retryLabel(4)).toBe('next attempt in 4s');
  });
});
