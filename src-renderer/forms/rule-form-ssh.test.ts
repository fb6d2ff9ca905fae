import { describe, expect, it } from 'vitest';
import { RuleDraftSchema, type Rule } from '../../src-shared/model/rule';
import {
  CHOOSE_SERVER,
  checkForm,
  draftFromValues,
  emptyFormValues,
  exposedHostWarning,
  formValuesFromRule,
  issuesToFieldErrors,
  REMOTE_PORT_HINT,
  remoteExposedWarning,
  type RuleFormValues,
} from './rule-form';
import { applyTemplate, RULE_TEMPLATES } from './rule-templates';

const common = { enabled: true, autoStart: true, tags: [] };
const v = (patch: Partial<RuleFormValues>): RuleFormValues => ({ ...emptyFormValues(), name: 'x', ...patch });
const servers = new Set(['s1', 's2']);

describe('form → draft per type', () => {
  it('ssh-local: listen, target and server', () => {
    const values = v({ type: 'ssh-local', server: 's1', listenPort: '2222', targetHost: '127.0.0.1', targetPort: '22' });
    const draft = draftFromValues(values);
    expect(draft).toEqual({
      type: 'ssh-local',
      name: 'x',
      enabled: true,
      autoStart: true,
      tags: [],
      server: 's1',
      listen: { host: '127.0.0.1', port: 2222 },
      target: { host: '127.0.0.1', port: 22 },
    });
    expect(RuleDraftSchema.safeParse(draft).success).toBe(true);
    expect(checkForm(values, [], undefined, servers).valid).toBe(true);
  });

  it('ssh-remote: port 0 lets the server choose; an empty bind host is 127.0.0.1', () => {
    const values = v({ type: 'ssh-remote', server: 's1', remoteHost: ' ', remotePort: '0', targetHost: 'localhost', targetPort: '3000' });
    expect(draftFromValues(values)).toMatchObject({ type: 'ssh-remote', remote: { host: '127.0.0.1', port: 0 }, target: { host: 'localhost', port: 3000 } });
    expect(draftFromValues(values)).not.toHaveProperty('listen');
    expect(checkForm(values, [], undefined, servers).valid).toBe(true);
  });

  it('ssh-dynamic and socks: SOCKS options from the username and connect timeout', () => {
    const values = v({ type: 'ssh-dynamic', server: 's2', listenPort: '1080', socksUser: ' me ', connectTimeout: '2.5' });
    expect(draftFromValues(values)).toMatchObject({ type: 'ssh-dynamic', server: 's2', socks: { username: 'me', hasPassword: false, connectTimeoutMs: 2500 } });
    const direct = draftFromValues(v({ type: 'socks', listenPort: '1081', server: 's1' }));
    expect(direct).toEqual(expect.objectContaining({ type: 'socks', socks: { hasPassword: false, connectTimeoutMs: 10_000 } }));
    expect(direct).not.toHaveProperty('server');
    expect(direct).not.toHaveProperty('target');
  });
});

describe('rule → form → draft round trips', () => {
  const rules: Rule[] = [
    { ...common, id: 'c', name: 'db', type: 'ssh-local', server: 's1', listen: { host: '127.0.0.1', port: 15432 }, target: { host: 'db', port: 5432 } },
    { ...common, id: 'd', name: 'share', type: 'ssh-remote', server: 's1', remote: { host: '0.0.0.0', port: 8080 }, target: { host: 'localhost', port: 3000 } },
    { ...common, id: 'e', name: 'px', type: 'ssh-dynamic', server: 's2', listen: { host: '127.0.0.1', port: 1080 }, socks: { username: 'u', hasPassword: true, connectTimeoutMs: 3000 } },
    { ...common, id: 'f', name: 'direct', type: 'socks', group: 'g', notes: 'n', listen: { host: '127.0.0.1', port: 1081 }, socks: { hasPassword: false, connectTimeoutMs: 10_000 } },
  ];
  for (const rule of rules) {
    it(`keeps every field of ${rule.type}, including the stored SOCKS password flag`, () => {
      const { id: _id, ...expected } = rule;
      expect(RuleDraftSchema.parse(draftFromValues(formValuesFromRule(rule), rule))).toEqual(expected);
    });
  }
});

describe('checks for the SSH types', () => {
  it('asks for a server, and refuses one that is not saved (any more)', () => {
    const values = v({ type: 'ssh-local', listenPort: '2222', targetHost: 'h', targetPort: '22' });
    expect(checkForm(values, []).errors.server).toBe(CHOOSE_SERVER);
    expect(checkForm({ ...values, server: 'gone' }, [], undefined, servers).errors.server).toBe(CHOOSE_SERVER);
    expect(checkForm({ ...values, server: 'gone' }, []).valid).toBe(true);
  });

  it('explains the remote port range including 0', () => {
    const base = v({ type: 'ssh-remote', server: 's1', targetHost: 'h', targetPort: '80' });
    for (const remotePort of ['', '-1', '70000', 'x']) expect(checkForm({ ...base, remotePort }, []).errors.remotePort).toBe(REMOTE_PORT_HINT);
    expect(checkForm({ ...base, remotePort: '0' }, []).errors).toEqual({});
  });

  it('warns on non-loopback listen hosts for every listening type, and on a public remote bind', () => {
    for (const type of ['ssh-local', 'ssh-dynamic', 'socks'] as const) {
      const c = checkForm(v({ type, server: 's1', listenHost: '192.168.1.5', listenPort: '1080', targetHost: 'h', targetPort: '1' }), []);
      expect(c.warnings.listenHost).toBe(exposedHostWarning('192.168.1.5'));
    }
    const remote = checkForm(v({ type: 'ssh-remote', server: 's1', listenHost: '0.0.0.0', remoteHost: '0.0.0.0', remotePort: '80', targetHost: 'h', targetPort: '80' }), []);
    expect(remote.warnings).toEqual({ remoteHost: remoteExposedWarning('0.0.0.0') });
  });

  it('finds listen clashes with SSH and SOCKS rules, which listen on TCP', () => {
    const other: Rule = { ...common, id: 'e', name: 'px', type: 'ssh-dynamic', server: 's2', listen: { host: '127.0.0.1', port: 1080 }, socks: { hasPassword: false, connectTimeoutMs: 3000 } };
    expect(checkForm(v({ listenPort: '1080', targetHost: 'h', targetPort: '1' }), [other]).errors.listenPort).toMatch(/already used by “px”/);
    expect(checkForm(v({ type: 'ssh-remote', server: 's1', remotePort: '1080', targetHost: 'h', targetPort: '1' }), [other]).valid).toBe(true);
  });

  it('maps SSH issue paths onto fields', () => {
    expect(issuesToFieldErrors([{ path: 'remote.port', message: 'a' }, { path: 'server', message: 'b' }, { path: 'socks.username', message: 'c' }]).fields).toEqual({
      remotePort: 'a',
      server: 'b',
      socksUser: 'c',
    });
  });
});

describe('templates', () => {
  const pick = (id: string) => RULE_TEMPLATES.find((t) => t.id === id)!;

  it('prefill type, name and ports, and leave the target host to choose where needed', () => {
    const web = applyTemplate(emptyFormValues(), pick('web'));
    expect(web).toMatchObject({ type: 'tcp-forward', name: 'Web', listenHost: '127.0.0.1', listenPort: '8080', targetHost: '', targetPort: '80' });
    expect(applyTemplate(emptyFormValues(), pick('rdp'))).toMatchObject({ listenPort: '13389', targetHost: '', targetPort: '3389' });
    expect(applyTemplate(emptyFormValues(), pick('ssh'))).toMatchObject({ type: 'ssh-local', listenPort: '2222', targetHost: '127.0.0.1', targetPort: '22' });
    expect(applyTemplate(emptyFormValues(), pick('db'))).toMatchObject({ type: 'ssh-local', listenPort: '15432', targetHost: '127.0.0.1', targetPort: '5432' });
    expect(applyTemplate(emptyFormValues(), pick('socks'))).toMatchObject({ type: 'ssh-dynamic', listenPort: '1080', name: 'SOCKS proxy' });
  });

  it('a complete SSH template needs only a server', () => {
    const ssh = applyTemplate(emptyFormValues(), pick('ssh'));
    expect(checkForm(ssh, [], undefined, servers).errors).toEqual({ server: CHOOSE_SERVER });
    expect(checkForm(applyTemplate(emptyFormValues(), pick('ssh'), 's1'), [], undefined, servers).valid).toBe(true);
  });

  it('keeps a name the user typed and a server already chosen; replaces a previous template name', () => {
    const typed = applyTemplate({ ...emptyFormValues(), name: 'My box', server: 's2' }, pick('db'), 's1');
    expect(typed).toMatchObject({ name: 'My box', server: 's2' });
    expect(applyTemplate(applyTemplate(emptyFormValues(), pick('web')), pick('db')).name).toBe('Database');
  });
});
