import { afterEach, describe, expect, it } from 'vitest';
import { NetFixtures, waitFor } from '../../test-support/net-fixtures';
import { tempDir } from '../../test-support/tmp';
import { SessionPool } from './session-pool';
import { storeIn } from '../../test-support/ssh-helpers';

describe('SessionPool', () => {
  const net = new NetFixtures();
  const tmp = tempDir();
  afterEach(async () => {
    await net.cleanup();
  });

  it('shares one session per server id and closes it when the last user releases it', async () => {
    const port = await net.freePort(); // nothing listens: the session just keeps retrying
    const pool = new SessionPool((id) => ({
      server: { id, name: id, host: '127.0.0.1', port, user: 'u', auth: { method: 'agent' }, jump: [], keepaliveIntervalMs: 0, keepaliveCountMax: 3, hostKeyPolicy: 'off' },
      knownHosts: storeIn(tmp.dir),
      secrets: async () => undefined,
      agentPath: '/nonexistent/agent.sock',
      backoff: { initialMs: 50 },
    }));
    const a = pool.acquire('one');
    const b = pool.acquire('one');
    const c = pool.acquire('two');
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(pool.users('one')).toBe(2);
    await pool.release('one');
    expect(a.state).not.toBe('closed');
    await pool.release('one');
    expect(a.state).toBe('closed');
    expect(pool.get('one')).toBeUndefined();
    await pool.closeAll();
    expect(c.state).toBe('closed');
    tmp.cleanup();
  });

  it('reconnectAll() tries a waiting session now instead of at its next backoff step', async () => {
    const port = await net.freePort();
    const t2 = tempDir();
    const pool = new SessionPool((id) => ({
      server: { id, name: id, host: '127.0.0.1', port, user: 'u', auth: { method: 'agent' }, jump: [], keepaliveIntervalMs: 0, keepaliveCountMax: 3, hostKeyPolicy: 'off' },
      knownHosts: storeIn(t2.dir),
      secrets: async () => undefined,
      agentPath: '/nonexistent/agent.sock',
      // The next automatic attempt would be the 30 s cap away.
      backoff: { initialMs: 60_000, jitter: 0 },
    }));
    try {
      const s = pool.acquire('srv');
      await waitFor(() => s.state === 'retrying', 'retrying after the refused connection');
      const before = s.attempts;
      expect(s.nextRetryAt! - Date.now()).toBeGreaterThan(20_000);
      expect(pool.reconnectAll()).toBe(1);
      await waitFor(() => s.attempts > before, 'an attempt right away');
    } finally {
      await pool.closeAll();
      t2.cleanup();
    }
  });
});
