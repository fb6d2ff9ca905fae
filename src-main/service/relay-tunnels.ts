import { said } from '../../src-shared/model/log-text';
import { formatHostPort } from '../../src-shared/format/address';
import type { Rule } from '../../src-shared/model/rule';
import { EngineError } from '../engine/engine-error';
import type { SharedPool } from '../engine/shared-pool';
import type { Exposure, RelayAgent } from '../relay/relay-agent';
import { type Inspection, directDial } from './inspect-wiring';
import type { Tunnel, TunnelHealth, TunnelHooks } from './tunnel-factory';

type RelayRule = Extract<Rule, { type: 'relay-expose' }>;

export interface RelayContext {
  pool: SharedPool<RelayAgent>;
}

function health(agent: RelayAgent, exposure: Exposure): TunnelHealth {
  if (agent.state === 'failed' || agent.state === 'closed') {
    return { kind: 'failed', error: agent.lastError ?? new EngineError('CONNECTION_RESET', `${agent.label} connection closed`) };
  }
  if (exposure.lastError && !exposure.info) return { kind: 'failed', error: exposure.lastError };
  if (agent.state === 'ready' && exposure.info) return { kind: 'up' };
  if (agent.state === 'retrying') {
    const err = agent.lastError ?? new EngineError('CONNECTION_RESET', `${agent.label} is not connected — reconnecting`);
    return { kind: 'down', error: err, ...(agent.nextRetryAt ? { nextRetryAt: agent.nextRetryAt } : {}) };
  }
  if (agent.state === 'connecting') return { kind: 'down', error: new EngineError('CONNECTION_RESET', `Connecting to ${agent.label}…`) };
  return { kind: 'down', error: new EngineError('CONNECTION_RESET', `Waiting for ${agent.label} to open the public port…`) };
}

/** `relay-expose`: the relay listens on a public port and its connections come to the rule's target here. */
export function createRelayTunnel(rule: RelayRule, hooks: TunnelHooks, ctx: RelayContext, inspection?: Inspection): Tunnel {
  let agent: RelayAgent | undefined;
  let exposure: Exposure | undefined;
  const address = (a: RelayAgent, e: Exposure) => (e.info ? `${a.label} ${formatHostPort(e.info.publicHost, e.info.publicPort)}` : `${a.label} port ${rule.remotePort || '(any allowed)'}`);
  const onState = () => hooks.healthChanged();
  const tunnel: Tunnel = {
    async start() {
      try {
        return await begin();
      } catch (err) {
        // The rule runner does not stop a tunnel whose start failed: give the exposure and the agent back.
        await tunnel.stop();
        throw err;
      }
    },
    async stop() {
      inspection?.disarmed();
      const a = agent;
      agent = undefined;
      exposure?.removeAllListeners();
      if (!a) return;
      a.off('state', onState);
      a.unexpose(rule.id);
      await ctx.pool.release(rule.relay);
    },
    snapshot: () => exposure?.snapshot() ?? { bytesIn: 0, bytesOut: 0, activeConnections: 0, totalConnections: 0 },
    connections: async () =>
      (exposure ? await exposure.allConnections() : []).map((c) => ({
        id: c.id,
        protocol: rule.protocol,
        client: c.client,
        since: c.openedAt,
        bytesIn: c.bytesIn,
        bytesOut: c.bytesOut,
        state: c.state === 'open' ? ('open' as const) : ('connecting' as const),
      })),
    closeConnection: (id) => exposure?.closeAnyConnection(id) ?? false,
    health: (): TunnelHealth => (agent && exposure ? health(agent, exposure) : { kind: 'up' }),
  };
  return tunnel;

  function begin(): Promise<string> {
    {
      const a = ctx.pool.acquire(rule.relay);
      agent = a;
      a.on('state', onState);
      const e = a.expose({
        ref: rule.id,
        name: rule.name,
        protocol: rule.protocol,
        kind: rule.kind,
        remotePort: rule.remotePort,
        target: rule.target,
        ...(inspection ? { tap: inspection.tap } : {}),
      });
      // The target is on this machine: a replay dials it directly, whether or not the relay is reachable.
      inspection?.armed(directDial(rule.target));
      exposure = e;
      e.on('connection-open', (c) => hooks.connectionOpened(c.client));
      e.on('connection-close', (c) => hooks.connectionClosed(c.client, c.bytesIn, c.bytesOut, c.durationMs));
      e.on('connection-error', (c) => hooks.connectionError(c.error, c.client));
      e.on('http', (x) => {
        const fields = { client: x.client, method: x.method, path: x.path, durationMs: x.durationMs };
        hooks.note(...(x.status ? said('httpExchange', { ...fields, status: x.status }) : said('httpExchangeNoResponse', fields)));
      });
      e.on('unbound', () => hooks.healthChanged());
      // Like a forwarder's: the data plane carrying its data connections stopped, so the rule restarts
      // (the agent's next data connections go to a new thread). When no thread can live any more (a
      // crash loop), the agent carries its data connections itself from now on, so the rule keeps
      // running — slower, and its log says so.
      e.on('plane-lost', (err) => {
        if (err.restartable) return hooks.fatal(err);
        hooks.note(...said('relayPlaneFallback', { error: err.reason }), 'warn');
      });
      // The first outcome decides start(); later ones change health and the shown address.
      return new Promise<string>((resolve, reject) => {
        let settled = false;
        const settle = (fn: () => void) => {
          if (settled) return;
          settled = true;
          a.off('state', onFirstState);
          fn();
        };
        const onFirstState = () => {
          if (a.state === 'failed') settle(() => reject(a.lastError ?? new EngineError('CONNECTION_RESET', `${a.label} failed`)));
          // Down at start: the exposure stays armed and binds when the relay is back.
          else if (a.state === 'retrying') settle(() => resolve(address(a, e)));
        };
        a.on('state', onFirstState);
        e.on('bound', () => {
          if (settled) {
            hooks.boundChanged(address(a, e));
            hooks.healthChanged();
          } else settle(() => resolve(address(a, e)));
        });
        e.on('failed', (err) => {
          if (settled) hooks.healthChanged();
          else settle(() => reject(err));
        });
        if (a.state === 'failed' || a.state === 'retrying') onFirstState();
      });
    }
  }
}
