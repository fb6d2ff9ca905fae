import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RuleDraftSchema } from '../../src-shared/model/rule';
import { DEGRADED_AFTER, type RuleProblem, type RuleStatus, shownState } from '../../src-shared/model/status';
import type { LogEntry } from '../../src-shared/model/log';
import { confFactory } from '../store/conf-factories';
import { NetFixtures } from '../../test-support/net-fixtures';
import { tempDir, waitFor } from '../../test-support/tmp';
import { type Core, createCore } from './core';
import { DegradedTracker } from './degraded-tracker';

const problem = (at: number): RuleProblem => ({ code: 'TARGET_REFUSED', message: `127.0.0.1:9 refused the connection — is the service running on that port?`, at });

describe('DegradedTracker', () => {
  const running: RuleStatus = { id: 'r', state: 'running', since: 1 };

  it('is degraded after DEGRADED_AFTER failures in a row, running again after one success', () => {
    const t = new DegradedTracker();
    for (let i = 1; i < DEGRADED_AFTER; i++) {
      const out = t.observe({ ...running, lastConnectionError: problem(i) });
      expect(out.change).toBeUndefined();
      expect(shownState(out.status)).toBe('running');
    }
    const s: RuleStatus = { ...running, lastConnectionError: problem(DEGRADED_AFTER) };
    const third = t.observe(s, 500);
    expect(third.change).toBe('degraded');
    expect(third.status.degraded).toEqual({ failures: DEGRADED_AFTER, since: 500, error: problem(DEGRADED_AFTER) });
    expect(shownState(third.status)).toBe('degraded');
    // A router update re-sends the same status: no new failure counted.
    expect(t.observe(s).status.degraded?.failures).toBe(DEGRADED_AFTER);
    expect(t.decorate(s).degraded?.failures).toBe(DEGRADED_AFTER);
    const fourth = t.observe({ ...running, lastConnectionError: problem(9) });
    expect(fourth.change).toBeUndefined();
    expect(fourth.status.degraded).toMatchObject({ failures: DEGRADED_AFTER + 1, since: 500, error: problem(9) });
    const ok = t.observe(running);
    expect(ok.change).toBe('recovered');
    expect(ok.status.degraded).toBeUndefined();
    expect(shownState(ok.status)).toBe('running');
  });

  it('counts afresh after the rule leaves running or starts again, and never marks another state', () => {
    const t = new DegradedTracker(2);
    t.observe({ ...running, lastConnectionError: problem(1) });
    t.observe({ ...running, state: 'stopped', since: 2 });
    expect(t.observe({ ...running, since: 3, lastConnectionError: problem(2) }).change).toBeUndefined();
    // A new running period (since changed) starts from zero too.
    expect(t.observe({ ...running, since: 4, lastConnectionError: problem(3) }).change).toBeUndefined();
    expect(t.observe({ ...running, since: 4, lastConnectionError: problem(4) }).change).toBe('degraded');
    const failed: RuleStatus = { id: 'r', state: 'failed', since: 5, error: problem(5) };
    expect(t.observe(failed).status).toBe(failed);
    expect(t.decorate({ ...running, since: 4 }).degraded).toBeUndefined();
  });
});

describe('a running mapping whose target refuses every connection', () => {
  let t: ReturnType<typeof tempDir>;
  let core: Core | undefined;
  const net = new NetFixtures();
  beforeEach(() => {
    t = tempDir();
  });
  afterEach(async () => {
    await core?.shutdown();
    core = undefined;
    await net.cleanup();
    t.cleanup();
  });

  /** Opens a client connection through the mapping and resolves once the mapping closed it. */
  const attempt = (port: number, payload = '') =>
    new Promise<string>((resolve) => {
      const s = connect(port, '127.0.0.1', () => (payload ? s.end(payload) : undefined));
      let got = '';
      s.on('data', (d) => (got += d.toString()));
      s.on('close', () => resolve(got));
      s.on('error', () => undefined);
    });

  it('turns degraded (amber, with the reason, in events, rules.list and the log) and back to running after a success', async () => {
    core = await createCore({ dataDir: t.dir, mode: 'browser', confFactory, storeBackend: 'conf', version: 't', statsIntervalMs: 60_000 });
    const c = core;
    const states: RuleStatus[] = [];
    const lines: LogEntry[] = [];
    c.service.on('rule-state', (s) => states.push(s));
    c.service.on('log', (b) => lines.push(...b));
    const listen = await net.freePort();
    const target = await net.freePort();
    const draft = RuleDraftSchema.parse({ type: 'tcp-forward', name: 'web', enabled: true, listen: { host: '127.0.0.1', port: listen }, target: { host: '127.0.0.1', port: target } });
    const { rule } = await c.service.create(draft);
    for (let i = 0; i < DEGRADED_AFTER - 1; i++) await attempt(listen);
    expect(shownState(c.service.entryOf(rule.id).status)).toBe('running');
    await attempt(listen);
    const degraded = await waitFor(() => states.find((s) => s.degraded), 'a degraded rule-state event');
    expect(degraded.state).toBe('running');
    expect(degraded.degraded?.error.code).toBe('TARGET_REFUSED');
    expect(degraded.degraded?.error.message).toContain(`127.0.0.1:${target} refused the connection`);
    expect(c.service.entryOf(rule.id).status.degraded?.failures).toBe(DEGRADED_AFTER);
    c.service.log.flush();
    const line = lines.find((l) => l.key === 'degraded');
    expect(line).toMatchObject({ level: 'warn', ruleId: rule.id, ruleName: 'web', code: 'TARGET_REFUSED', fields: { failures: DEGRADED_AFTER } });
    expect(line?.message).toMatch(/^Degraded: the last 3 connections to the target failed — 127\.0\.0\.1:\d+ refused the connection/);

    // The service comes up: one answered connection is enough.
    await net.server((s) => s.pipe(s), target);
    expect(await attempt(listen, 'back')).toBe('back');
    await waitFor(() => !c.service.entryOf(rule.id).status.degraded, 'the rule to be running again');
    expect(states.at(-1)?.degraded).toBeUndefined();
    c.service.log.flush();
    expect(lines.find((l) => l.key === 'recovered')).toMatchObject({ level: 'info', ruleId: rule.id, message: 'Connections to the target succeed again' });
  });
});
