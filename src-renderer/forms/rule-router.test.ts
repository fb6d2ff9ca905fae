import { describe, expect, it } from 'vitest';
import { RuleSchema, type Rule } from '../../src-shared/model/rule';
import { en } from '../i18n/locales/en';
import { checkForm, draftFromValues, emptyFormValues, formValuesFromRule } from './rule-form';
import { ROUTER_PORT_HINT, routerNeedsLanAddress } from './rule-router';

const game: Rule = RuleSchema.parse({
  id: 'g',
  type: 'tcp-forward',
  name: 'game',
  enabled: true,
  listen: { host: '0.0.0.0', port: 25565 },
  target: { host: '127.0.0.1', port: 25566 },
  router: { enabled: true, externalPort: 25000, protocol: 'natpmp', leaseSeconds: 600 },
});
const plain: Rule = RuleSchema.parse({ id: 'p', type: 'udp-forward', name: 'dns', enabled: true, listen: { host: '127.0.0.1', port: 5353 }, target: { host: '1.1.1.1', port: 53 } });

describe('the "Open on router" part of the rule form', () => {
  it('shows a rule’s option and gives it back unchanged, lease included (the form does not show it)', () => {
    const v = formValuesFromRule(game);
    expect(v).toMatchObject({ routerEnabled: true, routerExternalPort: '25000', routerProtocol: 'natpmp' });
    expect(draftFromValues(v, game)).toMatchObject({ router: { enabled: true, externalPort: 25000, protocol: 'natpmp', leaseSeconds: 600 } });
  });

  it('leaves the option out of rules that never had it, and adds it when switched on', () => {
    expect('router' in draftFromValues(formValuesFromRule(plain), plain)).toBe(false);
    const on = { ...formValuesFromRule(plain), listenHost: '192.168.1.20', routerEnabled: true };
    expect(draftFromValues(on, plain)).toMatchObject({ router: { enabled: true, protocol: 'auto', leaseSeconds: 3600 } });
    expect((draftFromValues(on, plain) as { router: object }).router).not.toHaveProperty('externalPort');
    // Switched off again on a rule that has it: kept, off (its port stays for next time).
    expect(draftFromValues({ ...formValuesFromRule(game), routerEnabled: false }, game)).toMatchObject({ router: { enabled: false, externalPort: 25000 } });
  });

  it('has no router option for types that do not listen here (or not that way)', () => {
    const ssh = { ...emptyFormValues(), type: 'ssh-local' as const, routerEnabled: true };
    expect('router' in draftFromValues(ssh)).toBe(false);
  });

  it('checks the external port and says what it accepts, in both languages', () => {
    const v = { ...formValuesFromRule(game), routerExternalPort: '70000' };
    const c = checkForm(v, []);
    expect(c.errors.routerExternalPort).toBe(ROUTER_PORT_HINT);
    // The catalogue holds the exact text, so the Chinese UI shows it translated.
    expect(Object.values(en.validation)).toContain(ROUTER_PORT_HINT);
    expect(checkForm({ ...v, routerExternalPort: '' }, []).valid).toBe(true);
  });

  it('asks for a LAN address when the mapping listens on loopback', () => {
    expect(routerNeedsLanAddress({ ...formValuesFromRule(game), listenHost: '127.0.0.1' })).toBe(true);
    expect(routerNeedsLanAddress({ ...formValuesFromRule(game), listenHost: 'localhost' })).toBe(true);
    expect(routerNeedsLanAddress({ ...formValuesFromRule(game), listenHost: '192.168.1.20' })).toBe(false);
    expect(routerNeedsLanAddress({ ...formValuesFromRule(game), listenHost: '127.0.0.1', routerEnabled: false })).toBe(false);
  });
});
