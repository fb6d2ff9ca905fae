// A list of saved entities (SSH servers, relays) as the renderer keeps it: ids in the host's order and
// entries by id. Transitions return the previous objects when nothing changed so rows do not re-render.

export interface KeyedList<T> {
  order: string[];
  entries: Record<string, T>;
  /** The list method has answered at least once. */
  loaded: boolean;
  /** Why the list method failed (an older host answers "Unknown method"). */
  error: string | null;
}

export function emptyKeyedList<T>(): KeyedList<T> {
  return { order: [], entries: {}, loaded: false, error: null };
}

export function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** Replaces the whole list (initial load, or a `…-changed` event); keeps entries that did not change. */
export function applyKeyedList<T>(prev: KeyedList<T>, list: readonly T[], idOf: (e: T) => string): KeyedList<T> {
  const entries: Record<string, T> = {};
  const order: string[] = [];
  let changed = !prev.loaded || prev.error !== null || list.length !== prev.order.length;
  for (const e of list) {
    const id = idOf(e);
    const old = prev.entries[id];
    const keep = old !== undefined && sameJson(old, e);
    entries[id] = keep ? old : e;
    if (!keep || prev.order[order.length] !== id) changed = true;
    order.push(id);
  }
  return changed ? { order, entries, loaded: true, error: null } : prev;
}

/** One created or edited entry, as a create / update method returns it. */
export function upsertKeyed<T>(prev: KeyedList<T>, id: string, entry: T): KeyedList<T> {
  return {
    ...prev,
    order: prev.entries[id] ? prev.order : [...prev.order, id],
    entries: { ...prev.entries, [id]: entry },
  };
}

export function removeKeyed<T>(prev: KeyedList<T>, id: string): KeyedList<T> {
  if (!prev.entries[id]) return prev;
  const entries = { ...prev.entries };
  delete entries[id];
  return { ...prev, order: prev.order.filter((x) => x !== id), entries };
}

/** The entries in list order. */
export function keyedValues<T>(s: KeyedList<T>): T[] {
  return s.order.flatMap((id) => (s.entries[id] ? [s.entries[id]] : []));
}
