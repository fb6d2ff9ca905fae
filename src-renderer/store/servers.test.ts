import { describe, expect, it } from 'vitest';
import type { HostKeyPrompt, SshServerEntry } from '../../src-shared/model/ssh';
import { applyServerEntries, dequeuePrompt, emptyServers, enqueuePrompt, mappingsUsing, removeServer, secondsUntil, serverList, upsertServer } from './servers';

const entry = (id: string, patch: Partial<SshServerEntry> = {}): SshServerEntry => ({
  server: { id, name: id, host: 'h', port: 22, user: 'u', auth: { method: 'agent' }, jump: [], keepaliveIntervalMs: 15_000, keepaliveCountMax: 3, hostKeyPolicy: 'ask' },
  state: 'idle',
  usedBy: [],
  ...patch,
});
const prompt = (promptId: string): HostKeyPrompt => ({ promptId, serverId: 'a', host: 'h', port: 22, keyType: 'ssh-ed25519', fingerprint: 'SHA256:x' });

describe('servers slice', () => {
  it('loads the list, keeps unchanged entries and the whole state when nothing changed', () => {
    const first = applyServerEntries(emptyServers(), [entry('a'), entry('b')]);
    expect(first.loaded).toBe(true);
    expect(serverList(first).map((e) => e.server.id)).toEqual(['a', 'b']);
    const same = applyServerEntries(first, [entry('a'), entry('b')]);
    expect(same).toBe(first);
    const moved = applyServerEntries(first, [entry('a'), entry('b', { state: 'ready' })]);
    expect(moved.entries.a).toBe(first.entries.a);
    expect(moved.entries.b?.state).toBe('ready');
    expect(applyServerEntries(first, [entry('b'), entry('a')]).order).toEqual(['b', 'a']);
    expect(applyServerEntries(first, [entry('a')]).order).toEqual(['a']);
  });

  it('clears a load error when a list arrives', () => {
    const failed = { ...emptyServers(), error: 'Unknown method' };
    expect(applyServerEntries(failed, []).error).toBeNull();
  });

  it('upserts and removes single servers', () => {
    const s = upsertServer(emptyServers(), entry('a'));
    expect(s.order).toEqual(['a']);
    expect(upsertServer(s, entry('a', { usedBy: ['r'] })).order).toEqual(['a']);
    expect(removeServer(s, 'a').order).toEqual([]);
    expect(removeServer(s, 'zz')).toBe(s);
  });

  it('queues host-key prompts once each, oldest first', () => {
    let q = enqueuePrompt([], prompt('1'));
    q = enqueuePrompt(q, prompt('2'));
    expect(enqueuePrompt(q, prompt('1'))).toBe(q);
    expect(dequeuePrompt(q, '1').map((p) => p.promptId)).toEqual(['2']);
    expect(dequeuePrompt(q, 'nope')).toBe(q);
  });

  it('counts down whole seconds, never below zero', () => {
    expect(secondsUntil(10_500, 10_000)).toBe(1);
    expect(secondsUntil(14_000, 10_000)).toBe(4);
    expect(secondsUntil(9_000, 10_000)).toBe(0);
  });
});

describe('mappingsUsing', () => {
  it('names the rules that go through a server, in list order', () => {
    const common = { enabled: false, autoStart: true, tags: [] };
    const rules = {
      a: { ...common, id: 'a', name: 'db', type: 'ssh-local', server: 's1', listen: { host: '127.0.0.1', port: 1 }, target: { host: 'h', port: 2 } },
      b: { ...common, id: 'b', name: 'px', type: 'socks', listen: { host: '127.0.0.1', port: 3 }, socks: { hasPassword: false, connectTimeoutMs: 1000 } },
      c: { ...common, id: 'c', name: 'share', type: 'ssh-remote', server: 's1', remote: { host: '127.0.0.1', port: 0 }, target: { host: 'h', port: 2 } },
    } as const;
    expect(mappingsUsing('s1', ['c', 'b', 'a'], rules)).toEqual(['share', 'db']);
    expect(mappingsUsing('s2', ['a'], rules)).toEqual([]);
  });
});
