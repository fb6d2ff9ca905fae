import { useEffect, useLayoutEffect, useRef, type RefObject } from 'react';
import type { Actions } from '../store/actions';
import { appStore, openDialog } from '../store/app-store';
import { stepSelection } from '../store/mapping-sections';
import { setHelpOpen } from '../store/mapping-view';
import { focusedRowId, selectMapping } from './mapping-focus';

export interface MappingKeysContext {
  /** The rows in display order (collapsed groups left out). */
  ids: readonly string[];
  list: RefObject<HTMLElement | null>;
  focusSearch: () => void;
  actions: Actions;
}

function isEditable(el: HTMLElement): boolean {
  return el.isContentEditable || el.closest('input, textarea, select') !== null;
}

function toggle(actions: Actions, id: string): void {
  const rule = appStore.getState().rules[id];
  if (rule) void actions.setEnabled(id, !rule.enabled);
}

/**
 * The Mappings view's keys, on the document while the view is shown. Letters act only when no field has
 * focus and no dialog is open; ↑/↓/Home/End only in the list (or with nothing focused), and Enter, Space
 * and Delete only on a row itself, so a focused button keeps its own Enter and Space.
 */
export function useMappingKeys(ctx: MappingKeysContext): void {
  const latest = useRef(ctx);
  useLayoutEffect(() => {
    latest.current = ctx;
  });

  useEffect(() => {
    function onKeyDown(e: KeyboardEvent): void {
      if (e.defaultPrevented || e.isComposing || document.querySelector('dialog[open]')) return;
      const { ids, list, focusSearch, actions } = latest.current;
      const target = e.target instanceof HTMLElement ? e.target : null;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
      if (mod && !e.altKey && !e.shiftKey && (key === 'f' || key === 'n')) {
        e.preventDefault();
        if (key === 'f') focusSearch();
        else openDialog({ kind: 'create' });
        return;
      }
      if (mod || e.altKey || (target && isEditable(target))) return;
      const onBody = !target || target === document.body;
      const inList = onBody || (target !== null && list.current?.contains(target) === true);
      const rowId = focusedRowId(target);
      const selected = appStore.getState().ui.selectedId;
      const current = rowId ?? (onBody ? (selected ?? undefined) : undefined);
      const act = (fn: () => void) => {
        e.preventDefault();
        fn();
      };
      switch (key) {
        case '/':
          return act(focusSearch);
        case '?':
          return act(() => setHelpOpen(true));
        case 'n':
          return act(() => openDialog({ kind: 'create' }));
        case 't': {
          const id = rowId ?? selected;
          if (id) act(() => toggle(actions, id));
          return;
        }
        case 'ArrowDown':
        case 'ArrowUp':
        case 'Home':
        case 'End': {
          if (!inList) return;
          const from = rowId ?? selected;
          const next =
            key === 'Home' ? (ids[0] ?? null) : key === 'End' ? (ids[ids.length - 1] ?? null) : stepSelection(ids, from, key === 'ArrowDown' ? 1 : -1);
          if (next) act(() => selectMapping(next, true));
          return;
        }
        case 'Enter':
          if (current) act(() => openDialog({ kind: 'edit', id: current }));
          return;
        case ' ':
          if (current) act(() => toggle(actions, current));
          return;
        case 'Delete':
        case 'Backspace':
          if (current) act(() => openDialog({ kind: 'delete', id: current }));
          return;
        case 'Escape':
          if (inList && selected) act(() => selectMapping(null));
          return;
      }
    }
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);
}
