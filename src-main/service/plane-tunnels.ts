import type { Rule } from '../../src-shared/model/rule';
import { EngineError } from '../engine/engine-error';
import type { DataPlane, DataPlaneStoppedError, ListenerHandlers } from '../dataplane/data-plane';
import type { ListenerSpec, PlaneEvent } from '../dataplane/protocol';
import type { RemoteListener } from '../dataplane/remote-listener';
import type { Tunnel, TunnelHealth, TunnelHooks } from './tunnel-factory';
import type { BindFn } from './ssh-tunnels';

// tcp-forward, udp-forward and socks rules: their listeners run in the data plane (a worker thread);
// this is the rule's side of one, mapping its events onto the rule's hooks.

type PlaneRule = Extract<Rule, { type: 'tcp-forward' | 'udp-forward' | 'socks' }>;

/** What the data plane needs to run a rule; the SOCKS password comes from the secret store, read at each start. */
export function listenerSpec(rule: PlaneRule, socksAuth: () => { username: string; password: string } | undefined): ListenerSpec {
  switch (rule.type) {
    case 'tcp-forward': {
      const o = rule.options;
      return {
        kind: 'tcp',
        listen: rule.listen,
        target: rule.target,
        connectTimeoutMs: o.connectTimeoutMs,
        idleTimeoutMs: o.idleTimeoutMs,
        keepAlive: o.keepAlive,
        maxConnections: o.maxConnections,
        allow: o.allow,
        deny: o.deny,
        proxyProtocol: o.proxyProtocol,
      };
    }
    case 'udp-forward': {
      const o = rule.options;
      return { kind: 'udp', listen: rule.listen, target: rule.target, idleTimeoutMs: o.idleTimeoutMs, maxSessions: o.maxSessions, allow: o.allow, deny: o.deny };
    }
    case 'socks': {
      const auth = socksAuth();
      return {
        kind: 'socks',
        listen: rule.listen,
        connectTimeoutMs: rule.socks.connectTimeoutMs,
        handshakeTimeoutMs: rule.socks.connectTimeoutMs,
        ...(auth ? { auth } : {}),
        allow: [],
        deny: [],
        maxConnections: 0,
      };
    }
  }
}

const wireError = (e: { code: EngineError['code']; message: string }) => new EngineError(e.code, e.message);

function deliver(e: PlaneEvent, hooks: TunnelHooks): void {
  switch (e.e) {
    case 'open':
      hooks.connectionOpened(e.client);
      break;
    case 'close':
      hooks.connectionClosed(e.client, e.bytesIn, e.bytesOut, e.durationMs);
      break;
    case 'error':
      hooks.connectionError(wireError(e.error), e.client);
      break;
    case 'refused':
      // An auth failure is also reported as a connection error (AUTH_FAILED): log it once, there.
      if (e.reason !== 'auth-failed') hooks.refused(e.client, e.reason);
      break;
    case 'listener-error':
      hooks.fatal(wireError(e.error));
      break;
  }
}

/** A rule whose listener runs in the data plane. */
export function createPlaneTunnel(rule: PlaneRule, hooks: TunnelHooks, plane: DataPlane, bind: BindFn, spec: () => ListenerSpec): Tunnel {
  let listener: RemoteListener | undefined;
  let lost: DataPlaneStoppedError | undefined;
  const handlers: ListenerHandlers = {
    event: (e) => deliver(e, hooks),
    lost: (err) => {
      lost = err;
      // Restartable: the rule drops this tunnel and starts a new one (a new thread) after its backoff.
      // Final: health() says failed and the rule stays failed until switched on again.
      if (err.restartable) hooks.fatal(err);
      else hooks.healthChanged();
    },
  };
  return {
    start: async () => {
      // Built here so that a missing secret fails the start, before any port is bound.
      const s = spec();
      return bind(s.kind === 'udp' ? 'udp' : 'tcp', rule.listen.host, rule.listen.port, async () => {
        listener = await plane.listen(s, handlers);
        return listener.bound;
      });
    },
    stop: async () => {
      await listener?.stop();
    },
    snapshot: () => listener?.snapshot() ?? { bytesIn: 0, bytesOut: 0, activeConnections: 0, totalConnections: 0 },
    connections: async () => {
      const rows = listener ? await listener.connections() : [];
      const protocol = rule.type === 'udp-forward' ? ('udp' as const) : ('tcp' as const);
      return rows.map((c) => ({ id: c.id, protocol, client: c.client, since: c.openedAt, bytesIn: c.bytesIn, bytesOut: c.bytesOut, state: c.state }));
    },
    closeConnection: async (id) => (listener ? listener.closeConnection(id) : false),
    health: (): TunnelHealth => (lost && !lost.restartable ? { kind: 'failed', error: lost } : { kind: 'up' }),
  };
}
