import { formatHostPort } from '../../src-shared/format/address';
import type { Rule } from '../../src-shared/model/rule';
import { EngineError } from '../engine/engine-error';
import { Socks5Server, type SocksDialer } from '../engine/socks5-server';
import { LocalForwarder } from '../ssh/local-forward';
import { RemoteForwarder } from '../ssh/remote-forward';
import type { SessionPool } from '../ssh/session-pool';
import type { SshSession } from '../ssh/ssh-session';
import type { Inspection } from './inspect-wiring';
import type { Tunnel, TunnelHealth, TunnelHooks } from './tunnel-factory';

type SshRule = Extract<Rule, { type: 'ssh-local' | 'ssh-remote' | 'ssh-dynamic' }>;
type SocksRule = Extract<Rule, { type: 'socks' | 'ssh-dynamic' }>;

export interface SshContext {
  pool: SessionPool;
  /** The stored SOCKS password of a rule (RFC 1929), if it has one. */
  socksPassword(ruleId: string): string | undefined;
}

/** The session's state as the rule sees it. */
function sessionHealth(session: SshSession): TunnelHealth {
  const err = session.lastError ?? new EngineError('CONNECTION_RESET', `${session.label} is not connected — reconnecting`);
  switch (session.state) {
    case 'ready':
      return { kind: 'up' };
    case 'retrying':
      return { kind: 'down', error: err, ...(session.nextRetryAt ? { nextRetryAt: session.nextRetryAt } : {}) };
    case 'connecting':
      return { kind: 'down', error: new EngineError(err.code, `Connecting to ${session.label}…`) };
    case 'failed':
    case 'closed':
      return { kind: 'failed', error: err };
  }
}

/** Waits for the first outcome of a fresh session: ready, failed, or retrying (a host-key prompt keeps it connecting). */
async function settle(session: SshSession): Promise<void> {
  if (session.state !== 'connecting') return;
  await new Promise<void>((resolve) => {
    const on = (state: string) => {
      if (state === 'connecting') return;
      session.off('state', on);
      resolve();
    };
    session.on('state', on);
  });
}

/** A local listener that forwards connections (SSH -L/-D here, the engine's TcpForwarder for inspected forwards). */
export interface Listening {
  start(): Promise<{ host: string; port: number }>;
  stop(): Promise<void>;
  meter: { snapshot(): { bytesIn: number; bytesOut: number; activeConnections: number; totalConnections: number } };
  connections(): Array<{ id: number; client: string; openedAt: number; bytesIn: number; bytesOut: number; state: string }>;
  closeConnection(id: number): boolean;
  on(event: 'connection-open', l: (c: { client: string }) => void): unknown;
  on(event: 'connection-close', l: (c: { client: string; bytesIn: number; bytesOut: number; durationMs: number }) => void): unknown;
  on(event: 'connection-error', l: (c: { client: string; error: EngineError }) => void): unknown;
  on(event: 'listener-error', l: (e: EngineError) => void): unknown;
}

/** Connection and listener events of a Listening, to the rule's hooks. */
export function wireListening(fwd: Listening, hooks: TunnelHooks): void {
  fwd.on('connection-open', (c) => hooks.connectionOpened(c.client));
  fwd.on('connection-close', (c) => hooks.connectionClosed(c.client, c.bytesIn, c.bytesOut, c.durationMs));
  fwd.on('connection-error', (c) => hooks.connectionError(c.error, c.client));
  fwd.on('listener-error', (e) => hooks.fatal(e));
}

/** A Listening's connections as the Connections view lists them. */
export function listeningRows(fwd: Listening) {
  return fwd.connections().map((c) => ({
    id: c.id,
    protocol: 'tcp' as const,
    client: c.client,
    since: c.openedAt,
    bytesIn: c.bytesIn,
    bytesOut: c.bytesOut,
    state: (c.state === 'handshake' ? 'connecting' : c.state) as 'connecting' | 'open' | 'half-closed',
  }));
}

/**
 * The rule's RFC 1929 credentials, read from the secret store at each start (the rule's `hasPassword`
 * flag may be stale, e.g. after an import from an export without secrets). A username without a stored
 * password fails closed: the rule does not start, rather than serving anyone who can reach the port.
 * For `socks` (whose listener runs in the data plane) and `ssh-dynamic`.
 */
export function socksAuth(rule: SocksRule, ctx: SshContext): { username: string; password: string } | undefined {
  const username = rule.socks.username;
  if (!username) return undefined;
  const password = ctx.socksPassword(rule.id);
  if (password === undefined || password === '') {
    const where = formatHostPort(rule.listen.host, rule.listen.port);
    throw new EngineError(
      'SOCKS_PASSWORD_MISSING',
      `SOCKS user ${username} has no password stored on this machine — set the password in the rule, ` +
        `or clear the username to allow anyone who can reach ${where}`,
    );
  }
  return { username, password };
}

/** The SOCKS5 listener of `ssh-dynamic`: its dialer goes through the session, so it stays in this thread; throws SOCKS_PASSWORD_MISSING. */
function socksServer(rule: SocksRule, dial: SocksDialer, ctx: SshContext): Socks5Server {
  const auth = socksAuth(rule, ctx);
  return new Socks5Server({ listen: rule.listen, dial, handshakeTimeoutMs: rule.socks.connectTimeoutMs, ...(auth ? { auth } : {}) });
}

export type BindFn = (protocol: 'tcp' | 'udp', host: string, port: number, start: () => Promise<{ host: string; port: number }>) => Promise<string>;

/** `ssh -L`, `ssh -R` and `ssh -D` over the rule's server's shared session. */
export function createSshTunnel(rule: SshRule, hooks: TunnelHooks, ctx: SshContext, bind: BindFn, inspection?: Inspection): Tunnel {
  let session: SshSession | undefined;
  let fwd: Listening | undefined;
  const onState = () => hooks.healthChanged();
  const release = async () => {
    const s = session;
    session = undefined;
    if (!s) return;
    s.off('state', onState);
    await ctx.pool.release(rule.server);
  };
  return {
    async start() {
      // Before the session: a SOCKS rule that cannot authenticate its clients needs no SSH connection.
      if (rule.type === 'ssh-dynamic') socksAuth(rule, ctx);
      session = ctx.pool.acquire(rule.server);
      session.on('state', onState);
      try {
        let address: string;
        if (rule.type === 'ssh-remote') {
          const remote = new RemoteForwarder(session, { remote: rule.remote, target: rule.target });
          fwd = remote as unknown as Listening;
          wireListening(fwd, hooks);
          remote.on('bound', (b) => hooks.boundChanged(`${session?.label ?? rule.server} ${formatHostPort(b.host, b.port)}`));
          await settle(session);
          if (session.state === 'failed' || session.state === 'closed') throw session.lastError ?? new EngineError('INTERNAL', 'SSH session closed');
          const b = await remote.start().catch((err: unknown) => {
            // Down at start: the forward stays armed and binds when the session is back.
            if (session?.state === 'retrying' || session?.state === 'connecting') return { ...rule.remote };
            throw err;
          });
          address = `${session.label} ${formatHostPort(b.host, b.port)}`;
        } else {
          const s = session;
          const local =
            rule.type === 'ssh-local'
              ? new LocalForwarder(s, { listen: rule.listen, target: rule.target, ...(inspection ? { tap: inspection.tap } : {}) })
              : socksServer(rule, (dest, client) => s.forwardOut(client.address, client.port, dest.host, dest.port), ctx);
          fwd = local as unknown as Listening;
          wireListening(fwd, hooks);
          address = await bind('tcp', rule.listen.host, rule.listen.port, () => local.start());
          await settle(s);
          if (s.state === 'failed' || s.state === 'closed') throw s.lastError ?? new EngineError('INTERNAL', 'SSH session closed');
          // A replay goes where the mapping's connections go: from the SSH server to the target.
          if (rule.type === 'ssh-local') inspection?.armed(() => s.forwardOut('127.0.0.1', 0, rule.target.host, rule.target.port));
        }
        return address;
      } catch (err) {
        await fwd?.stop();
        fwd = undefined;
        await release();
        throw err;
      }
    },
    async stop() {
      inspection?.disarmed();
      await fwd?.stop();
      fwd = undefined;
      await release();
    },
    snapshot: () => fwd?.meter.snapshot() ?? { bytesIn: 0, bytesOut: 0, activeConnections: 0, totalConnections: 0 },
    connections: () => (fwd ? listeningRows(fwd) : []),
    closeConnection: (id) => fwd?.closeConnection(id) ?? false,
    health: () => (session ? sessionHealth(session) : { kind: 'failed', error: new EngineError('INTERNAL', 'not started') }),
  };
}
