import { SshSession } from './ssh-session';
import type { SshSessionOptions } from './ssh-session';

/**
 * One SshSession per saved server, shared by every rule that uses it (one TCP connection, one login,
 * one host-key prompt), refcounted: the last release() closes it.
 */
export class SessionPool {
  private readonly entries = new Map<string, { session: SshSession; users: number }>();

  /** `options` builds the session for a server not connected yet (resolving its jump chain, secrets…). */
  constructor(private readonly options: (serverId: string) => SshSessionOptions) {}

  /** The shared session for a server, started; every acquire() needs one release(). */
  acquire(serverId: string): SshSession {
    let entry = this.entries.get(serverId);
    if (!entry) {
      entry = { session: new SshSession(this.options(serverId)), users: 0 };
      this.entries.set(serverId, entry);
      entry.session.start();
    }
    entry.users += 1;
    return entry.session;
  }

  /** Drops one use; closes the session when it was the last. Extra releases are ignored. */
  async release(serverId: string): Promise<void> {
    const entry = this.entries.get(serverId);
    if (!entry) return;
    entry.users -= 1;
    if (entry.users > 0) return;
    this.entries.delete(serverId);
    await entry.session.close();
  }

  /** The live session for a server, if any rule holds one (e.g. to retry after the user fixed its password). */
  get(serverId: string): SshSession | undefined {
    return this.entries.get(serverId)?.session;
  }

  users(serverId: string): number {
    return this.entries.get(serverId)?.users ?? 0;
  }

  /** Closes every session (app shutdown). */
  /**
   * Tries every waiting session again now instead of at its next backoff step (after sleep/resume or a
   * network change). Ready sessions are left alone: their keepalive finds out if the link died.
   */
  reconnectAll(): number {
    let n = 0;
    for (const { session } of this.entries.values()) {
      if (session.state === 'retrying' || session.state === 'failed') {
        session.reconnect();
        n++;
      }
    }
    return n;
  }

  async closeAll(): Promise<void> {
    const sessions = [...this.entries.values()].map((e) => e.session);
    this.entries.clear();
    await Promise.all(sessions.map((s) => s.close()));
  }
}
