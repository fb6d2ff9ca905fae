import { ruleServerId, type Rule } from '../../src-shared/model/rule';
import type { HostKeyPrompt, SshServerEntry } from '../../src-shared/model/ssh';
import { applyKeyedList, emptyKeyedList, keyedValues, removeKeyed, upsertKeyed, type KeyedList } from './keyed-list';

// Pure transitions of the saved SSH servers and the host-key prompt queue. Like the rule reducers,
// they return the previous objects when nothing changed so rows do not re-render.

export type ServersState = KeyedList<SshServerEntry>;

export function emptyServers(): ServersState {
  return emptyKeyedList();
}

/** Replaces the whole list (servers.list, or the `servers-changed` event); keeps entries that did not change. */
export function applyServerEntries(prev: ServersState, list: readonly SshServerEntry[]): ServersState {
  return applyKeyedList(prev, list, (e) => e.server.id);
}

/** One created or edited server, as servers.create / servers.update return it. */
export function upsertServer(prev: ServersState, entry: SshServerEntry): ServersState {
  return upsertKeyed(prev, entry.server.id, entry);
}

export function removeServer(prev: ServersState, id: string): ServersState {
  return removeKeyed(prev, id);
}

/** The saved servers in list order. */
export function serverList(s: ServersState): SshServerEntry[] {
  return keyedValues(s);
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
