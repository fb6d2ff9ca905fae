import { ApiError } from '../model/errors';
import type { EventName, MethodName } from './channels';
import type { ApiEvents, Envelope, MethodInput, MethodOutput, PortholeApi, PreloadBridge, Unsubscribe } from './contract';

/** The two things any transport (Electron IPC, WebSocket) must provide. */
export interface ApiTransport {
  invoke(method: MethodName, input: unknown): Promise<Envelope<unknown>>;
  subscribe(event: EventName, listener: (payload: unknown) => void): Unsubscribe;
}

/** Builds the named-function API over a transport; failures become thrown `ApiError`s. */
export function createApiClient(t: ApiTransport): PortholeApi {
  async function call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
    const env = await t.invoke(method, input);
    if (!env.ok) throw new ApiError(env.error);
    return env.value as MethodOutput<M>;
  }
  function on<E extends EventName>(event: E) {
    return (cb: (p: ApiEvents[E]) => void): Unsubscribe => t.subscribe(event, (p) => cb(p as ApiEvents[E]));
  }
  return {
    app: { info: () => call('app.info', undefined) },
    rules: {
      list: () => call('rules.list', undefined),
      create: (draft) => call('rules.create', draft),
      update: (id, rule) => call('rules.update', { id, rule }),
      remove: (id) => call('rules.remove', { id }),
      setEnabled: (id, enabled) => call('rules.setEnabled', { id, enabled }),
      setGroupEnabled: (group, enabled) => call('rules.setGroupEnabled', { group, enabled }),
      setSocksPassword: (id, password) => call('rules.setSocksPassword', { id, password }),
    },
    logs: { query: (q) => call('logs.query', q) },
    connections: {
      list: (ruleId) => call('connections.list', ruleId === undefined ? undefined : { ruleId }),
      close: (ruleId, id) => call('connections.close', { ruleId, id }),
      watch: (watch) => call('connections.watch', { watch }),
    },
    servers: {
      list: () => call('servers.list', undefined),
      create: (input) => call('servers.create', input),
      update: (id, input) => call('servers.update', { id, ...input }),
      remove: (id) => call('servers.remove', { id }),
    },
    hostKeys: { answer: (promptId, decision) => call('hostKeys.answer', { promptId, decision }) },
    relays: {
      list: () => call('relays.list', undefined),
      create: (input) => call('relays.create', input),
      update: (id, input) => call('relays.update', { id, ...input }),
      remove: (id) => call('relays.remove', { id }),
      trust: (id, fingerprint) => call('relays.trust', { id, fingerprint }),
    },
    imports: {
      preview: (sources) => call('imports.preview', { sources }),
      apply: (input) => call('imports.apply', input),
      undo: () => call('imports.undo', undefined),
      claim: (ids) => call('imports.claim', ids ? { ids } : {}),
      relayConfig: (previewId, file) => call('imports.relayConfig', { previewId, file }),
    },
    exports: { build: (req) => call('exports.build', req) },
    settings: { get: () => call('settings.get', undefined), update: (patch) => call('settings.update', patch) },
    traffic: { summary: () => call('traffic.summary', undefined), recent: () => call('traffic.recent', undefined) },
    ports: { check: (input) => call('ports.check', input) },
    inspector: {
      list: (q) => call('inspector.list', q),
      get: (id) => call('inspector.get', { id }),
      replay: (id, edit) => call('inspector.replay', edit ? { id, edit } : { id }),
      clear: (ruleId) => call('inspector.clear', ruleId === undefined ? {} : { ruleId }),
    },
    relayServer: {
      settings: () => call('relayServer.settings', undefined),
      configure: (config, tokens) => call('relayServer.configure', tokens ? { config, tokens } : { config }),
      start: () => call('relayServer.start', undefined),
      stop: () => call('relayServer.stop', undefined),
      status: () => call('relayServer.status', undefined),
    },
    on: {
      relaysChanged: on('relays-changed'),
      relayServer: on('relay-server'),
      importPreview: on('import-preview'),
      settingsChanged: on('settings-changed'),
      serversChanged: on('servers-changed'),
      hostKeyPrompt: on('host-key-prompt'),
      connections: on('connections'),
      ruleState: on('rule-state'),
      rulesChanged: on('rules-changed'),
      stats: on('stats'),
      log: on('log'),
      inspector: on('inspector'),
    },
  };
}

/** A transport over the preload's named functions (desktop app). */
export function bridgeTransport(bridge: PreloadBridge): ApiTransport {
  return {
    invoke: (method, input) => (bridge[method] as (i: unknown) => Promise<Envelope<unknown>>)(input),
    subscribe: (event, listener) => (bridge.on[event] as (l: (p: unknown) => void) => Unsubscribe)(listener),
  };
}
