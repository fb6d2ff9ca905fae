import { formatHostPort } from '../../src-shared/format/address';
import { normalizeFingerprint } from '../../src-shared/format/fingerprint';
import type { Relay, RelayConnectionState, RelayEntry } from '../../src-shared/model/relay';
import { t } from '../i18n/i18n';

// How the Servers view words a saved relay.

export function relayStateLabel(state: RelayConnectionState): string {
  return t(`relays.state.${state}`);
}

export const RELAY_STATE_TONES: Record<RelayConnectionState, 'grey' | 'amber' | 'green' | 'red'> = {
  idle: 'grey',
  connecting: 'amber',
  ready: 'green',
  retrying: 'amber',
  failed: 'red',
};

/** `host:port` (IPv6 hosts in brackets). */
export function relayAddress(r: Pick<Relay, 'host' | 'port'>): string {
  return formatHostPort(r.host, r.port);
}

/** `relay.example.com:9015 (agent "laptop")` — the relay select's option text. */
export function relayOptionLabel(r: Relay): string {
  return t('relays.optionLabel', { name: r.name, address: relayAddress(r), agent: r.agentName });
}

/**
 * The certificate changed since it was pinned: what the person has to compare before trusting the
 * new one. Undefined unless the host reported RELAY_CERT_CHANGED with both fingerprints known.
 */
export function changedCertificate(e: RelayEntry): { pinned: string; seen: string } | undefined {
  if (e.error?.code !== 'RELAY_CERT_CHANGED' || !e.seenFingerprint || !e.relay.fingerprint) return undefined;
  if (sameFingerprint(e.seenFingerprint, e.relay.fingerprint)) return undefined;
  return { pinned: e.relay.fingerprint, seen: e.seenFingerprint };
}

/** Two fingerprints name the same certificate (case and colons do not matter). */
export function sameFingerprint(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const na = normalizeFingerprint(a);
  return na !== undefined && na === normalizeFingerprint(b);
}
