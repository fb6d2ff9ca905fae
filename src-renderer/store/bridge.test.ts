import { describe, expect, it } from 'vitest';
import type { ApiEvents, PortholeApi, Unsubscribe } from '../../src-shared/api/contract';
import type { RelayEntry, RelayServerStatus } from '../../src-shared/model/relay';
import type { Rule } from '../../src-shared/model/rule';
import type { HostKeyPrompt, SshServerEntry } from '../../src-shared/model/ssh';
import { createSignal } from '../lib/signal';
import type { ConnectionState } from '../api/ws-transport';
import { createAppStore } from './app-store';
import { freshSnapshot, initBridge } from './bridge';

type Listeners = { [K in keyof ApiEvents]?: ((p: ApiEvents[K]) => void)[] };

const entry = (id: string): SshServerEntry => ({
  server: { id, name: id, host: 'h', port: 22, user: 'u', auth: { method: 'agent' }, jump: [], keepaliveIntervalMs: 15_000, keepaliveCountMax: 3, hostKeyPolicy: 'ask' },
  state: 'idle',
  usedBy: [],
});

const relay = (id: string, patch: Partial<RelayEntry> = {}): RelayEntry => ({
  relay: { id, name: id, host: 'relay.example', port: 9015, agentName: 'laptop', tls: true, hasToken: true, acceptAssigned: false },
  state: 'idle',
  usedBy: [],
  ...patch,
});

const stopped: RelayServerStatus = { running: false, tls: true, agents: [], warnings: [] };

/** Just enough of the API for the bridge; servers.list answers from `serverLists` in turn, or fails like an older host. */
function fakeApi(serverLists: (SshServerEntry[] | Error)[], relays: RelayEntry[] | Error = []) {
  const listeners: Listeners = {};
  const on =
    <K extends keyof ApiEvents>(k: K) =>
    (cb: (p: ApiEvents[K]) => void): Unsubscribe => {
      (listeners[k] ??= [] as never[]).push(cb as never);
      return () => undefined;
    };
  let lists = 0;
  const api = {
    app: { info: async () => ({ name: 'Porthole', version: '0', mode: 'browser', dataDir: '/d', storeBackend: 'conf', platform: 'linux', secretsBackend: 'a 0600 file' }) },
    rules: { list: async () => [] },
    logs: { query: async () => [] },
    servers: {
      list: async () => {
        const next = serverLists[Math.min(lists++, serverLists.length - 1)];
        if (next instanceof Error) throw next;
        return next ?? [];
      },
    },
    relays: {
      list: async () => {
        if (relays instanceof Error) throw relays;
        return relays;
      },
    },
    relayServer: {
      settings: async () => ({ config: { bind: { host: '127.0.0.1', port: 9015 }, publicHost: '127.0.0.1', tls: true, agents: [] }, withToken: [] }),
      status: async () => stopped,
    },
    on: {
      relaysChanged: on('relays-changed'),
      relayServer: on('relay-server'),
      ruleState: on('rule-state'),
      rulesChanged: on('rules-changed'),
      stats: on('stats'),
      log: on('log'),
      serversChanged: on('servers-changed'),
      hostKeyPrompt: on('host-key-prompt'),
    },
  } as unknown as PortholeApi;
  const emit = <K extends keyof ApiEvents>(k: K, p: ApiEvents[K]) => (listeners[k] as ((x: ApiEvents[K]) => void)[] | undefined)?.forEach((l) => l(p));
  return { api, emit };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('bridge: SSH servers and host-key prompts', () => {
  it('still loads the mappings when servers.list fails, and says why the servers are missing', async () => {
    const { api } = fakeApi([new Error('Unknown method servers.list')]);
    const store = createAppStore();
    initBridge(api, store);
    await flush();
    expect(store.getState().loaded).toBe(true);
    expect(store.getState().servers.error).toMatch(/Unknown method/);
  });

  it('follows servers-changed and queues host-key prompts', async () => {
    const { api, emit } = fakeApi([[entry('a')]]);
    const store = createAppStore();
    initBridge(api, store);
    await flush();
    expect(store.getState().servers.order).toEqual(['a']);
    emit('servers-changed', [entry('a'), entry('b')]);
    expect(store.getState().servers.order).toEqual(['a', 'b']);
    const p: HostKeyPrompt = { promptId: 'p1', serverId: 'a', host: 'h', port: 22, keyType: 'ssh-ed25519', fingerprint: 'SHA256:abc' };
    emit('host-key-prompt', p);
    emit('host-key-prompt', p);
    expect(store.getState().hostKeyPrompts).toEqual([p]);
  });

  it('reloads the servers after a reconnect', async () => {
    const { api } = fakeApi([[entry('a')], [entry('a'), entry('c')]]);
    const store = createAppStore();
    const connection = createSignal<ConnectionState>('open');
    initBridge(api, store, connection);
    await flush();
    connection.set('reconnecting');
    connection.set('open');
    await flush();
    expect(store.getState().servers.order).toEqual(['a', 'c']);
  });
});

describe('bridge: relays and the in-app relay server', () => {
  it('loads the saved relays and the relay settings, then follows their events', async () => {
    const { api, emit } = fakeApi([[]], [relay('r1')]);
    const store = createAppStore();
    initBridge(api, store);
    await flush();
    expect(store.getState().relays.order).toEqual(['r1']);
    expect(store.getState().relayServer.settings?.config.bind.port).toBe(9015);
    expect(store.getState().relayServer.status).toEqual(stopped);
    emit('relays-changed', [relay('r1', { state: 'ready' })]);
    expect(store.getState().relays.entries.r1?.state).toBe('ready');
    const running: RelayServerStatus = { ...stopped, running: true, listening: '127.0.0.1:9015', startedAt: 5 };
    emit('relay-server', running);
    const before = store.getState().relayServer;
    expect(before.status?.listening).toBe('127.0.0.1:9015');
    // The once-a-second push with nothing new keeps the same state object (no re-render).
    emit('relay-server', { ...running });
    expect(store.getState().relayServer).toBe(before);
  });

  it('still loads everything else when relays.list fails, and says why the relays are missing', async () => {
    const { api } = fakeApi([[]], new Error('Unknown method relays.list'));
    const store = createAppStore();
    initBridge(api, store);
    await flush();
    expect(store.getState().loaded).toBe(true);
    expect(store.getState().relays.error).toMatch(/Could not load relays: Unknown method/);
  });
});

describe('bridge: snapshots and events that race them', () => {
  it('asks again when an event of the same stream arrived while the list call was in flight', async () => {
    const epoch = { value: 0 };
    const answers = [['old'], ['new']];
    let calls = 0;
    const got = await freshSnapshot(epoch, async () => {
      const answer = answers[calls++]!;
      // The host emitted a change before it sent this (first) answer.
      if (calls === 1) epoch.value++;
      return answer;
    });
    expect(got).toEqual(['new']);
    expect(calls).toBe(2);
  });

  it('takes the answer after a few tries when events keep coming', async () => {
    const epoch = { value: 0 };
    let calls = 0;
    const got = await freshSnapshot(epoch, async () => {
      epoch.value++;
      return ++calls;
    });
    expect(got).toBe(3);
  });

  it('does not let a stale rules.list undo a rules-changed event that came first', async () => {
    const { api, emit } = fakeApi([[]]);
    const rule: Rule = { id: 'r', type: 'socks', name: 'px', enabled: false, autoStart: true, tags: [], listen: { host: '127.0.0.1', port: 1080 }, socks: { hasPassword: false, connectTimeoutMs: 1000 } };
    let lists = 0;
    (api.rules as { list: () => Promise<unknown[]> }).list = async () => {
      lists++;
      if (lists === 1) {
        emit('rules-changed', [rule]);
        return [];
      }
      return [{ rule, status: { id: 'r', state: 'stopped', since: 1 }, stats: { bytesIn: 0, bytesOut: 0, rateIn: 0, rateOut: 0, activeConnections: 0, totalConnections: 0 } }];
    };
    const store = createAppStore();
    initBridge(api, store);
    await flush();
    await flush();
    expect(store.getState().order).toEqual(['r']);
  });
});
