import { describe, expect, it } from 'vitest';
import { RuleDraftSchema, type Rule, ruleInspect } from '../../src-shared/model/rule';
import { draftFromValues, emptyFormValues, formValuesFromRule } from './rule-form';

// The rule editor's "Inspect HTTP" switch (tcp-forward, ssh-local) and the relay's kind http.

const tcp: Rule = {
  id: 'r1',
  type: 'tcp-forward',
  name: 'web',
  enabled: true,
  autoStart: true,
  tags: [],
  listen: { host: '127.0.0.1', port: 8080 },
  target: { host: '127.0.0.1', port: 3000 },
  options: { allow: [], deny: [], maxConnections: 0, connectTimeoutMs: 10_000, idleTimeoutMs: 0, keepAlive: true, proxyProtocol: 'off' },
};

describe('Inspect HTTP in the rule form', () => {
  it('switches inspection on and off, keeping the rule’s body limit; a rule that never had it gets no field', () => {
    const v = { ...formValuesFromRule(tcp), inspectHttp: true };
    const on = RuleDraftSchema.parse(draftFromValues(v, tcp));
    expect(ruleInspect(on)).toEqual({ enabled: true, maxBodyBytes: 1024 * 1024 });
    const limited: Rule = { ...tcp, inspect: { enabled: true, maxBodyBytes: 4096 } } as Rule;
    expect(formValuesFromRule(limited).inspectHttp).toBe(true);
    const off = RuleDraftSchema.parse(draftFromValues({ ...formValuesFromRule(limited), inspectHttp: false }, limited));
    expect('inspect' in off && off.inspect).toEqual({ enabled: false, maxBodyBytes: 4096 });
    expect(ruleInspect(off)).toBeUndefined();
    expect('inspect' in draftFromValues(formValuesFromRule(tcp), tcp)).toBe(false);
  });

  it('ssh-local has the switch; relay-expose inspects with kind http', () => {
    const ssh = draftFromValues({ ...emptyFormValues(), type: 'ssh-local', name: 's', server: 'srv', listenPort: '9000', targetHost: '127.0.0.1', targetPort: '80', inspectHttp: true });
    expect(ruleInspect(RuleDraftSchema.parse(ssh))?.enabled).toBe(true);
    const relay = draftFromValues({ ...emptyFormValues(), type: 'relay-expose', name: 'r', relay: 'rel', targetHost: '127.0.0.1', targetPort: '80', httpLog: true });
    expect(ruleInspect(RuleDraftSchema.parse(relay))).toEqual({ enabled: true, maxBodyBytes: 1024 * 1024 });
  });
});
