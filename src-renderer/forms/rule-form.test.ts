import { describe, expect, it } from 'vitest';
import type { Rule } from '../../src-shared/model/rule';
import {
  checkForm,
  draftFromValues,
  emptyFormValues,
  exposedHostWarning,
  formValuesFromRule,
  issuesToFieldErrors,
  serverIssuesToErrors,
  WILDCARD_WARNING,
} from './rule-form';
import { switchOptionType } from './rule-options';

const good = { ...emptyFormValues(), name: 'web', listenPort: '8080', targetHost: 'example.com', targetPort: '80' };

const other: Rule = {
  id: 'r1',
  type: 'tcp-forward',
  name: 'db',
  enabled: true,
  autoStart: true,
  tags: [],
  listen: { host: '127.0.0.1', port: 5432 },
  target: { host: 'db.internal', port: 5432 },
  options: { allow: [], deny: [], maxConnections: 0, connectTimeoutMs: 10_000, idleTimeoutMs: 0, keepAlive: true, proxyProtocol: 'off' },
};

describe('checkForm', () => {
  it('accepts a complete form', () => {
    expect(checkForm(good, [other])).toEqual({ errors: {}, other: [], warnings: {}, valid: true });
  });

  it('puts schema messages on the matching fields', () => {
    const c = checkForm({ ...good, name: ' ', targetHost: 'bad host!', listenPort: '70000', targetPort: '' }, []);
    expect(c.valid).toBe(false);
    expect(c.errors).toEqual({
      name: 'give the mapping a name',
      targetHost: 'not a valid host name or IP address',
      listenPort: 'port must be between 1 and 65535',
      targetPort: 'enter a port number',
    });
  });

  it('rejects non-numeric and zero ports', () => {
    expect(checkForm({ ...good, listenPort: 'abc' }, []).errors.listenPort).toBe('enter a port number');
    expect(checkForm({ ...good, listenPort: '0' }, []).errors.listenPort).toBe('port must be between 1 and 65535');
  });

  it('flags a listen port another rule already uses, including through a wildcard', () => {
    expect(checkForm({ ...good, listenPort: '5432' }, [other]).errors.listenPort).toMatch(/already used by “db” \(127\.0\.0\.1:5432\)/);
    const wild = checkForm({ ...good, listenHost: '0.0.0.0', listenPort: '5432' }, [other]);
    expect(wild.errors.listenPort).toMatch(/already used/);
    expect(checkForm({ ...good, listenHost: '127.0.0.2', listenPort: '5432' }, [other]).valid).toBe(true);
  });

  it('lets a UDP mapping share a port number with a TCP one', () => {
    // As the Protocol select does it: the idle timeout moves to UDP's default (TCP's 0 = never is not valid for UDP).
    const udp = { ...switchOptionType(good, 'udp'), type: 'udp-forward' as const, listenPort: '5432' };
    expect(checkForm(udp, [other]).valid).toBe(true);
  });

  it('warns, without blocking, when listening on all interfaces', () => {
    const c = checkForm({ ...good, listenHost: '::' }, []);
    expect(c.valid).toBe(true);
    expect(c.warnings.listenHost).toBe(WILDCARD_WARNING);
  });
});

describe('issue mapping', () => {
  it('maps dotted and array paths to fields and keeps the rest', () => {
    const r = issuesToFieldErrors([
      { path: 'listen.port', message: 'in use' },
      { path: ['target', 'host'], message: 'bad' },
      { path: 'tags.0', message: 'too long' },
      { path: 'notes', message: 'too long' },
      { path: '', message: 'whole thing' },
    ]);
    expect(r.fields).toEqual({ listenPort: 'in use', targetHost: 'bad', tags: 'too long' });
    expect(r.other).toEqual(['notes: too long', 'whole thing']);
  });

  it('shows a server CONFLICT on the listen port field, and a bare message as a form error', () => {
    expect(serverIssuesToErrors([{ path: 'listen.port', message: 'used by "db"' }], 'conflict')).toEqual({
      fields: { listenPort: 'used by "db"' },
      formError: null,
    });
    expect(serverIssuesToErrors([], 'host exploded')).toEqual({ fields: {}, formError: 'host exploded' });
  });
});

describe('draft round trip', () => {
  it('keeps fields the form does not show when editing', () => {
    const rule: Rule = { ...other, group: 'work', tags: ['x'], notes: 'n', autoStart: false, options: { ...other.options, maxConnections: 5 } };
    const draft = draftFromValues({ ...formValuesFromRule(rule), name: 'db2' }, rule);
    expect(draft).toMatchObject({ name: 'db2', group: 'work', tags: ['x'], notes: 'n', autoStart: false, listen: { port: 5432 }, options: { maxConnections: 5 } });
  });

  it('edits group and tags: blank group means none, tags are split on commas without repeats', () => {
    const rule: Rule = { ...other, group: 'work', tags: ['x'] };
    const values = { ...formValuesFromRule(rule), group: '  ', tags: 'db, prod,, DB ' };
    expect(formValuesFromRule(rule)).toMatchObject({ group: 'work', tags: 'x' });
    const draft = draftFromValues(values, rule);
    expect(draft).not.toHaveProperty('group');
    expect(draft.tags).toEqual(['db', 'prod']);
    expect(checkForm({ ...values, tags: 'x'.repeat(31) }, [], rule).errors.tags).toBe('at most 20 tags, each of 1 to 30 characters');
    expect(checkForm({ ...values, group: 'g'.repeat(61) }, [], rule).errors.group).toBe('a group name is at most 60 characters');
  });

  it('keeps every TCP option of an edited rule, exactly', () => {
    const options = { allow: ['10.0.0.0/8', '::1'], deny: ['10.1.2.3'], maxConnections: 7, connectTimeoutMs: 2500, idleTimeoutMs: 90_000, keepAlive: false, proxyProtocol: 'v2' as const };
    const rule: Rule = { ...other, options };
    expect(draftFromValues(formValuesFromRule(rule), rule)).toMatchObject({ type: 'tcp-forward', options });
    expect(checkForm(formValuesFromRule(rule), [], rule).valid).toBe(true);
  });

  it('keeps every UDP option of an edited rule, exactly', () => {
    const rule: Rule = {
      ...other,
      type: 'udp-forward',
      options: { allow: ['192.168.0.0/16'], deny: [], idleTimeoutMs: 1500, maxSessions: 12 },
    };
    expect(draftFromValues(formValuesFromRule(rule), rule)).toMatchObject({ type: 'udp-forward', options: rule.options });
  });

  it('switching a TCP rule to UDP sends UDP options built from the form', () => {
    const rule: Rule = { ...other, options: { ...other.options, allow: ['10.0.0.0/8'] } };
    const asUdp = draftFromValues({ ...formValuesFromRule(rule), type: 'udp-forward' }, rule);
    expect(asUdp.type).toBe('udp-forward');
    expect('options' in asUdp && asUdp.options).toEqual({ allow: ['10.0.0.0/8'], deny: [], idleTimeoutMs: 0, maxSessions: 1000 });
  });
});

describe('advanced options in checkForm', () => {
  it('names each bad allow/deny entry with the schema message', () => {
    const c = checkForm({ ...good, allow: '10.0.0.0/8\n300.1.1.1/8, 192.168.1.0/24', deny: 'nope' }, []);
    expect(c.valid).toBe(false);
    expect(c.errors.allow).toBe('“300.1.1.1/8”: not an IP address or CIDR range (e.g. 192.168.1.0/24)');
    expect(c.errors.deny).toBe('“nope”: not an IP address or CIDR range (e.g. 192.168.1.0/24)');
  });

  it('explains number fields in seconds, whatever zod said in milliseconds', () => {
    const c = checkForm({ ...good, connectTimeout: '0.01', idleTimeout: '-1', maxConnections: '1.5' }, []);
    expect(c.errors).toEqual({
      connectTimeout: 'enter between 0.1 and 300 seconds',
      idleTimeout: 'enter 0 (never) or up to 604800 seconds (7 days)',
      maxConnections: 'enter a whole number from 0 (no limit) to 1000000',
    });
    const udp = checkForm({ ...good, type: 'udp-forward', idleTimeout: '0.5', maxSessions: 'lots' }, []);
    expect(udp.errors).toEqual({ idleTimeout: 'enter between 1 and 86400 seconds (a day)', maxSessions: 'enter a whole number from 1 to 100000' });
  });

  it('blank number fields take the defaults', () => {
    const v = { ...good, maxConnections: '', connectTimeout: '', idleTimeout: '' };
    expect(checkForm(v, []).valid).toBe(true);
    expect(draftFromValues(v)).toHaveProperty('options', { allow: [], deny: [], keepAlive: true, proxyProtocol: 'off' });
  });

  it('maps server issues on list entries to the list field', () => {
    expect(issuesToFieldErrors([{ path: 'options.deny.2', message: 'bad' }]).fields).toEqual({ deny: 'bad' });
  });
});

describe('listen host warnings', () => {
  it('warns for any address other machines can reach, not for loopback', () => {
    expect(checkForm({ ...good, listenHost: '192.168.1.20' }, []).warnings.listenHost).toBe(exposedHostWarning('192.168.1.20'));
    expect(exposedHostWarning('192.168.1.20')).toBe('Listening on 192.168.1.20 makes this port reachable from other machines');
    expect(checkForm({ ...good, listenHost: '0.0.0.0' }, []).warnings.listenHost).toBe(WILDCARD_WARNING);
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1']) expect(checkForm({ ...good, listenHost: host }, []).warnings).toEqual({});
  });
});
