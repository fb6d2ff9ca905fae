import { said } from '../../src-shared/model/log-text';
import type { AgentSessionSpec } from '../dataplane/protocol';
import type { DataPlaneStoppedError } from '../dataplane/stopped-error';
import type { AgentContext, Live } from './agent-context';
import { AgentDataRoute } from './agent-data-route';
import { dataConnsFor } from './agent-data-serve';
import { dialRelay, isIp } from './agent-dial';

// Where a session's data connections go once the agent accepted the relay's offer: the data plane
// worker (given how to reach and verify the relay), or this thread (dialled by agent-dial.ts).

/** The data connections of session `live` (agent-data-route.ts decides where they live). */
export function openDataRoute(ctx: AgentContext, live: Live): AgentDataRoute {
  const makeLocal = () =>
    dataConnsFor({
      session: live.session,
      key: live.dataKey,
      // Only while this session lives: a data connection made for an ended one is refused as a failed attempt.
      dial: async () => {
        const { socket: sock } = await dialRelay(ctx, ctx.opts.connectTimeoutMs ?? 10_000);
        if (live.gen === ctx.generation) return sock;
        sock.destroy();
        throw new Error('the session ended');
      },
      exposureFor: (id) => live.byId.get(id),
      log: (level, m, line) => ctx.opts.log?.(level, m, line),
      relay: ctx.address,
    });
  return new AgentDataRoute({
    ...(ctx.opts.dataPlane && !ctx.planeBroken ? { plane: ctx.opts.dataPlane } : {}),
    planeSpec: () => planeSpec(ctx, live),
    needsLocal: () => [...ctx.own.values()].some((e) => e.spec.protocol === 'tcp' && e.spec.tap !== undefined),
    makeLocal,
    log: (level, m, line) => ctx.opts.log?.(level, m, line),
    planeLost: (err) => planeLost(ctx, err),
  });
}

function planeSpec(ctx: AgentContext, live: Live): AgentSessionSpec {
  const { host, port } = ctx.opts.relay;
  const tls = ctx.opts.tls !== false;
  return {
    relay: { host, port },
    tls,
    ...(tls && !isIp(host) ? { servername: host } : {}),
    // The fingerprint this session's control connection was verified with — not `ctx.fingerprint`,
    // which is whatever the last dial saw, refused or not (shown to the user beside the pin).
    ...(tls && live.verified ? { fingerprint: live.verified } : {}),
    session: live.session,
    key: live.dataKey.toString('hex'),
    label: ctx.label,
    connectTimeoutMs: ctx.opts.connectTimeoutMs ?? 10_000,
  };
}

/** The data plane stopped under this agent's data connections: their rules are told (and restart). */
function planeLost(ctx: AgentContext, err: DataPlaneStoppedError): void {
  // One that cannot live is not tried again by this agent: its data connections stay here.
  if (!err.restartable) ctx.planeBroken = true;
  // The reason, not the message: a non-restartable one's advice ("switch the mapping on again") is not
  // what happens here, where this agent carries its data connections itself; the rules' lines say so.
  ctx.opts.log?.('error', ...said('agentPlaneLost', { error: err.reason, relay: ctx.address }));
  for (const e of ctx.own.values()) if (e.spec.protocol === 'tcp') e.emit('plane-lost', err);
}
