import { describe, expect, it } from 'vitest';
import type { Rule } from '../../src-shared/model/rule';
import { optionFacts, routeFacts } from './rule-facts';

const tcp: Rule = {
  id: 'a',
  name: 'Web',
  type: 'tcp-forward',
  enabled: true,
  autoStart: true,
  tags: [],
  listen: { host: '127.0.0.1', port: 8080 },
  target: { host: '10.0.0.5', port: 80 },
  options: { allow: ['10.0.0.0/8'], deny: [], maxConnections: 0, connectTimeoutMs: 10_000, idleTimeoutMs: 90_000, keepAlive: true, proxyProtocol: 'v2' },
};

describe('detail facts', () => {
  it('lists the route with the bound address while running', () => {
    const facts = routeFacts(tcp, { id: 'a', state: 'running', since: 0, boundAddress: '127.0.0.1:8080' }, () => undefined);
    expect(facts.map((f) => [f.label, f.value])).toEqual([
      ['Type', 'TCP port forward'],
      ['Listen', '127.0.0.1:8080'],
      ['Bound to', '127.0.0.1:8080'],
      ['Target', '10.0.0.5:80'],
    ]);
  });

  it('names the SSH server and the remote bind of ssh -R', () => {
    const remote: Rule = { id: 'r', name: 'R', type: 'ssh-remote', enabled: true, autoStart: false, tags: [], server: 's', remote: { host: '0.0.0.0', port: 0 }, target: { host: '127.0.0.1', port: 3000 } };
    expect(routeFacts(remote, undefined, (id) => (id === 's' ? 'Build box' : undefined)).map((f) => [f.label, f.value])).toEqual([
      ['Type', 'SSH remote forward (-R)'],
      ['SSH server', 'Build box'],
      ['Listens on the server', '0.0.0.0, a port the server picks'],
      ['Target', '127.0.0.1:3000'],
    ]);
  });

  it('spells out every TCP option, defaults included', () => {
    expect(Object.fromEntries(optionFacts(tcp).map((f) => [f.label, f.value]))).toEqual({
      'Allowed sources': '10.0.0.0/8',
      'Denied sources': 'none',
      'Max connections': 'no limit',
      'Connect timeout': '10 s',
      'Idle timeout': '1m 30s',
      'TCP keep-alive': 'yes',
      'PROXY protocol': 'v2',
      'Start at launch': 'yes, if switched on',
    });
  });
});
