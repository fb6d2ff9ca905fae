import type { LocalRelaySettings } from '../../src-shared/api/contract';
import type { RelayEntry, RelayServerStatus } from '../../src-shared/model/relay';
import { ruleRelayId, type Rule } from '../../src-shared/model/rule';
import { applyKeyedList, emptyKeyedList, keyedValues, removeKeyed, sameJson, upsertKeyed, type KeyedList } from './keyed-list';

// Saved relays (this machine is their agent) and the in-app relay server (the Relay view), as pure
// transitions that keep identities when nothing changed.

export type RelaysState = KeyedList<RelayEntry>;

export function emptyRelays(): RelaysState {
  return emptyKeyedList();
}

/** relays.list, or the `relays-changed` event. */
export function applyRelayEntries(prev: RelaysState, list: readonly RelayEntry[]): RelaysState {
  return applyKeyedList(prev, list, (e) => e.relay.id);
}

export function upsertRelay(prev: RelaysState, entry: RelayEntry): RelaysState {
  return upsertKeyed(prev, entry.relay.id, entry);
}

export function removeRelay(prev: RelaysState, id: string): RelaysState {
  return removeKeyed(prev, id);
}

export function relayList(s: RelaysState): RelayEntry[] {
  return keyedValues(s);
}

/** The names of the mappings that go through a relay, in list order (from this window's rules). */
export function mappingsUsingRelay(relayId: string, order: readonly string[], rules: Readonly<Record<string, Rule>>): string[] {
  return order.flatMap((id) => {
    const r = rules[id];
    return r && ruleRelayId(r) === relayId ? [r.name] : [];
  });
}

export interface RelayServerState {
  /** relayServer.settings: the saved configuration and which agents have a token. */
  settings: LocalRelaySettings | null;
  /** relayServer.status, then every `relay-server` event. */
  status: RelayServerStatus | null;
  /** Why loading the settings or status failed. */
  error: string | null;
}

export function emptyRelayServer(): RelayServerState {
  return { settings: null, status: null, error: null };
}

/** A status push (once a second while running): the same state object when nothing moved. */
export function applyRelayServerStatus(prev: RelayServerState, status: RelayServerStatus): RelayServerState {
  return prev.status && sameJson(prev.status, status) ? prev : { ...prev, status, error: null };
}

export function applyRelayServerSettings(prev: RelayServerState, settings: LocalRelaySettings): RelayServerState {
  return prev.settings && sameJson(prev.settings, settings) ? prev : { ...prev, settings, error: null };
}
