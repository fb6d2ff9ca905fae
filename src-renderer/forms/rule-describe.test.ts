import { describe, expect, it } from 'vitest';
import type { Rule } from '../../src-shared/model/rule';
import type { RuleStatus } from '../../src-shared/model/status';
import { describeRoute, portOfAddress, remotePortLabel, UNKNOWN_SERVER } from './rule-describe';

const common = { enabled: true, autoStart: true, tags: [] };
const socks = { hasPassword: false, connectTimeoutMs: 10_000 };
const names: Record<string, string> = { s1: 'bastion' };
const nameOf = (id: string) => names[id];
const running = (boundAddress?: string): RuleStatus => ({ id: 'x', state: 'running', since: 1, ...(boundAddress ? { boundAddress } : {}) });

const rules: Record<string, Rule> = {
  tcp: {
    ...common,
    id: 'a',
    name: 'web',
    type: 'tcp-forward',
    listen: { host: '127.0.0.1', port: 8080 },
    target: { host: 'web.internal', port: 80 },
    options: { allow: [], deny: [], maxConnections: 0, connectTimeoutMs: 10_000, idleTimeoutMs: 0, keepAlive: true, proxyProtocol: 'off' },
  },
  udp: { ...common, id: 'b', name: 'dns', type: 'udp-forward', listen: { host: '::1', port: 53 }, target: { host: '1.1.1.1', port: 53 }, options: { allow: [], deny: [], idleTimeoutMs: 60_000, maxSessions: 1000 } },
  local: { ...common, id: 'c', name: 'db', type: 'ssh-local', server: 's1', listen: { host: '127.0.0.1', port: 15432 }, target: { host: '127.0.0.1', port: 5432 } },
  remote: { ...common, id: 'd', name: 'share', type: 'ssh-remote', server: 's1', remote: { host: '127.0.0.1', port: 0 }, target: { host: 'localhost', port: 3000 } },
  dynamic: { ...common, id: 'e', name: 'proxy', type: 'ssh-dynamic', server: 's1', listen: { host: '127.0.0.1', port: 1080 }, socks },
  socks: { ...common, id: 'f', name: 'direct', type: 'socks', listen: { host: '0.0.0.0', port: 1081 }, socks },
};

describe('describeRoute', () => {
  it('says where traffic goes for each type, with its tag', () => {
    const d = (k: string, status?: RuleStatus) => {
      const r = describeRoute(rules[k] as Rule, status, nameOf);
      return `${r.tag} | ${r.text}`;
    };
    expect(d('tcp')).toBe('TCP | 127.0.0.1:8080 → web.internal:80');
    expect(d('udp')).toBe('UDP | [::1]:53 → 1.1.1.1:53');
    expect(d('local')).toBe('SSH -L | 127.0.0.1:15432 → 127.0.0.1:5432 via bastion');
    expect(d('remote')).toBe('SSH -R | bastion:auto → localhost:3000');
    expect(d('remote', running('0.0.0.0:41234'))).toBe('SSH -R | bastion:auto (port 41234) → localhost:3000');
    expect(d('dynamic')).toBe('SSH -D | SOCKS5 on 127.0.0.1:1080 via bastion');
    expect(d('socks')).toBe('SOCKS | SOCKS5 on 0.0.0.0:1081');
  });

  it('shows a fixed remote port as is, and names a server it does not know', () => {
    const fixed = { ...(rules.remote as Extract<Rule, { type: 'ssh-remote' }>), remote: { host: '0.0.0.0', port: 8022 } };
    const r = describeRoute(fixed, running('0.0.0.0:8022'), () => undefined);
    expect(r.text).toBe(`${UNKNOWN_SERVER}:8022 → localhost:3000`);
    expect(r.segments[0]?.title).toBe('Listens on 0.0.0.0:8022 on the SSH server');
  });

  it('marks addresses for monospace and the arrow for screen readers', () => {
    expect(describeRoute(rules.local as Rule, undefined, nameOf).segments.map((s) => s.kind)).toEqual(['addr', 'arrow', 'addr', 'text', 'server']);
  });
});

describe('remote port label', () => {
  it('reads the assigned port from the bound address only while running', () => {
    expect(portOfAddress('127.0.0.1:80')).toBe(80);
    expect(portOfAddress('[::1]:8080')).toBe(8080);
    expect(portOfAddress('nonsense')).toBeUndefined();
    expect(remotePortLabel(0, { id: 'x', state: 'retrying', since: 1, boundAddress: '1.2.3.4:5' })).toBe('auto');
    expect(remotePortLabel(0, running())).toBe('auto');
    expect(remotePortLabel(2222, undefined)).toBe('2222');
  });
});
