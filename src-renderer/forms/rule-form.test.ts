import { describe, expect, it } from 'vitest';
import type { Rule } from '../../src-shared/model/rule';
import { checkForm, draftFromValues, emptyFormValues, formValuesFromRule, issuesToFieldErrors, serverIssuesToErrors, WILDCARD_WARNING } from './rule-form';

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
    expect(checkForm({ ...good, type: 'udp-forward', listenPort: '5432' }, [other]).valid).toBe(true);
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
      { path: '', message: 'whole thing' },
    ]);
    expect(r.fields).toEqual({ listenPort: 'in use', targetHost: 'bad' });
    expect(r.other).toEqual(['tags.0: too long', 'whole thing']);
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
    const asUdp = draftFromValues({ ...formValuesFromRule(rule), type: 'udp-forward' }, rule);
    expect(asUdp.type).toBe('udp-forward');
    expect('options' in asUdp).toBe(false);
  });
});
