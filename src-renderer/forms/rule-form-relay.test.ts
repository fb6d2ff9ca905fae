import { describe, expect, it } from 'vitest';
import { RuleDraftSchema, type Rule } from '../../src-shared/model/rule';
import type { RuleStatus } from '../../src-shared/model/status';
import { describeRoute, relayPublicAddress, UNKNOWN_RELAY } from './rule-describe';
import { CHOOSE_RELAY, checkForm, draftFromValues, emptyFormValues, formValuesFromRule, RELAY_PORT_HINT, switchRuleType, type RuleFormValues } from './rule-form';
import { applyTemplate, RULE_TEMPLATES } from './rule-templates';

const v = (patch: Partial<RuleFormValues>): RuleFormValues => ({ ...emptyFormValues(), type: 'relay-expose', name: 'web', relay: 'r1', targetHost: '127.0.0.1', targetPort: '8080', ...patch });
const relays = new Set(['r1']);
type RelayRule = Extract<Rule, { type: 'relay-expose' }>;
const rule: RelayRule = {
  id: 'a',
  type: 'relay-expose',
  name: 'web',
  enabled: true,
  autoStart: true,
  tags: [],
  relay: 'r1',
  target: { host: '127.0.0.1', port: 8080 },
  remotePort: 20001,
  protocol: 'tcp',
  kind: 'http',
};
const running = (boundAddress: string): RuleStatus => ({ id: 'a', state: 'running', since: 1, boundAddress });

describe('relay-expose form', () => {
  it('sends a blank public port as 0 (any port the relay allows) and HTTP logging as kind http', () => {
    const draft = draftFromValues(v({ httpLog: true }));
    expect(draft).toEqual({
      type: 'relay-expose',
      name: 'web',
      enabled: true,
      autoStart: true,
      tags: [],
      relay: 'r1',
      target: { host: '127.0.0.1', port: 8080 },
      remotePort: 0,
      protocol: 'tcp',
      kind: 'http',
    });
    expect(RuleDraftSchema.safeParse(draft).success).toBe(true);
  });

  it('never asks for HTTP logging over UDP, even if the box was ticked before switching', () => {
    const draft = draftFromValues(v({ httpLog: true, relayProtocol: 'udp', remotePort: '20001' }));
    expect(draft).toMatchObject({ protocol: 'udp', kind: 'tcp', remotePort: 20001 });
    expect(RuleDraftSchema.safeParse(draft).success).toBe(true);
  });

  it('round-trips a saved rule through the form', () => {
    const values = formValuesFromRule(rule);
    expect(values).toMatchObject({ relay: 'r1', remotePort: '20001', relayProtocol: 'tcp', httpLog: true, targetHost: '127.0.0.1', targetPort: '8080' });
    expect(draftFromValues(values, rule)).toMatchObject({ remotePort: 20001, kind: 'http' });
    expect(formValuesFromRule({ ...rule, remotePort: 0 }).remotePort).toBe('');
  });

  it('asks for a saved relay, a valid public port and a target', () => {
    expect(checkForm(v({}), [], undefined, undefined, relays).valid).toBe(true);
    expect(checkForm(v({ relay: '' }), []).errors.relay).toBe(CHOOSE_RELAY);
    expect(checkForm(v({ relay: 'gone' }), [], undefined, undefined, relays).errors.relay).toBe(CHOOSE_RELAY);
    for (const remotePort of ['-1', '70000', 'x', '1.5']) expect(checkForm(v({ remotePort }), []).errors.remotePort).toBe(RELAY_PORT_HINT);
    expect(checkForm(v({ remotePort: '0' }), []).errors).toEqual({});
    expect(checkForm(v({ targetPort: '' }), []).errors.targetPort).toBe('enter a port number');
  });

  it('does not collide with local listeners: the port is on the relay', () => {
    const other: Rule = { ...rule, id: 'b', type: 'tcp-forward', listen: { host: '127.0.0.1', port: 20001 }, options: {} } as unknown as Rule;
    expect(checkForm(v({ remotePort: '20001' }), [other]).valid).toBe(true);
  });

  it('starts the target at 127.0.0.1 when switching to relay expose, keeping one already typed', () => {
    expect(switchRuleType({ ...emptyFormValues(), targetHost: '' }, 'relay-expose').targetHost).toBe('127.0.0.1');
    expect(switchRuleType({ ...emptyFormValues(), targetHost: 'db.lan' }, 'relay-expose').targetHost).toBe('db.lan');
    const same = emptyFormValues();
    expect(switchRuleType(same, 'tcp-forward')).toBe(same);
  });

  it('has a quick start that picks the only relay and logs HTTP', () => {
    const t = RULE_TEMPLATES.find((x) => x.values.type === 'relay-expose');
    expect(t).toBeDefined();
    const values = applyTemplate(emptyFormValues(), t!, undefined, 'r1');
    expect(values).toMatchObject({ type: 'relay-expose', relay: 'r1', targetHost: '127.0.0.1', targetPort: '3000', remotePort: '', httpLog: true });
    expect(checkForm(values, [], undefined, undefined, relays).valid).toBe(true);
  });
});

describe('relay-expose route', () => {
  const nameOf = (id: string) => (id === 'r1' ? 'vps' : undefined);

  it('names the relay and the asked-for port until the public address is known', () => {
    expect(describeRoute(rule, undefined, nameOf).text).toBe('vps :20001 → 127.0.0.1:8080 (HTTP log)');
    expect(describeRoute({ ...rule, remotePort: 0, kind: 'tcp' }, undefined, nameOf).text).toBe('vps :any port → 127.0.0.1:8080');
    expect(describeRoute({ ...rule, protocol: 'udp', kind: 'tcp' }, undefined, () => undefined).text).toBe(`${UNKNOWN_RELAY} :20001 → 127.0.0.1:8080 (UDP)`);
  });

  it('shows the public address once running', () => {
    const r = describeRoute({ ...rule, remotePort: 0 }, running('relay 203.0.113.5:9015 203.0.113.5:20007'), nameOf);
    expect(r.text).toBe('vps 203.0.113.5:20007 → 127.0.0.1:8080 (HTTP log)');
    expect(r.segments.find((s) => s.testId === 'public-address')?.text).toBe('203.0.113.5:20007');
  });

  it('reads the public address only from a bound `relay HOST:PORT PUBLIC` address', () => {
    expect(relayPublicAddress(running('relay 127.0.0.1:9015 127.0.0.1:20001'))).toBe('127.0.0.1:20001');
    expect(relayPublicAddress(running('relay [::1]:9015 [::1]:20001'))).toBe('[::1]:20001');
    expect(relayPublicAddress(running('relay 127.0.0.1:9015 port (any allowed)'))).toBeUndefined();
    expect(relayPublicAddress(running('relay 127.0.0.1:9015 port 20001'))).toBeUndefined();
    expect(relayPublicAddress(running('127.0.0.1:8080'))).toBeUndefined();
    expect(relayPublicAddress({ id: 'a', state: 'retrying', since: 1, boundAddress: 'relay 1.2.3.4:9015 1.2.3.4:20001' })).toBeUndefined();
  });
});
