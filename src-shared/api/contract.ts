import type { ConnectionRow } from '../model/connection';
import type { ExportOutput, ExportRequest, ImportApplyInput, ImportOutcome, ImportPreview, ImportRelayConfig, ImportSource, ImportUndoOutcome } from '../model/import';
import type { RecentTraffic, RuleTraffic, SettingsUpdate, SettingsView } from '../model/settings';
import type { LocalRelayConfig, RelayEntry, RelayInput, RelayServerStatus } from '../model/relay';
import type { HostKeyPrompt, SshServerEntry, SshServerInput } from '../model/ssh';
import type { ApiErrorData } from '../model/errors';
import type { LogEntry, LogQuery } from '../model/log';
import type { PortCheck, PortCheckInput } from '../model/ports';
import type { ExchangeDetail, InspectorEvent, InspectorList, InspectorListQuery, ReplayEdit } from '../model/inspector';
import type { Rule, RuleDraft } from '../model/rule';
import type { RouterMethod } from '../model/router';
import type { RuleStats, StatsBatch } from '../model/stats';
import type { RuleStatus } from '../model/status';
import type { EventName, MethodName } from './channels';

export type HostMode = 'desktop' | 'browser';

export interface AppInfo {
  name: string;
  version: string;
  mode: HostMode;
  dataDir: string;
  /** Which persistence engine holds the rules (`electron-store` or `conf`). */
  storeBackend: string;
  platform: string;
  /** Where passwords and passphrases are kept, in words (OS keychain, or a 0600 file). */
  secretsBackend: string;
  /** Set when the store file was unreadable at start and was moved aside. */
  storeRecovery?: { movedTo: string; reason: string };
  /** This host's IPv4 LAN addresses: what a mapping opened on the router must listen on. */
  lanAddresses?: string[];
}

/** A rule as the UI shows it: the saved definition, its live state and its counters. */
export interface RuleEntry {
  rule: Rule;
  status: RuleStatus;
  stats: RuleStats;
}

/** Methods: name → [input, output]. Inputs are validated in src-main/api with ./schemas. */
export interface ApiMethods {
  'app.info': [void, AppInfo];
  'rules.list': [void, RuleEntry[]];
  'rules.create': [RuleDraft, RuleEntry];
  'rules.update': [{ id: string; rule: RuleDraft }, RuleEntry];
  'rules.remove': [{ id: string }, { removed: true }];
  'rules.setEnabled': [{ id: string; enabled: boolean }, RuleStatus];
  'rules.setGroupEnabled': [{ group: string; enabled: boolean }, RuleStatus[]];
  /** Write-only: sets (or with '' removes) the RFC 1929 password of a SOCKS rule; it restarts with it. */
  'rules.setSocksPassword': [{ id: string; password: string }, RuleEntry];
  'logs.query': [LogQuery | undefined, LogEntry[]];
  'connections.list': [{ ruleId?: string } | undefined, ConnectionRow[]];
  'connections.close': [{ ruleId: string; id: number }, { closed: boolean }];
  /** Start or stop receiving the `connections` event (per window / browser tab). */
  'connections.watch': [{ watch: boolean }, { watching: boolean }];
  'servers.list': [void, SshServerEntry[]];
  'servers.create': [SshServerInput, SshServerEntry];
  'servers.update': [{ id: string } & SshServerInput, SshServerEntry];
  'servers.remove': [{ id: string }, { removed: true }];
  'hostKeys.answer': [{ promptId: string; decision: 'once' | 'always' | 'reject' }, { answered: boolean }];
  'relays.list': [void, RelayEntry[]];
  'relays.create': [RelayInput, RelayEntry];
  'relays.update': [{ id: string } & RelayInput, RelayEntry];
  'relays.remove': [{ id: string }, { removed: true }];
  /** Pin this certificate fingerprint (after comparing it with the one the relay printed). */
  'relays.trust': [{ id: string; fingerprint: string }, RelayEntry];
  'relayServer.settings': [void, LocalRelaySettings];
  /** Saves the in-app relay's settings; tokens: agent name → new token ('' deletes). Restarts it if running. */
  'relayServer.configure': [{ config: LocalRelayConfigInput; tokens?: Record<string, string> }, LocalRelaySettings];
  'relayServer.start': [void, RelayServerStatus];
  'relayServer.stop': [void, RelayServerStatus];
  'relayServer.status': [void, RelayServerStatus];
  /**
   * Parses dropped/pasted files; nothing changes until imports.apply. Sources are text: an ssh_config's
   * Include is never followed here (only for files the host reads by path). Each rule item says where it
   * would listen (listenAt) and whether other machines could reach it (offLoopback).
   */
  'imports.preview': [{ sources: ImportSource[] }, ImportPreview];
  /** All or nothing; decisions override each item's default action. Mappings arrive switched off unless `start: true` (refused for a porthole:// link). */
  'imports.apply': [ImportApplyInput, ImportOutcome];
  'imports.undo': [void, ImportUndoOutcome];
  /**
   * Takes the previews the host started (links, opened files, tray drops) that no window has taken
   * yet — those named, or all — so a window that subscribed late still shows them, once.
   */
  'imports.claim': [{ ids?: string[] }, ImportPreview[]];
  /** For a previewed frpc / rathole file: the config of the Porthole relay that replaces frps or rathole's server there. */
  'imports.relayConfig': [{ previewId: string; file: number }, ImportRelayConfig];
  'exports.build': [ExportRequest, ExportOutput];
  'settings.get': [void, SettingsView];
  'settings.update': [SettingsUpdate, SettingsView];
  /** Per-rule traffic kept on this machine: today, this week (since Monday), all time. */
  'traffic.summary': [void, RuleTraffic[]];
  /** Total rate over the last 15 minutes, one point per stats tick. */
  'traffic.recent': [void, RecentTraffic];
  /** Whether a listen address is free now, who holds it, and a free port near it (the rule editor, as you type). */
  'ports.check': [PortCheckInput, PortCheck];
  /** Recorded HTTP exchanges (oldest first) of the mappings with "Inspect HTTP" on, and what the inspector noticed. */
  'inspector.list': [InspectorListQuery | undefined, InspectorList];
  /** One exchange with its heads and bodies (base64; a Content-Encoding decoded for display). */
  'inspector.get': [{ id: number }, ExchangeDetail];
  /** Sends an exchange's request again to its mapping's target (as recorded, or edited); the new exchange is marked `replayOf`. */
  'inspector.replay': [{ id: number; edit?: ReplayEdit }, ExchangeDetail];
  'inspector.clear': [{ ruleId?: string }, { cleared: true }];
}

export interface LocalRelaySettings {
  config: LocalRelayConfig;
  /** Agent names that have a token stored. */
  withToken: string[];
}

export type LocalRelayConfigInput = {
  bind: { host: string; port: number };
  publicHost?: string;
  tls?: boolean;
  agents?: Array<{ name: string; allowPorts: string; hasToken?: boolean }>;
  router?: { enabled: boolean; protocol?: RouterMethod; leaseSeconds?: number };
};

/** Events pushed host → UI. */
export interface ApiEvents {
  /** Sent at once on every state transition. */
  'rule-state': RuleStatus;
  /** The saved rule set changed (created, edited, removed — from any window, the tray or the CLI). */
  'rules-changed': Rule[];
  /** One batch per tick for all rules. */
  stats: StatsBatch;
  /** Batched log lines. */
  log: LogEntry[];
  /** Saved SSH servers and their live connection state changed. */
  'servers-changed': SshServerEntry[];
  /** An unknown SSH host key needs the user's decision (answer with hostKeys.answer). */
  'host-key-prompt': HostKeyPrompt;
  /** Every live connection, once per stats tick, only while some window watches (connections.watch). */
  connections: ConnectionRow[];
  /** Saved relays and their agent connection state changed. */
  'relays-changed': RelayEntry[];
  /** The in-app relay server's status (on change, and once a second while it runs). */
  'relay-server': RelayServerStatus;
  /** The host started an import (a porthole:// link, a file opened with the app, a drop on the tray icon): show this preview. */
  'import-preview': ImportPreview;
  /** Settings changed (from any window, or the tray). */
  'settings-changed': SettingsView;
  /** New recorded HTTP exchanges (batched), a clear, or a notice (a mapping's traffic is not HTTP). */
  inspector: InspectorEvent;
}

type AssertKeys<A extends string, B extends string> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const methodsInSync: AssertKeys<MethodName, keyof ApiMethods> = true;
export const eventsInSync: AssertKeys<EventName, keyof ApiEvents> = true;

export type MethodInput<M extends MethodName> = ApiMethods[M][0];
export type MethodOutput<M extends MethodName> = ApiMethods[M][1];

/** What a method call returns over any transport: failures travel as data, not as thrown errors. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ApiErrorData };

export type Unsubscribe = () => void;

/** The API the renderer sees — identical in the desktop app (preload) and in browser mode (WebSocket). */
export interface PortholeApi {
  app: { info(): Promise<AppInfo> };
  rules: {
    list(): Promise<RuleEntry[]>;
    create(draft: RuleDraft): Promise<RuleEntry>;
    update(id: string, rule: RuleDraft): Promise<RuleEntry>;
    remove(id: string): Promise<{ removed: true }>;
    setEnabled(id: string, enabled: boolean): Promise<RuleStatus>;
    setGroupEnabled(group: string, enabled: boolean): Promise<RuleStatus[]>;
    setSocksPassword(id: string, password: string): Promise<RuleEntry>;
  };
  logs: { query(q?: LogQuery): Promise<LogEntry[]> };
  connections: {
    /** Live connections (TCP) and sessions (UDP), of one rule or of all. */
    list(ruleId?: string): Promise<ConnectionRow[]>;
    close(ruleId: string, id: number): Promise<{ closed: boolean }>;
    watch(watch: boolean): Promise<{ watching: boolean }>;
  };
  servers: {
    list(): Promise<SshServerEntry[]>;
    create(input: SshServerInput): Promise<SshServerEntry>;
    update(id: string, input: SshServerInput): Promise<SshServerEntry>;
    remove(id: string): Promise<{ removed: true }>;
  };
  hostKeys: { answer(promptId: string, decision: 'once' | 'always' | 'reject'): Promise<{ answered: boolean }> };
  relays: {
    list(): Promise<RelayEntry[]>;
    create(input: RelayInput): Promise<RelayEntry>;
    update(id: string, input: RelayInput): Promise<RelayEntry>;
    remove(id: string): Promise<{ removed: true }>;
    trust(id: string, fingerprint: string): Promise<RelayEntry>;
  };
  imports: {
    preview(sources: ImportSource[]): Promise<ImportPreview>;
    apply(input: ImportApplyInput): Promise<ImportOutcome>;
    undo(): Promise<ImportUndoOutcome>;
    claim(ids?: string[]): Promise<ImportPreview[]>;
    relayConfig(previewId: string, file: number): Promise<ImportRelayConfig>;
  };
  exports: { build(req: ExportRequest): Promise<ExportOutput> };
  settings: { get(): Promise<SettingsView>; update(patch: SettingsUpdate): Promise<SettingsView> };
  traffic: { summary(): Promise<RuleTraffic[]>; recent(): Promise<RecentTraffic> };
  ports: { check(input: PortCheckInput): Promise<PortCheck> };
  inspector: {
    list(q?: InspectorListQuery): Promise<InspectorList>;
    get(id: number): Promise<ExchangeDetail>;
    replay(id: number, edit?: ReplayEdit): Promise<ExchangeDetail>;
    clear(ruleId?: string): Promise<{ cleared: true }>;
  };
  relayServer: {
    settings(): Promise<LocalRelaySettings>;
    configure(config: LocalRelayConfigInput, tokens?: Record<string, string>): Promise<LocalRelaySettings>;
    start(): Promise<RelayServerStatus>;
    stop(): Promise<RelayServerStatus>;
    status(): Promise<RelayServerStatus>;
  };
  on: {
    relaysChanged(cb: (r: ApiEvents['relays-changed']) => void): Unsubscribe;
    relayServer(cb: (s: ApiEvents['relay-server']) => void): Unsubscribe;
    importPreview(cb: (p: ApiEvents['import-preview']) => void): Unsubscribe;
    settingsChanged(cb: (s: ApiEvents['settings-changed']) => void): Unsubscribe;
    serversChanged(cb: (s: ApiEvents['servers-changed']) => void): Unsubscribe;
    hostKeyPrompt(cb: (p: ApiEvents['host-key-prompt']) => void): Unsubscribe;
    connections(cb: (rows: ApiEvents['connections']) => void): Unsubscribe;
    ruleState(cb: (s: ApiEvents['rule-state']) => void): Unsubscribe;
    rulesChanged(cb: (r: ApiEvents['rules-changed']) => void): Unsubscribe;
    stats(cb: (b: ApiEvents['stats']) => void): Unsubscribe;
    log(cb: (l: ApiEvents['log']) => void): Unsubscribe;
    inspector(cb: (e: ApiEvents['inspector']) => void): Unsubscribe;
  };
}

/**
 * What the Electron preload exposes as `window.porthole`: one named function per method, each bound to
 * its own channel and resolving with the envelope (contextBridge rebuilds a thrown error from its message
 * alone, which would lose `code` and `issues`), and one subscribe function per event. The renderer wraps
 * it with `createApiClient(bridgeTransport(window.porthole))`, exactly as browser mode wraps its socket.
 */
export type PreloadBridge = {
  [M in MethodName]: (input: MethodInput<M>) => Promise<Envelope<MethodOutput<M>>>;
} & {
  on: { [E in EventName]: (listener: (payload: ApiEvents[E]) => void) => Unsubscribe };
};
