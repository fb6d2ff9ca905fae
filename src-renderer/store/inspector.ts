import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ExchangeSummary, InspectorEvent, InspectorList, InspectorNotice } from '../../src-shared/model/inspector';

// The Inspector view's data: recorded exchanges as the host announces them, the filter, the selection.
// A store of its own (not the app store): a busy mapping adds exchanges many times a second, and only
// this view cares. New exchanges append ids and add summaries; rows already shown keep their summary
// object, so memoised rows do not re-render.

/** What this window keeps at most (the host keeps 1,000 per mapping). */
export const CLIENT_MAX = 10_000;

export type StatusClass = 'all' | '2xx' | '3xx' | '4xx' | '5xx' | 'other';

export interface InspectorFilter {
  text: string;
  status: StatusClass;
  /** '' = every method. */
  method: string;
  /** '' = every mapping. */
  ruleId: string;
}

export interface InspectorState {
  /** Oldest first. */
  ids: number[];
  byId: ReadonlyMap<number, ExchangeSummary>;
  notices: InspectorNotice[];
  loaded: boolean;
  error: string | null;
  filter: InspectorFilter;
  selectedId: number | null;
  /** Exchanges ticked for the HAR export. */
  checked: ReadonlySet<number>;
}

export function emptyInspector(): InspectorState {
  return { ids: [], byId: new Map(), notices: [], loaded: false, error: null, filter: { text: '', status: 'all', method: '', ruleId: '' }, selectedId: null, checked: new Set() };
}

export function statusClass(status: number): Exclude<StatusClass, 'all'> {
  if (status >= 200 && status < 300) return '2xx';
  if (status >= 300 && status < 400) return '3xx';
  if (status >= 400 && status < 500) return '4xx';
  if (status >= 500 && status < 600) return '5xx';
  return 'other';
}

function trim(s: InspectorState, ids: number[], byId: Map<number, ExchangeSummary>): Pick<InspectorState, 'ids' | 'byId' | 'checked' | 'selectedId'> {
  if (ids.length <= CLIENT_MAX) return { ids, byId, checked: s.checked, selectedId: s.selectedId };
  const dropped = ids.slice(0, ids.length - CLIENT_MAX);
  for (const id of dropped) byId.delete(id);
  const checked = new Set([...s.checked].filter((id) => byId.has(id)));
  return { ids: ids.slice(-CLIENT_MAX), byId, checked, selectedId: s.selectedId !== null && byId.has(s.selectedId) ? s.selectedId : null };
}

/** A full list from the host replaces what this window had (clears and drops elsewhere included). */
export function applyList(s: InspectorState, list: InspectorList): InspectorState {
  const byId = new Map<number, ExchangeSummary>();
  // Keep the objects of rows this window already shows: their rows then need no new render.
  for (const x of list.exchanges) byId.set(x.id, s.byId.get(x.id) ?? x);
  const ids = list.exchanges.map((x) => x.id);
  return { ...s, ...trim(s, ids, byId), notices: list.notices, loaded: true, error: null };
}

export function applyEvent(s: InspectorState, e: InspectorEvent): InspectorState {
  switch (e.kind) {
    case 'added': {
      const fresh = e.exchanges.filter((x) => !s.byId.has(x.id));
      if (fresh.length === 0) return s;
      const byId = new Map(s.byId);
      for (const x of fresh) byId.set(x.id, x);
      const last = s.ids.at(-1) ?? 0;
      // Batches arrive in id order; a list fetched meanwhile may already hold some of them.
      const ids = fresh.every((x) => x.id > last) ? [...s.ids, ...fresh.map((x) => x.id)] : [...byId.keys()].sort((a, b) => a - b);
      return { ...s, ...trim(s, ids, byId) };
    }
    case 'cleared': {
      if (e.ruleId === undefined) return { ...s, ids: [], byId: new Map(), notices: [], selectedId: null, checked: new Set() };
      const byId = new Map([...s.byId].filter(([, x]) => x.ruleId !== e.ruleId));
      const ids = s.ids.filter((id) => byId.has(id));
      return {
        ...s,
        ids,
        byId,
        notices: s.notices.filter((n) => n.ruleId !== e.ruleId),
        selectedId: s.selectedId !== null && byId.has(s.selectedId) ? s.selectedId : null,
        checked: new Set([...s.checked].filter((id) => byId.has(id))),
      };
    }
    case 'notice':
      return { ...s, notices: [...s.notices.filter((n) => !(n.ruleId === e.notice.ruleId && n.kind === e.notice.kind)), e.notice] };
  }
}

/** The ids that pass the filter, oldest first. */
export function filterIds(s: Pick<InspectorState, 'ids' | 'byId' | 'filter'>, nameOf: (ruleId: string) => string): number[] {
  const { text, status, method, ruleId } = s.filter;
  const needle = text.trim().toLowerCase();
  if (!needle && status === 'all' && !method && !ruleId) return s.ids;
  return s.ids.filter((id) => {
    const x = s.byId.get(id)!;
    if (ruleId && x.ruleId !== ruleId) return false;
    if (method && x.method !== method) return false;
    if (status !== 'all' && statusClass(x.status) !== status) return false;
    if (!needle) return true;
    return (
      x.url.toLowerCase().includes(needle) ||
      (x.host ?? '').toLowerCase().includes(needle) ||
      x.client.includes(needle) ||
      String(x.status) === needle ||
      nameOf(x.ruleId).toLowerCase().includes(needle)
    );
  });
}

/** The methods seen, for the method filter. */
export function methodsOf(s: Pick<InspectorState, 'byId'>): string[] {
  return [...new Set([...s.byId.values()].map((x) => x.method))].sort();
}

export type InspectorStore = StoreApi<InspectorState>;
export const inspectorStore: InspectorStore = createStore<InspectorState>()(() => emptyInspector());

export function useInspector<T>(selector: (s: InspectorState) => T): T {
  return useStore(inspectorStore, selector);
}

export function setInspectorFilter(patch: Partial<InspectorFilter>): void {
  inspectorStore.setState((s) => ({ filter: { ...s.filter, ...patch } }));
}

export function selectExchange(id: number | null): void {
  inspectorStore.setState({ selectedId: id });
}

export function toggleChecked(id: number, on: boolean): void {
  inspectorStore.setState((s) => {
    const checked = new Set(s.checked);
    if (on) checked.add(id);
    else checked.delete(id);
    return { checked };
  });
}

export function setChecked(ids: readonly number[]): void {
  inspectorStore.setState({ checked: new Set(ids) });
}
