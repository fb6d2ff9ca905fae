import { describe, expect, it } from 'vitest';
import type { Rule } from '../../src-shared/model/rule';
import { createAppStore } from './app-store';
import { applyRulesChanged, removeRule } from './reducers';

const rule = (id: string, name: string): Rule => ({
  id,
  type: 'tcp-forward',
  name,
  enabled: false,
  autoStart: true,
  tags: [],
  listen: { host: '127.0.0.1', port: 1000 },
  target: { host: 'localhost', port: 80 },
  options: { allow: [], deny: [], maxConnections: 0, connectTimeoutMs: 10_000, idleTimeoutMs: 0, keepAlive: true, proxyProtocol: 'off' },
});

describe('app store', () => {
  it('remembers rule names after the rule is removed, for its log lines', () => {
    const store = createAppStore();
    store.setState((s) => applyRulesChanged(s, [rule('a', 'Web')]));
    store.setState((s) => applyRulesChanged(s, [rule('a', 'Web 2')]));
    store.setState((s) => removeRule(s, 'a'));
    expect(store.getState().rules).toEqual({});
    expect(store.getState().ruleNames).toEqual({ a: 'Web 2' });
  });
});
