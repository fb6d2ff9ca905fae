import { execFile } from 'node:child_process';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sshdAvailable, startAgent, startSshd } from '../../test-support/sshd';
import type { SshdFixture } from '../../test-support/sshd';
import { tempDir, waitFor } from '../../test-support/tmp';
import { Sessions, reach, serverFor } from '../../test-support/ssh-helpers';
import { readImportText } from '../profiles/import-bundle';

// OpenSSH's agent keys named by their public half (issue 15): `IdentityFile key.pub` with IdentityAgent,
// and a key file whose private half is not on disk. A real ssh-agent (started here) holds the keys;
// the private key files are deleted after ssh-add, so only the agent can sign.

const run = promisify(execFile);
const suite = sshdAvailable() ? describe : describe.skip;

suite('agent keys selected by their public key, against a real sshd and ssh-agent', () => {
  let fx: SshdFixture;
  let tmp: ReturnType<typeof tempDir>;
  let sessions: Sessions;
  const stops: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    fx = await startSshd();
    tmp = tempDir();
    sessions = new Sessions(tmp.dir);
  });
  afterEach(async () => {
    await sessions.closeAll();
    for (const stop of stops.splice(0).reverse()) await stop();
    await fx.cleanup();
    tmp.cleanup();
  });

  /** `count` keys sshd does not know, then the authorized one; every private file deleted once the agent holds it. */
  async function agentHolding(strangers: number): Promise<{ socket: string; authorizedPub: string; authorized: string; strangerPub: string }> {
    const keys: string[] = [];
    for (let i = 0; i < strangers; i++) {
      const k = join(tmp.dir, `stranger-${i}`);
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `stranger-${i}`, '-f', k]);
      keys.push(k);
    }
    const authorized = join(tmp.dir, 'id_ed25519');
    copyFileSync(fx.userKeyPath, authorized);
    copyFileSync(`${fx.userKeyPath}.pub`, `${authorized}.pub`);
    keys.push(authorized);
    const agent = await startAgent(tmp.dir, keys);
    stops.push(agent.stop);
    for (const k of keys) rmSync(k);
    return { socket: agent.socket, authorizedPub: `${authorized}.pub`, authorized, strangerPub: `${keys[0]}.pub` };
  }

  it('IdentityFile key.pub + IdentityAgent + IdentitiesOnly from an ssh_config logs in with that agent key, past 7 other keys sshd would count as failures', async () => {
    const a = await agentHolding(7);
    const b = readImportText(`Host lab\n  HostName 127.0.0.1\n  Port ${fx.port}\n  User ${fx.user}\n  IdentityFile ${a.authorizedPub}\n  IdentityAgent ${a.socket}\n  IdentitiesOnly yes\n`, 'config', { home: tmp.dir });
    const auth = b.servers[0]!.auth;
    expect(auth).toEqual({ method: 'agent', socket: a.socket, publicKeyPath: a.authorizedPub, identitiesOnly: true });
    // No agentPath and no SSH_AUTH_SOCK help here: the socket comes from IdentityAgent.
    const session = sessions.open(serverFor(fx, { auth }), { agentPath: '/nonexistent/agent.sock' });
    await reach(session, 'ready');
  });

  it('the agent offers every key in its own order without the selection, and sshd gives up after six', async () => {
    const a = await agentHolding(7);
    const session = sessions.open(serverFor(fx, { auth: { method: 'agent', socket: a.socket } }));
    await waitFor(() => /Too many authentication failures/.test(session.lastError?.message ?? ''), 'sshd to refuse the seventh key', 15_000);
  });

  it('IdentitiesOnly with the public key of a key sshd does not accept fails, though the agent holds one it would', async () => {
    const a = await agentHolding(1);
    const session = sessions.open(serverFor(fx, { auth: { method: 'agent', socket: a.socket, publicKeyPath: a.strangerPub, identitiesOnly: true } }));
    await reach(session, 'failed');
    expect(session.lastError?.code).toBe('AUTH_FAILED');
  });

  it('a key file whose private half is gone but whose .pub the agent holds still logs in (imported as agent auth, and as a key rule at run time)', async () => {
    const a = await agentHolding(7);
    const b = readImportText(`Host lab\n  HostName 127.0.0.1\n  IdentityFile ${a.authorized}\n`, 'config', { home: tmp.dir, user: fx.user });
    expect(b.servers[0]!.auth).toEqual({ method: 'agent', publicKeyPath: a.authorizedPub });
    // A saved server with the key method whose private file has since moved into the agent.
    const session = sessions.open(serverFor(fx, { auth: { method: 'key', keyPath: a.authorized, hasPassphrase: false } }), { agentPath: a.socket });
    await reach(session, 'ready');
  });

  it('a missing or unreadable public key file fails with a message naming it', async () => {
    const a = await agentHolding(0);
    const bad = join(tmp.dir, 'not-a-key.pub');
    writeFileSync(bad, 'hello\n');
    const s1 = sessions.open(serverFor(fx, { auth: { method: 'agent', socket: a.socket, publicKeyPath: join(tmp.dir, 'missing.pub') } }));
    await reach(s1, 'failed');
    expect(s1.lastError?.message).toMatch(/cannot read the public key file .*missing\.pub \(ENOENT\)/);
    const s2 = sessions.open(serverFor(fx, { auth: { method: 'agent', socket: a.socket, publicKeyPath: bad } }));
    await reach(s2, 'failed');
    expect(s2.lastError?.message).toMatch(/not-a-key\.pub is not an OpenSSH public key/);
  });
});
