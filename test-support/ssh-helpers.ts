// Shared by the SSH test files (not a test itself): saved-server objects for fixtures and small waits.
import { join } from 'node:path';
import type { SshServer } from '../src-shared/model/ssh';
import type { SshdFixture } from './sshd';
import { KnownHostsStore } from '../src-main/ssh/known-hosts';
import { SshSession } from '../src-main/ssh/ssh-session';
import type { SshSessionOptions, SshSessionState } from '../src-main/ssh/ssh-session';

export function serverFor(fx: SshdFixture, over: Partial<SshServer> = {}): SshServer {
  return {
    id: `srv-${fx.port}`,
    name: `sshd ${fx.port}`,
    host: fx.host,
    port: fx.port,
    user: fx.user,
    auth: { method: 'key', keyPath: fx.userKeyPath, hasPassphrase: false },
    jump: [],
    keepaliveIntervalMs: 0,
    keepaliveCountMax: 3,
    hostKeyPolicy: 'accept-new',
    ...over,
  };
}

/** The app's known_hosts in `dir`, and no user files: tests must never read the real ~/.ssh. */
export function storeIn(dir: string): KnownHostsStore {
  return new KnownHostsStore({ appFile: join(dir, 'known_hosts'), extraFiles: [] });
}

/** Sessions made here are closed by closeAll() (call it in afterEach). */
export class Sessions {
  private readonly all: SshSession[] = [];
  constructor(private readonly dir: string) {}

  open(server: SshServer, over: Partial<SshSessionOptions> = {}): SshSession {
    const s = new SshSession({ server, knownHosts: storeIn(this.dir), secrets: async () => undefined, backoff: { initialMs: 100, maxMs: 1000 }, ...over });
    this.all.push(s);
    s.start();
    return s;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.all.splice(0).map((s) => s.close()));
  }
}

/** Resolves when the session reaches `state` (at once if it is there). */
export function reach(session: SshSession, state: SshSessionState, timeoutMs = 15_000): Promise<void> {
  if (session.state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      session.off('state', on);
      reject(new Error(`session stayed ${session.state} (wanted ${state}); last error: ${session.lastError?.message ?? 'none'}`));
    }, timeoutMs);
    const on = (s: SshSessionState): void => {
      if (s !== state) return;
      clearTimeout(timer);
      session.off('state', on);
      resolve();
    };
    session.on('state', on);
  });
}
