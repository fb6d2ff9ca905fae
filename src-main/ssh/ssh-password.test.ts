// Password and keyboard-interactive logins need a server that checks a password without a system
// account, so these run against ssh2's own Server in-process (OpenSSH would need a real user password).
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { Connection } from 'ssh2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/tmp';
import { Sessions, reach } from '../../test-support/ssh-helpers';
import type { SshServer } from '../../src-shared/model/ssh';
import { keygen } from '../../test-support/sshd';

describe('password logins (ssh2 Server)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let sessions: Sessions;
  let server: InstanceType<typeof ssh2.Server>;
  let port: number;
  const conns = new Set<Connection>();
  let methodsSeen: string[];
  let hostKey: Buffer;

  async function listen(mode: 'password' | 'keyboard-interactive'): Promise<void> {
    server = new ssh2.Server({ hostKeys: [hostKey] }, (conn) => {
      conns.add(conn);
      conn.on('error', () => undefined);
      conn.on('close', () => conns.delete(conn));
      conn.on('authentication', (ctx) => {
        methodsSeen.push(ctx.method);
        if (mode === 'password' && ctx.method === 'password') return ctx.password === 's3cret' ? ctx.accept() : ctx.reject(['password']);
        if (mode === 'keyboard-interactive' && ctx.method === 'keyboard-interactive') {
          ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => (answers[0] === 's3cret' ? ctx.accept() : ctx.reject([mode])));
          return;
        }
        ctx.reject([mode]);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  }

  const saved = (): SshServer => ({
    id: 'pw',
    name: 'pw',
    host: '127.0.0.1',
    port,
    user: 'alice',
    auth: { method: 'password', hasPassword: true },
    jump: [],
    keepaliveIntervalMs: 0,
    keepaliveCountMax: 3,
    hostKeyPolicy: 'off',
  });

  beforeEach(async () => {
    tmp = tempDir();
    sessions = new Sessions(tmp.dir);
    methodsSeen = [];
    await keygen(join(tmp.dir, 'host_key'));
    hostKey = readFileSync(join(tmp.dir, 'host_key'));
  });
  afterEach(async () => {
    await sessions.closeAll();
    for (const c of conns) c.end();
    await new Promise((resolve) => server.close(resolve));
    tmp.cleanup();
  });

  it('logs in with the right password and fails with AUTH_FAILED (no retry) on a wrong one', async () => {
    await listen('password');
    const good = sessions.open(saved(), { secrets: async ({ kind }) => (kind === 'password' ? 's3cret' : undefined) });
    await reach(good, 'ready');
    const bad = sessions.open(saved(), { secrets: async () => 'nope' });
    await reach(bad, 'failed');
    expect(bad.lastError?.code).toBe('AUTH_FAILED');
    expect(bad.lastError?.message).toBe(`Authentication failed for alice@127.0.0.1:${port} (tried: password) — check the key or password`);
    expect(bad.attempts).toBe(1);
  });

  it('answers keyboard-interactive prompts with the password', async () => {
    await listen('keyboard-interactive');
    const good = sessions.open(saved(), { secrets: async () => 's3cret' });
    await reach(good, 'ready');
    expect(methodsSeen).toContain('keyboard-interactive');
  });

  it('fails locally when no password is saved', async () => {
    await listen('password');
    const none = sessions.open(saved());
    await reach(none, 'failed');
    expect(none.lastError?.code).toBe('AUTH_FAILED');
    expect(methodsSeen).toEqual([]);
  });
});
