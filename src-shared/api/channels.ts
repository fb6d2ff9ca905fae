// Channel names, dependency-free so the sandboxed preload can bundle them. `satisfies` in
// contract.ts keeps these lists and the typed maps in lock-step.

export const METHOD_NAMES = [
  'app.info',
  'rules.list',
  'rules.create',
  'rules.update',
  'rules.remove',
  'rules.setEnabled',
  'rules.setGroupEnabled',
  'rules.setSocksPassword',
  'logs.query',
  'connections.list',
  'connections.close',
  'connections.watch',
  'servers.list',
  'servers.create',
  'servers.update',
  'servers.remove',
  'hostKeys.answer',
  'relays.list',
  'relays.create',
  'relays.update',
  'relays.remove',
  'relays.trust',
  'relayServer.settings',
  'relayServer.configure',
  'relayServer.start',
  'relayServer.stop',
  'relayServer.status',
  'imports.preview',
  'imports.apply',
  'imports.undo',
  'imports.claim',
  'imports.relayConfig',
  'exports.build',
  'settings.get',
  'settings.update',
  'traffic.summary',
  'traffic.recent',
  'ports.check',
  'inspector.list',
  'inspector.get',
  'inspector.replay',
  'inspector.clear',
] as const;

export const EVENT_NAMES = ['rule-state', 'rules-changed', 'stats', 'log', 'servers-changed', 'host-key-prompt', 'connections', 'relays-changed', 'relay-server', 'import-preview', 'settings-changed', 'inspector'] as const;

export type MethodName = (typeof METHOD_NAMES)[number];
export type EventName = (typeof EVENT_NAMES)[number];

/** IPC channel used for a method (Electron) — one fixed channel per method, no generic invoke. */
export function ipcChannel(method: MethodName): string {
  return `porthole:${method}`;
}

export function ipcEventChannel(event: EventName): string {
  return `porthole-event:${event}`;
}
