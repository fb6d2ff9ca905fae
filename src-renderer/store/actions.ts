import type { PortholeApi, RuleEntry } from '../../src-shared/api/contract';
import type { ConnectionRow } from '../../src-shared/model/connection';
import type { RuleDraft } from '../../src-shared/model/rule';
import type { AppStore } from './app-store';
import { applyStatus, removeRule, upsertEntry } from './reducers';

export interface Actions {
  /** Flips the switch at once and puts it back if the host refuses. */
  setEnabled(id: string, enabled: boolean): Promise<void>;
  create(draft: RuleDraft): Promise<RuleEntry>;
  update(id: string, draft: RuleDraft): Promise<RuleEntry>;
  remove(id: string): Promise<void>;
  /** Live connections of every rule (the Connections view polls this; there is no push event). */
  listConnections(): Promise<ConnectionRow[]>;
  closeConnection(ruleId: string, id: number): Promise<{ closed: boolean }>;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
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
          ui: { ...s.ui, notice: { kind: 'error', text: `Could not ${enabled ? 'start' : 'stop'} “${name}”: ${errorText(err)}` } },
        }));
      }
    },
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
    async remove(id) {
      await api.rules.remove(id);
      store.setState((s) => removeRule(s, id));
    },
    listConnections: () => api.connections.list(),
    closeConnection: (ruleId, id) => api.connections.close(ruleId, id),
  };
}
