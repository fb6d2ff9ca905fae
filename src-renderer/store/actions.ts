import type { LocalRelayConfigInput, LocalRelaySettings, PortholeApi, RuleEntry } from '../../src-shared/api/contract';
import type { RelayEntry, RelayInput, RelayServerStatus } from '../../src-shared/model/relay';
import type { ConnectionRow } from '../../src-shared/model/connection';
import type { LogEntry, LogQuery } from '../../src-shared/model/log';
import type { RuleDraft } from '../../src-shared/model/rule';
import type { SshServerEntry, SshServerInput } from '../../src-shared/model/ssh';
import { t } from '../i18n/i18n';
import { translateMessage } from '../i18n/messages';
import type { AppStore } from './app-store';
import { applyStatus, removeRule, upsertEntry } from './reducers';
import { applyRelayServerSettings, applyRelayServerStatus, removeRelay, upsertRelay } from './relays';
import { dequeuePrompt, removeServer, upsertServer } from './servers';
import { createImportActions, type ImportActions } from './import-actions';
import { importStore } from './imports';

export type HostKeyDecision = 'once' | 'always' | 'reject';

export interface Actions {
  /** Flips the switch at once and puts it back if the host refuses. */
  setEnabled(id: string, enabled: boolean): Promise<void>;
  /** Every rule of a group on or off (switches flip at once, put back if the host refuses). */
  setGroupEnabled(group: string, enabled: boolean): Promise<void>;
  /** Log lines kept by the host (e.g. one rule's, for the mapping detail pane). */
  queryLogs(q: LogQuery): Promise<LogEntry[]>;
  create(draft: RuleDraft): Promise<RuleEntry>;
  update(id: string, draft: RuleDraft): Promise<RuleEntry>;
  /** Write-only SOCKS password ('' removes it). */
  setSocksPassword(id: string, password: string): Promise<RuleEntry>;
  remove(id: string): Promise<void>;
  /** Live connections of every rule (the Connections view polls this; there is no push event). */
  listConnections(): Promise<ConnectionRow[]>;
  /** Ask the host for the `connections` event (per window), or stop. */
  watchConnections(watch: boolean): Promise<void>;
  onConnections(cb: (rows: ConnectionRow[]) => void): () => void;
  closeConnection(ruleId: string, id: number): Promise<{ closed: boolean }>;
  createServer(input: SshServerInput): Promise<SshServerEntry>;
  updateServer(id: string, input: SshServerInput): Promise<SshServerEntry>;
  /** The host refuses (CONFLICT) while a mapping uses the server. */
  removeServer(id: string): Promise<void>;
  createRelay(input: RelayInput): Promise<RelayEntry>;
  updateRelay(id: string, input: RelayInput): Promise<RelayEntry>;
  /** The host refuses (CONFLICT) while a mapping uses the relay. */
  removeRelay(id: string): Promise<void>;
  /** Pins a relay certificate fingerprint the person compared. */
  trustRelay(id: string, fingerprint: string): Promise<RelayEntry>;
  /** Saves the in-app relay's settings (tokens: agent name → new token, '' deletes). */
  configureRelayServer(config: LocalRelayConfigInput, tokens?: Record<string, string>): Promise<LocalRelaySettings>;
  /** Starts the in-app relay; a failure to listen comes back in the status's `error`. */
  startRelayServer(): Promise<RelayServerStatus>;
  stopRelayServer(): Promise<RelayServerStatus>;
  /** Answers a host-key prompt and takes it off the queue, whatever the host says. */
  answerHostKey(promptId: string, decision: HostKeyDecision): Promise<void>;
  /** Takes an informative prompt (a changed key) off the queue without answering. */
  dismissHostKey(promptId: string): void;
  /** Import previews, apply and undo, and exports (their UI state lives in the import store). */
  imports: ImportActions;
  /** Whether a listen address is free (the rule editor asks as the person types). */
  checkPort: PortholeApi['ports']['check'];
  /** The HTTP inspector's calls and its event (the Inspector view keeps its own store). */
  inspector: PortholeApi['inspector'] & { onEvent: PortholeApi['on']['inspector'] };
}

/** The error's message, in the UI language where it is a known one. */
function errorText(err: unknown): string {
  return translateMessage(err instanceof Error ? err.message : String(err));
}

export function createActions(api: PortholeApi, store: AppStore): Actions {
  function setRuleEnabled(id: string, enabled: boolean): void {
    store.setState((s) => {
      const rule = s.rules[id];
      return rule && rule.enabled !== enabled ? { rules: { ...s.rules, [id]: { ...rule, enabled } } } : s;
    });
  }
  return {
    async setEnabled(id, enabled) {
      const name = store.getState().rules[id]?.name ?? id;
      setRuleEnabled(id, enabled);
      try {
        const status = await api.rules.setEnabled(id, enabled);
        store.setState((s) => ({ statuses: applyStatus(s.statuses, status) }));
      } catch (err) {
        setRuleEnabled(id, !enabled);
        store.setState((s) => ({
          ui: { ...s.ui, notice: { kind: 'error', text: t(enabled ? 'shell.notice.couldNotStart' : 'shell.notice.couldNotStop', { name, error: errorText(err) }) } },
        }));
      }
    },
    async setGroupEnabled(group, enabled) {
      const before = store.getState().rules;
      const ids = Object.values(before).filter((r) => r.group === group && r.enabled !== enabled).map((r) => r.id);
      for (const id of ids) setRuleEnabled(id, enabled);
      try {
        const statuses = await api.rules.setGroupEnabled(group, enabled);
        store.setState((s) => ({ statuses: statuses.reduce(applyStatus, s.statuses) }));
      } catch (err) {
        for (const id of ids) setRuleEnabled(id, !enabled);
        store.setState((s) => ({
          ui: {
            ...s.ui,
            notice: { kind: 'error', text: t(enabled ? 'shell.notice.couldNotStartGroup' : 'shell.notice.couldNotStopGroup', { group, error: errorText(err) }) },
          },
        }));
      }
    },
    queryLogs: (q) => api.logs.query(q),
    async create(draft) {
      const entry = await api.rules.create(draft);
      store.setState((s) => upsertEntry(s, entry));
      return entry;
    },
    async update(id, draft) {
      const entry = await api.rules.update(id, draft);
      store.setState((s) => upsertEntry(s, entry));
      return entry;
    },
    async setSocksPassword(id, password) {
      const entry = await api.rules.setSocksPassword(id, password);
      store.setState((s) => upsertEntry(s, entry));
      return entry;
    },
    async remove(id) {
      await api.rules.remove(id);
      store.setState((s) => removeRule(s, id));
    },
    listConnections: () => api.connections.list(),
    async watchConnections(watch) {
      await api.connections.watch(watch);
    },
    onConnections: (cb) => api.on.connections(cb),
    closeConnection: (ruleId, id) => api.connections.close(ruleId, id),
    async createServer(input) {
      const entry = await api.servers.create(input);
      store.setState((s) => ({ servers: upsertServer(s.servers, entry) }));
      return entry;
    },
    async updateServer(id, input) {
      const entry = await api.servers.update(id, input);
      store.setState((s) => ({ servers: upsertServer(s.servers, entry) }));
      return entry;
    },
    async removeServer(id) {
      await api.servers.remove(id);
      store.setState((s) => ({ servers: removeServer(s.servers, id) }));
    },
    async createRelay(input) {
      const entry = await api.relays.create(input);
      store.setState((s) => ({ relays: upsertRelay(s.relays, entry) }));
      return entry;
    },
    async updateRelay(id, input) {
      const entry = await api.relays.update(id, input);
      store.setState((s) => ({ relays: upsertRelay(s.relays, entry) }));
      return entry;
    },
    async removeRelay(id) {
      await api.relays.remove(id);
      store.setState((s) => ({ relays: removeRelay(s.relays, id) }));
    },
    async trustRelay(id, fingerprint) {
      const entry = await api.relays.trust(id, fingerprint);
      store.setState((s) => ({ relays: upsertRelay(s.relays, entry) }));
      return entry;
    },
    async configureRelayServer(config, tokens) {
      const settings = await api.relayServer.configure(config, tokens);
      store.setState((s) => ({ relayServer: applyRelayServerSettings(s.relayServer, settings) }));
      return settings;
    },
    async startRelayServer() {
      const status = await api.relayServer.start();
      store.setState((s) => ({ relayServer: applyRelayServerStatus(s.relayServer, status) }));
      return status;
    },
    async stopRelayServer() {
      const status = await api.relayServer.stop();
      store.setState((s) => ({ relayServer: applyRelayServerStatus(s.relayServer, status) }));
      return status;
    },
    async answerHostKey(promptId, decision) {
      const dequeue = () => store.setState((s) => ({ hostKeyPrompts: dequeuePrompt(s.hostKeyPrompts, promptId) }));
      try {
        await api.hostKeys.answer(promptId, decision);
        dequeue();
      } catch (err) {
        dequeue();
        store.setState((s) => ({ ui: { ...s.ui, notice: { kind: 'error', text: t('shell.notice.couldNotAnswerHostKey', { error: errorText(err) }) } } }));
      }
    },
    dismissHostKey(promptId) {
      store.setState((s) => ({ hostKeyPrompts: dequeuePrompt(s.hostKeyPrompts, promptId) }));
    },
    imports: createImportActions(api, importStore),
    checkPort: (input) => api.ports.check(input),
    inspector: { ...api.inspector, onEvent: (cb) => api.on.inspector(cb) },
  };
}
