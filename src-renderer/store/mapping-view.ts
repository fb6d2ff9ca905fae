import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import { groupKey } from './mapping-sections';

// What the Mappings view remembers while the window is open: the search, the tag filter, collapsed
// groups and the shortcut help. Apart from the app store so typing in the search box touches no row.
// The selected mapping is the app store's `ui.selectedId`.

export interface MappingViewState {
  query: string;
  tag: string;
  /** groupKey → collapsed. */
  collapsed: Record<string, boolean>;
  helpOpen: boolean;
}

export const mappingView = createStore<MappingViewState>()(() => ({ query: '', tag: '', collapsed: {}, helpOpen: false }));

export function useMappingView<T>(selector: (s: MappingViewState) => T): T {
  return useStore(mappingView, selector);
}

export function setQuery(query: string): void {
  mappingView.setState({ query });
}

export function setTagFilter(tag: string): void {
  mappingView.setState({ tag });
}

export function toggleGroup(group: string | null): void {
  const key = groupKey(group);
  mappingView.setState((s) => ({ collapsed: { ...s.collapsed, [key]: !s.collapsed[key] } }));
}

export function setHelpOpen(helpOpen: boolean): void {
  mappingView.setState({ helpOpen });
}
