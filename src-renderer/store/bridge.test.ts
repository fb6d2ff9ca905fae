import { describe, expect, it } from 'vitest';
import type { ApiEvents, PortholeApi, Unsubscribe } from '../../src-shared/api/contract';
import type { HostKeyPrompt, SshServerEntry } from '../../src-shared/model/ssh';
import { createSignal } from '../lib/signal';
import type { ConnectionState } from '../api/ws-transport';
import { createAppStore } from './app-store';
import { initBridge } from './bridge';

type Listeners = { [K in keyof ApiEvents]?: ((p: ApiEvents[K]) => void)[] };

const entry = (id: string): SshServerEntry => ({
  server: { id, name: id, host: 'h', port: 22, user: 'u', auth: { method: 'agent' }, jump: [], keepaliveIntervalMs: 15_000, keepaliveCountMax: 3, hostKeyPolicy: 'ask' },
  state: 'idle',
  usedBy: [],
});

/** Just enough of the API for the bridge; servers.list answers from `serverLists` in turn, or fails like an older host. */
function fakeApi(serverLists: (SshServerEntry[] | Error)[]) {
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
    on: {
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
