import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RuleStatus } from '../../src-shared/model/status';
import { sha256, waitFor } from '../../test-support/net-fixtures';
import { DataPlane } from '../dataplane/data-plane';
import { exposeEchoThroughInAppRelay, useServiceCore } from '../../test-support/service-core';

// Issue 13: a relay-expose rule's data connections (one TLS connection per public connection) are
// dialled and carried by the data plane worker, as the service's TCP forwarders are — through the
// in-app relay here, so the relay and the agent are both this process, as in `porthole ui` on a VPS.

describe('relay rules over the data plane', () => {
  let plane: DataPlane;
  const svc = useServiceCore({
    options: () => ({ statsIntervalMs: 60_000, dataPlane: (plane = new DataPlane()) }),
    afterShutdown: async () => {
      // The core's agents are closed: their sessions are gone from the worker.
      expect(await plane.agentSessionStats()).toEqual([]);
      await plane.close();
    },
  });
  const { net } = svc;

  const relayRule = () => exposeEchoThroughInAppRelay(svc);

  async function echoed(port: number, size: number): Promise<void> {
    const up = randomBytes(size);
    expect(await net.roundTrip(port, up)).toEqual({ bytes: size, sha256: sha256(up) });
  }

  const opened = async () => (await plane.agentSessionStats()).reduce((n, s) => n + s.opened, 0);
  const idle = async () => (await plane.agentSessionStats()).reduce((n, s) => n + s.idle, 0);

  it('carries the public connections on data connections the worker dialled; the rule counts their bytes', async () => {
    const { rule, publicPort } = await relayRule();
    await waitFor(async () => (await idle()) >= 1, 'the worker to hold a data connection');
    await echoed(publicPort, 1024 * 1024);
    expect(await opened()).toBe(1);
    await waitFor(() => svc.core.service.tick().rules[rule.rule.id]!.activeConnections === 0, 'the connection to close');
    expect(svc.core.service.tick().rules[rule.rule.id]).toMatchObject({ bytesIn: 1024 * 1024, bytesOut: 1024 * 1024, totalConnections: 1 });
  });

  it('a killed data plane puts the relay rule in retrying with a clear message, then it runs again on a new thread', async () => {
    const { rule, publicPort } = await relayRule();
    await waitFor(async () => (await idle()) >= 1, 'the worker to hold a data connection');
    const states: RuleStatus[] = [];
    svc.core.service.on('rule-state', (s) => s.id === rule.rule.id && states.push(s));
    const first = plane.threadId;
    await plane.kill();
    await waitFor(() => states.some((s) => s.state === 'retrying'), 'the rule to go retrying');
    const retrying = states.find((s) => s.state === 'retrying')!;
    expect(retrying.error).toMatchObject({ code: 'DATA_PLANE_STOPPED' });
    expect(retrying.error!.message).toContain('stopped unexpectedly (exit code 1) — Porthole restarts it with its mappings');
    await waitFor(() => svc.core.service.entryOf(rule.rule.id).status.state === 'running', 'the rule to run again', 10_000);
    await waitFor(async () => plane.threadId !== first && (await idle()) >= 1, 'a new worker to hold a data connection', 15_000);
    await echoed(publicPort, 64 * 1024);
    expect(await opened()).toBe(1);
  });
});

describe('relay rules when the data plane cannot run any more', () => {
  let plane: DataPlane;
  // One unexpected stop is already a crash loop here: the plane says not to restart.
  const svc = useServiceCore({
    options: () => ({ statsIntervalMs: 60_000, dataPlane: (plane = new DataPlane({ crashLoop: { max: 1, windowMs: 60_000 } })) }),
    afterShutdown: () => plane.close(),
  });

  it('keeps the rule running, says so in its log, and its agent carries the next connections itself', async () => {
    const { rule, publicPort } = await exposeEchoThroughInAppRelay(svc);
    const id = rule.rule.id;
    await waitFor(async () => (await plane.agentSessionStats()).some((s) => s.idle >= 1), 'the worker to hold a data connection');
    const states: RuleStatus[] = [];
    svc.core.service.on('rule-state', (s) => s.id === id && states.push(s));
    await plane.kill('out of memory');
    const fallback = () => svc.core.service.log.query({ ruleId: id, minLevel: 'warn' }).find((e) => e.key === 'relayPlaneFallback');
    await waitFor(() => fallback() !== undefined, 'the rule to log that it carries on without the data plane');
    expect(fallback()!.message).toContain('stopped unexpectedly 1 time within 60 s (last: exit code 1: out of memory): this mapping keeps running');
    expect(fallback()!.message).not.toContain('switch the mapping on again');
    // Bytes still go through, and the rule never left running. A connection made within moments of the
    // crash can still be handed a pooled data connection of the dead thread that the relay has not yet
    // seen close, and is reset (the relay does not retry it on another path): wait for one to get through.
    const ping = Buffer.from('ping');
    await waitFor(async () => (await svc.net.roundTrip(publicPort, ping).catch(() => undefined))?.bytes === ping.length, 'a public connection to get through again');
    const up = randomBytes(256 * 1024);
    expect(await svc.net.roundTrip(publicPort, up)).toEqual({ bytes: up.length, sha256: sha256(up) });
    expect(states.map((s) => s.state).filter((s) => s !== 'running')).toEqual([]);
    expect(svc.core.service.entryOf(id).status.state).toBe('running');
  });
});
