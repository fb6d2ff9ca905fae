import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AppInfo } from '../../src-shared/api/contract';
import type { HostKeyPrompt } from '../../src-shared/model/ssh';
import type { ConnectionState } from '../api/ws-transport';
import { defaultLogFilter, emptyLogs, type LogFilter, type LogsState } from './logs';
import { emptyRulesState, type RulesState } from './reducers';
import { emptyRelayServer, emptyRelays, type RelayServerState, type RelaysState } from './relays';
import { emptyServers, type ServersState } from './servers';

export type DialogState =
  | { kind: 'none' }
  | { kind: 'create' }
  | { kind: 'edit'; id: string }
  | { kind: 'delete'; id: string }
  | { kind: 'server-create' }
  | { kind: 'server-edit'; id: string }
  | { kind: 'server-delete'; id: string }
  | { kind: 'relay-create' }
  | { kind: 'relay-edit'; id: string }
  | { kind: 'relay-delete'; id: string }
  | { kind: 'relay-trust'; id: string; fingerprint: string };

export interface Notice {
  kind: 'error' | 'info';
  text: string;
}

export type MainView = 'mappings' | 'dashboard' | 'connections' | 'inspector' | 'servers' | 'relay' | 'settings';

export interface ConnectionFilter {
  /** Matches a mapping name or a client address, case-insensitive. */
  text: string;
  /** One mapping's id, or '' for all. */
  ruleId: string;
}

export interface UiState {
  view: MainView;
  connectionFilter: ConnectionFilter;
  dialog: DialogState;
  selectedId: string | null;
  /**
   * The log panel, open or folded to a one-line strip, as the user left it in each view; a view not in
   * here has the default (open on Mappings only: elsewhere it hid what the view shows, issue 18).
   */
  logOpenIn: Partial<Record<MainView, boolean>>;
  logFilter: LogFilter;
  notice: Notice | null;
}

export interface AppState extends RulesState {
  logs: LogsState;
  info: AppInfo | null;
  /** `local`: the desktop app's IPC, which has no connection to lose. */
  connection: ConnectionState | 'local';
  loaded: boolean;
  loadError: string | null;
  /** Every rule name this window has seen, kept after a rule is deleted so its log lines stay readable. */
  ruleNames: Record<string, string>;
  servers: ServersState;
  /** Saved relays that relay-expose mappings go through. */
  relays: RelaysState;
  /** The relay server run in this app (the Relay view). */
  relayServer: RelayServerState;
  /** Unknown host keys waiting for the user, oldest first (shown one at a time). */
  hostKeyPrompts: readonly HostKeyPrompt[];
  ui: UiState;
}

export function initialAppState(): AppState {
  return {
    ...emptyRulesState(),
    logs: emptyLogs(),
    info: null,
    connection: 'connecting',
    loaded: false,
    loadError: null,
    ruleNames: {},
    servers: emptyServers(),
    relays: emptyRelays(),
    relayServer: emptyRelayServer(),
    hostKeyPrompts: [],
    ui: {
      view: 'mappings',
      connectionFilter: { text: '', ruleId: '' },
      dialog: { kind: 'none' },
      selectedId: null,
      logOpenIn: {},
      logFilter: defaultLogFilter(),
      notice: null,
    },
  };
}

export type AppStore = StoreApi<AppState>;

export function createAppStore(): AppStore {
  const store = createStore<AppState>()(() => initialAppState());
  store.subscribe((s, prev) => {
    if (s.rules === prev.rules) return;
    const added = Object.values(s.rules).filter((r) => s.ruleNames[r.id] !== r.name);
    if (added.length === 0) return;
    const ruleNames = { ...s.ruleNames };
    for (const r of added) ruleNames[r.id] = r.name;
    store.setState({ ruleNames });
  });
  return store;
}

/** The one store of this window. Tests build their own with createAppStore(). */
export const appStore: AppStore = createAppStore();

export function useApp<T>(selector: (s: AppState) => T): T {
  return useStore(appStore, selector);
}

export function setUi(patch: Partial<UiState>): void {
  appStore.setState((s) => ({ ui: { ...s.ui, ...patch } }));
}

/** Whether the log panel is open in the current view. */
export function logOpen(ui: Pick<UiState, 'view' | 'logOpenIn'>): boolean {
  return ui.logOpenIn[ui.view] ?? ui.view === 'mappings';
}

/** Opens or folds the log panel in the current view. */
export function setLogOpen(open: boolean): void {
  appStore.setState((s) => ({ ui: { ...s.ui, logOpenIn: { ...s.ui.logOpenIn, [s.ui.view]: open } } }));
}

export function openDialog(dialog: DialogState): void {
  setUi({ dialog });
}

export function closeDialog(): void {
  setUi({ dialog: { kind: 'none' } });
}

export function showView(view: MainView): void {
  setUi({ view });
}

/** The "N open" link of a mapping row: the Connections view, filtered on that mapping. */
export function showConnectionsOf(ruleId: string): void {
  setUi({ view: 'connections', connectionFilter: { text: '', ruleId } });
}

export function setLogFilter(patch: Partial<LogFilter>): void {
  appStore.setState((s) => ({ ui: { ...s.ui, logFilter: { ...s.ui.logFilter, ...patch } } }));
}

/** A mapping's "Logs" action: opens the log panel on that mapping's lines (levels kept, search cleared). */
export function openLogsFor(ruleId: string): void {
  appStore.setState((s) => ({ ui: { ...s.ui, logOpenIn: { ...s.ui.logOpenIn, [s.ui.view]: true }, logFilter: { ...s.ui.logFilter, ruleId, text: '' } } }));
}

export function setConnectionFilter(patch: Partial<ConnectionFilter>): void {
  appStore.setState((s) => ({ ui: { ...s.ui, connectionFilter: { ...s.ui.connectionFilter, ...patch } } }));
}

export function showNotice(notice: Notice | null): void {
  setUi({ notice });
}
