import { ruleServerId, type Rule } from '../../src-shared/model/rule';
import type { HostKeyPrompt, SshServerEntry } from '../../src-shared/model/ssh';

// Pure transitions of the saved SSH servers and the host-key prompt queue. Like the rule reducers,
// they return the previous objects when nothing changed so rows do not re-render.

export interface ServersState {
  order: string[];
  entries: Record<string, SshServerEntry>;
  /** servers.list has answered at least once. */
  loaded: boolean;
  /** Why servers.list failed (an older host answers "Unknown method"). */
  error: string | null;
}

export function emptyServers(): ServersState {
  return { order: [], entries: {}, loaded: false, error: null };
}

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** Replaces the whole list (servers.list, or the `servers-changed` event); keeps entries that did not change. */
export function applyServerEntries(prev: ServersState, list: readonly SshServerEntry[]): ServersState {
  const entries: Record<string, SshServerEntry> = {};
  const order: string[] = [];
  let changed = !prev.loaded || prev.error !== null || list.length !== prev.order.length;
  for (const e of list) {
    const id = e.server.id;
    const old = prev.entries[id];
    const keep = old !== undefined && sameJson(old, e);
    entries[id] = keep ? old : e;
    if (!keep || prev.order[order.length] !== id) changed = true;
    order.push(id);
  }
  return changed ? { order, entries, loaded: true, error: null } : prev;
}

/** One created or edited server, as servers.create / servers.update return it. */
export function upsertServer(prev: ServersState, entry: SshServerEntry): ServersState {
  const id = entry.server.id;
  return {
    ...prev,
    order: prev.entries[id] ? prev.order : [...prev.order, id],
    entries: { ...prev.entries, [id]: entry },
  };
}

export function removeServer(prev: ServersState, id: string): ServersState {
  if (!prev.entries[id]) return prev;
  const entries = { ...prev.entries };
  delete entries[id];
  return { ...prev, order: prev.order.filter((x) => x !== id), entries };
}

/** The saved servers in list order. */
export function serverList(s: ServersState): SshServerEntry[] {
  return s.order.flatMap((id) => (s.entries[id] ? [s.entries[id]] : []));
}

/** Prompts are shown one at a time, oldest first; a prompt already queued is not queued twice. */
export function enqueuePrompt(queue: readonly HostKeyPrompt[], p: HostKeyPrompt): readonly HostKeyPrompt[] {
  return queue.some((q) => q.promptId === p.promptId) ? queue : [...queue, p];
}

export function dequeuePrompt(queue: readonly HostKeyPrompt[], promptId: string): readonly HostKeyPrompt[] {
  return queue.some((q) => q.promptId === promptId) ? queue.filter((q) => q.promptId !== promptId) : queue;
}

/** Whole seconds until `at` (never negative), for "next attempt in Ns". */
export function secondsUntil(at: number, now: number): number {
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * The names of the mappings that go through a server, from this window's rules (kept current by
 * `rules-changed`), so the list follows a mapping created or edited without waiting for the host to
 * resend the servers.
 */
export function mappingsUsing(serverId: string, order: readonly string[], rules: Readonly<Record<string, Rule>>): string[] {
  return order.flatMap((id) => {
    const r = rules[id];
    return r && ruleServerId(r) === serverId ? [r.name] : [];
  });
}
