import { describe, expect, it } from 'vitest';
import { RuleDraftSchema, type Rule } from '../../src-shared/model/rule';
import { connectAddressOf } from './rule-address';
import { copyName, duplicateDraft, nextFreeListenPort } from './duplicate-rule';

const options = { allow: [], deny: [], maxConnections: 0, connectTimeoutMs: 10_000, idleTimeoutMs: 0, keepAlive: true, proxyProtocol: 'off' as const };
const web: Rule = {
  id: 'a',
  name: 'Web',
  type: 'tcp-forward',
  enabled: true,
  autoStart: true,
  group: 'staging',
  tags: ['web'],
  listen: { host: '127.0.0.1', port: 8080 },
  target: { host: '10.0.0.5', port: 80 },
  options: { ...options, maxConnections: 3 },
};

describe('duplicate', () => {
  it('names the copy "X (copy)", then "X (copy 2)", within the 80-character limit', () => {
    expect(copyName('Web', new Set(['web']))).toBe('Web (copy)');
    expect(copyName('Web', new Set(['web', 'web (copy)']))).toBe('Web (copy 2)');
    expect(copyName('x'.repeat(80), new Set())).toHaveLength(80);
  });

  it('is switched off, keeps group, tags and options, and listens on the next port no mapping uses', () => {
    const other: Rule = { ...web, id: 'b', name: 'Other', listen: { host: '0.0.0.0', port: 8081 } };
    const udp: Rule = { ...web, id: 'u', name: 'Udp', type: 'udp-forward', listen: { host: '127.0.0.1', port: 8082 }, options: { allow: [], deny: [], idleTimeoutMs: 60_000, maxSessions: 10 } };
    const { draft, port } = duplicateDraft(web, [web, other, udp]);
    // 8081 is taken by a wildcard listener; a UDP listener on 8082 does not collide with TCP.
    expect(port).toBe(8082);
    expect(RuleDraftSchema.parse(draft)).toMatchObject({ name: 'Web (copy)', enabled: false, group: 'staging', tags: ['web'], listen: { host: '127.0.0.1', port: 8082 }, options: { maxConnections: 3 } });
    expect(draft).not.toHaveProperty('id');
  });

  it('wraps past 65535 and leaves rules that listen elsewhere alone', () => {
    expect(nextFreeListenPort({ ...web, listen: { host: '127.0.0.1', port: 65535 } }, [])).toBe(1);
    const remote: Rule = { id: 'r', name: 'R', type: 'ssh-remote', enabled: true, autoStart: true, tags: [], server: 's', remote: { host: '127.0.0.1', port: 9000 }, target: { host: '127.0.0.1', port: 3000 } };
    const d = duplicateDraft(remote, [remote]);
    expect(d.port).toBeUndefined();
    expect(d.draft).toMatchObject({ name: 'R (copy)', remote: { port: 9000 } });
  });

  it('does not claim a SOCKS password the copy does not have', () => {
    const socks: Rule = { id: 's', name: 'Px', type: 'socks', enabled: true, autoStart: true, tags: [], listen: { host: '127.0.0.1', port: 1080 }, socks: { username: 'u', hasPassword: true, connectTimeoutMs: 10_000 } };
    const d = duplicateDraft(socks, [socks]);
    expect(d.passwordDropped).toBe(true);
    expect(d.draft).toMatchObject({ socks: { username: 'u', hasPassword: false }, listen: { port: 1081 } });
  });
});

describe('address to copy', () => {
  it('is the listen address, through loopback for a wildcard bind; none for ssh -R', () => {
    expect(connectAddressOf(web, undefined)).toBe('127.0.0.1:8080');
    expect(connectAddressOf({ ...web, listen: { host: '0.0.0.0', port: 81 } }, undefined)).toBe('127.0.0.1:81');
    expect(connectAddressOf({ ...web, listen: { host: '::', port: 81 } }, undefined)).toBe('[::1]:81');
    const remote: Rule = { id: 'r', name: 'R', type: 'ssh-remote', enabled: true, autoStart: true, tags: [], server: 's', remote: { host: '127.0.0.1', port: 9000 }, target: { host: '127.0.0.1', port: 3000 } };
    expect(connectAddressOf(remote, undefined)).toBeUndefined();
  });
});
