import { describe, expect, it } from 'vitest';
import type { RuleState, RuleStatus } from '../../src-shared/model/status';
import { diffRules, NotifyPolicy, type Notice } from './notify-policy';

function setup(): { policy: NotifyPolicy; clock: { t: number }; go: (id: string, state: RuleState, msg?: string) => Notice[] } {
  const clock = { t: 1_000_000 };
  const policy = new NotifyPolicy({ now: () => clock.t });
  const go = (id: string, state: RuleState, msg?: string): Notice[] => {
    const s: RuleStatus = { id, state, since: clock.t };
    if (msg) s.error = { code: 'PORT_IN_USE', message: msg, at: clock.t };
    return policy.observe(s);
  };
  return { policy, clock, go };
}

describe('NotifyPolicy', () => {
  it('notifies on entering failed, with the error message, once', () => {
    const { go } = setup();
    go('a', 'starting');
    expect(go('a', 'failed', 'Port 8080 is in use')).toEqual([{ kind: 'failed', ruleId: 'a', message: 'Port 8080 is in use' }]);
    expect(go('a', 'failed', 'Port 8080 is in use')).toEqual([]);
  });

  it('says nothing about starting, running and stopping in normal use', () => {
    const { go } = setup();
    expect([...go('a', 'starting'), ...go('a', 'running'), ...go('a', 'stopped')]).toEqual([]);
  });

  it('announces a recovery only after trouble that lasted at least 10 s', () => {
    const { go, clock } = setup();
    go('a', 'running');
    go('a', 'retrying');
    clock.t += 4_000;
    go('a', 'starting');
    expect(go('a', 'running')).toEqual([]);
    go('a', 'retrying');
    clock.t += 6_000;
    go('a', 'starting');
    clock.t += 6_000;
    expect(go('a', 'running')).toEqual([{ kind: 'recovered', ruleId: 'a', downForMs: 12_000 }]);
  });

  it('never announces a recovery the user caused by switching the rule back on', () => {
    const { policy, go, clock } = setup();
    go('a', 'starting');
    go('a', 'failed', 'boom');
    clock.t += 120_000;
    policy.userInitiated('a');
    go('a', 'starting');
    clock.t += 1_000;
    expect(go('a', 'running')).toEqual([]);
  });

  it('the user mark wears off, so later trouble is reported again', () => {
    const { policy, go, clock } = setup();
    go('a', 'running');
    policy.userInitiated('a');
    clock.t += 31_000;
    go('a', 'retrying');
    clock.t += 70_000;
    expect(go('a', 'running')).toEqual([{ kind: 'recovered', ruleId: 'a', downForMs: 70_000 }]);
  });

  it('rate-limits a flapping rule to one notice per 60 s and sends the latest news afterwards', () => {
    const { policy, go, clock } = setup();
    go('a', 'starting');
    expect(go('a', 'failed', 'first')).toHaveLength(1);
    clock.t += 15_000;
    go('a', 'starting');
    expect(go('a', 'running')).toEqual([]); // would be "recovered", but within the window
    clock.t += 5_000;
    go('a', 'retrying');
    expect(go('a', 'failed', 'second')).toEqual([]);
    clock.t += 20_000;
    expect(policy.due()).toEqual([]);
    clock.t += 20_001;
    // Still failed, and the user's last news was "failed": nothing new to say.
    expect(policy.due()).toEqual([]);
    // Outside the window again: the recovery is news and goes out at once.
    go('a', 'starting');
    clock.t += 11_000;
    expect(go('a', 'running')).toEqual([{ kind: 'recovered', ruleId: 'a', downForMs: 51_001 }]);
    expect(policy.due()).toEqual([]);
  });

  it('delivers a suppressed recovery once the window has passed', () => {
    const { policy, go, clock } = setup();
    go('a', 'starting');
    go('a', 'failed', 'x');
    clock.t += 30_000;
    go('a', 'starting');
    expect(go('a', 'running')).toEqual([]);
    clock.t += 30_000;
    expect(policy.due()).toEqual([{ kind: 'recovered', ruleId: 'a', downForMs: 30_000 }]);
    expect(policy.due()).toEqual([]);
  });

  it('folds three failures within 5 s into one summary that replaces the ones shown', () => {
    const { go, clock } = setup();
    for (const id of ['a', 'b', 'c', 'd']) go(id, 'starting');
    expect(go('a', 'failed', 'x')).toHaveLength(1);
    clock.t += 1_000;
    expect(go('b', 'failed', 'x')).toHaveLength(1);
    clock.t += 1_000;
    expect(go('c', 'failed', 'x')).toEqual([{ kind: 'summary', ruleIds: ['a', 'b', 'c'], replaces: ['a', 'b'] }]);
    clock.t += 4_000;
    expect(go('d', 'failed', 'x')).toEqual([]); // folded into the running burst
  });

  it('does not summarise failures spread over more than 5 s', () => {
    const { go, clock } = setup();
    for (const id of ['a', 'b', 'c']) {
      go(id, 'starting');
      expect(go(id, 'failed', 'x')).toHaveLength(1);
      clock.t += 3_000;
    }
  });

  it('forgets a deleted rule', () => {
    const { policy, go, clock } = setup();
    go('a', 'starting');
    go('a', 'failed', 'x');
    policy.forget('a');
    clock.t += 1_000;
    go('a', 'starting');
    expect(go('a', 'failed', 'y')).toHaveLength(1);
  });
});

describe('diffRules', () => {
  it('reports rules whose saved fields changed and rules that are gone', () => {
    const before = [
      { id: 'a', enabled: true },
      { id: 'b', enabled: true },
      { id: 'c', enabled: false },
    ];
    const after = [
      { id: 'a', enabled: false },
      { id: 'c', enabled: false },
      { id: 'd', enabled: true },
    ];
    expect(diffRules(before, after)).toEqual({ touched: ['a'], removed: ['b'] });
  });
});
