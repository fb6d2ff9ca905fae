import type { LogView } from '../store/log-view';

/** Selected lines (ids), valid for one view: a new filter starts with nothing selected. */
export interface LogSelection {
  view: LogView | null;
  ids: ReadonlySet<number>;
  /** Where a shift-click range starts. */
  anchor: number | null;
}

export const NO_SELECTION: LogSelection = { view: null, ids: new Set(), anchor: null };

/** The selection as it applies to `view` (empty if it was made in another one). */
export function selectionFor(sel: LogSelection, view: LogView): LogSelection {
  return sel.view === view ? sel : { view, ids: new Set(), anchor: null };
}

export interface PickModifiers {
  /** Shift: extend from the anchor. */
  range: boolean;
  /** Ctrl/Cmd: add or remove one line. */
  toggle: boolean;
}

/** A click on line `id`: select it alone, toggle it, or select the range from the anchor (among the first `count` lines). */
export function pickLine(sel: LogSelection, view: LogView, count: number, id: number, mods: PickModifiers): LogSelection {
  const cur = selectionFor(sel, view);
  if (mods.range && cur.anchor !== null) {
    const a = view.indexOf(cur.anchor);
    const b = view.indexOf(id);
    if (a >= 0 && b >= 0) {
      const ids = new Set(mods.toggle ? cur.ids : []);
      for (let i = Math.min(a, b); i <= Math.max(a, b) && i < count; i++) ids.add(view.idAt(i));
      return { view, ids, anchor: cur.anchor };
    }
  }
  if (mods.toggle) {
    const ids = new Set(cur.ids);
    if (ids.has(id)) ids.delete(id);
    else ids.add(id);
    return { view, ids, anchor: id };
  }
  if (cur.ids.size === 1 && cur.ids.has(id)) return { view, ids: new Set(), anchor: null };
  return { view, ids: new Set([id]), anchor: id };
}

/** Every shown line. */
export function selectAll(view: LogView, count: number): LogSelection {
  const ids = new Set<number>();
  for (let i = 0; i < count; i++) ids.add(view.idAt(i));
  return { view, ids, anchor: count > 0 ? view.idAt(0) : null };
}

/** The ids to copy: the selection in line order, or — with none — every shown line. */
export function idsToCopy(sel: LogSelection, view: LogView, count: number): number[] {
  const cur = selectionFor(sel, view);
  if (cur.ids.size > 0) return [...cur.ids].sort((x, y) => x - y);
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = view.idAt(i);
  return out;
}
