import type { PortholeApi } from '../../src-shared/api/contract';
import type { ReadonlySignal } from '../lib/signal';
import type { ConnectionState } from '../api/ws-transport';
import type { AppStore } from './app-store';
import { LOG_QUERY_MAX_LIMIT } from '../../src-shared/model/log';
import { appendLogs } from './logs';
import { applyEntries, applyRulesChanged, applyStatsBatch, applyStatus } from './reducers';
import { applyRelayEntries, applyRelayServerSettings, applyRelayServerStatus } from './relays';
import { applyServerEntries, enqueuePrompt } from './servers';

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Counts the events of one stream, to tell whether a snapshot fetched meanwhile may be older than them. */
export interface Epoch {
  value: number;
}

const SNAPSHOT_ATTEMPTS = 3;

/**
 * Fetches a snapshot (a list call). An event of the same stream that arrives while the call is in
 * flight may be newer than the answer — the host can emit it before it sends the answer — so the
 * answer is fetched again then; after a few tries it is taken as it is.
 */
export async function freshSnapshot<T>(epoch: Epoch, fetch: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const before = epoch.value;
    const value = await fetch();
    if (epoch.value === before || attempt >= SNAPSHOT_ATTEMPTS) return value;
  }
}

/**
 * Wires the API into the store, once, outside React: loads the rule list, the SSH servers, the relays,
 * the in-app relay server and recent logs, then follows the event streams. In browser mode it reloads after every reconnect, since events
 * sent while the socket was down are lost. Returns a disposer.
 */
export function initBridge(api: PortholeApi, store: AppStore, connection?: ReadonlySignal<ConnectionState>): () => void {
  let disposed = false;
  let loadSerial = 0;
  const rulesEpoch: Epoch = { value: 0 };
  const serversEpoch: Epoch = { value: 0 };
  const relaysEpoch: Epoch = { value: 0 };
  const relayServerEpoch: Epoch = { value: 0 };

  /** Apart from the rules, so a host without SSH support (or a failing servers.list) still shows the mappings. */
  async function loadServers(serial: number): Promise<void> {
    try {
      const entries = await freshSnapshot(serversEpoch, () => api.servers.list());
      if (disposed || serial !== loadSerial) return;
      store.setState((s) => ({ servers: applyServerEntries(s.servers, entries) }));
    } catch (err) {
      if (disposed || serial !== loadSerial) return;
      store.setState((s) => ({ servers: { ...s.servers, error: `Could not load SSH servers: ${describeError(err)}` } }));
    }
  }

  async function loadRelays(serial: number): Promise<void> {
    try {
      const entries = await freshSnapshot(relaysEpoch, () => api.relays.list());
      if (disposed || serial !== loadSerial) return;
      store.setState((s) => ({ relays: applyRelayEntries(s.relays, entries) }));
    } catch (err) {
      if (disposed || serial !== loadSerial) return;
      store.setState((s) => ({ relays: { ...s.relays, error: `Could not load relays: ${describeError(err)}` } }));
    }
  }

  async function loadRelayServer(serial: number): Promise<void> {
    try {
      const settings = await api.relayServer.settings();
      const status = await freshSnapshot(relayServerEpoch, () => api.relayServer.status());
      if (disposed || serial !== loadSerial) return;
      store.setState((s) => ({ relayServer: applyRelayServerStatus(applyRelayServerSettings(s.relayServer, settings), status) }));
    } catch (err) {
      if (disposed || serial !== loadSerial) return;
      store.setState((s) => ({ relayServer: { ...s.relayServer, error: `Could not load the relay settings: ${describeError(err)}` } }));
    }
  }

  async function load(): Promise<void> {
    const serial = ++loadSerial;
    void loadServers(serial);
    void loadRelays(serial);
    void loadRelayServer(serial);
    try {
      const [info, entries, logs] = await Promise.all([
        api.app.info(),
        freshSnapshot(rulesEpoch, () => api.rules.list()),
        api.logs.query({ limit: LOG_QUERY_MAX_LIMIT }),
      ]);
      if (disposed || serial !== loadSerial) return;
      store.setState((s) => ({
        ...applyEntries(s, entries),
        logs: appendLogs(s.logs, logs),
        info,
        loaded: true,
        loadError: null,
      }));
    } catch (err) {
      if (disposed || serial !== loadSerial) return;
      store.setState({ loadError: `Could not load mappings from the Porthole host: ${describeError(err)}` });
    }
  }

  const offs = [
    api.on.ruleState((status) => {
      rulesEpoch.value++;
      store.setState((s) => ({ statuses: applyStatus(s.statuses, status) }));
    }),
    api.on.rulesChanged((rules) => {
      rulesEpoch.value++;
      store.setState((s) => applyRulesChanged(s, rules));
    }),
    api.on.stats((batch) =>
      store.setState((s) => {
        const next = applyStatsBatch(s, batch, { has: (id) => s.rules[id] !== undefined });
        return next === s ? s : next;
      }),
    ),
    api.on.serversChanged((entries) => {
      serversEpoch.value++;
      store.setState((s) => ({ servers: applyServerEntries(s.servers, entries) }));
    }),
    api.on.relaysChanged((entries) => {
      relaysEpoch.value++;
      store.setState((s) => {
        const relays = applyRelayEntries(s.relays, entries);
        return relays === s.relays ? s : { relays };
      });
    }),
    api.on.relayServer((status) => {
      relayServerEpoch.value++;
      store.setState((s) => {
        const relayServer = applyRelayServerStatus(s.relayServer, status);
        return relayServer === s.relayServer ? s : { relayServer };
      });
    }),
    api.on.hostKeyPrompt((prompt) =>
      store.setState((s) => {
        const hostKeyPrompts = enqueuePrompt(s.hostKeyPrompts, prompt);
        return hostKeyPrompts === s.hostKeyPrompts ? s : { hostKeyPrompts };
      }),
    ),
    api.on.log((lines) =>
      store.setState((s) => {
        const logs = appendLogs(s.logs, lines);
        return logs === s.logs ? s : { logs };
      }),
    ),
  ];

  if (connection) {
    let previous = connection.get();
    store.setState({ connection: previous });
    offs.push(
      connection.subscribe((state) => {
        store.setState({ connection: state });
        if (state === 'open' && previous !== 'open' && previous !== 'connecting') void load();
        previous = state;
      }),
    );
  } else {
    store.setState({ connection: 'local' });
  }
  void load();

  return () => {
    disposed = true;
    for (const off of offs) off();
  };
}
