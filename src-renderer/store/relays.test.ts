import { describe, expect, it } from 'vitest';
import type { RelayEntry, RelayServerStatus } from '../../src-shared/model/relay';
import type { Rule } from '../../src-shared/model/rule';
import { applyRelayEntries, applyRelayServerSettings, applyRelayServerStatus, emptyRelays, emptyRelayServer, mappingsUsingRelay, relayList, removeRelay, upsertRelay } from './relays';

const entry = (id: string, patch: Partial<RelayEntry> = {}): RelayEntry => ({
  relay: { id, name: id, host: 'relay.example', port: 9015, agentName: 'laptop', tls: true, hasToken: true, acceptAssigned: false },
  state: 'idle',
  usedBy: [],
  ...patch,
});

describe('relays slice', () => {
  it('loads, keeps unchanged entries, upserts and removes', () => {
    const first = applyRelayEntries(emptyRelays(), [entry('a'), entry('b')]);
    expect(relayList(first).map((e) => e.relay.id)).toEqual(['a', 'b']);
    expect(applyRelayEntries(first, [entry('a'), entry('b')])).toBe(first);
    const moved = applyRelayEntries(first, [entry('a'), entry('b', { state: 'ready' })]);
    expect(moved.entries.a).toBe(first.entries.a);
    expect(upsertRelay(first, entry('c')).order).toEqual(['a', 'b', 'c']);
    expect(removeRelay(first, 'a').order).toEqual(['b']);
    expect(removeRelay(first, 'zz')).toBe(first);
  });

  it('names the mappings that go through a relay, in list order', () => {
    const common = { enabled: false, autoStart: true, tags: [] };
    const rules: Record<string, Rule> = {
      a: { ...common, id: 'a', name: 'web', type: 'relay-expose', relay: 'r1', target: { host: '127.0.0.1', port: 80 }, remotePort: 0, protocol: 'tcp', kind: 'tcp' },
      b: { ...common, id: 'b', name: 'dns', type: 'relay-expose', relay: 'r2', target: { host: '127.0.0.1', port: 53 }, remotePort: 0, protocol: 'udp', kind: 'tcp' },
      c: { ...common, id: 'c', name: 'ssh', type: 'ssh-remote', server: 'r1', remote: { host: '127.0.0.1', port: 0 }, target: { host: 'h', port: 22 } },
    };
    expect(mappingsUsingRelay('r1', ['c', 'b', 'a'], rules)).toEqual(['web']);
  });

  it('keeps the relay-server state object when a pushed status or the settings did not change', () => {
    const status: RelayServerStatus = { running: true, tls: true, listening: '127.0.0.1:9015', agents: [], warnings: [] };
    const s1 = applyRelayServerStatus(emptyRelayServer(), status);
    expect(applyRelayServerStatus(s1, { ...status })).toBe(s1);
    expect(applyRelayServerStatus(s1, { ...status, running: false }).status?.running).toBe(false);
    const settings = { config: { bind: { host: '127.0.0.1', port: 9015 }, publicHost: '127.0.0.1', tls: true, agents: [] }, withToken: [] };
    const s2 = applyRelayServerSettings(s1, settings);
    expect(applyRelayServerSettings(s2, { ...settings })).toBe(s2);
  });
});
