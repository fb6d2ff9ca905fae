import { type TlsIdentity, loadOrCreateTlsIdentity } from '../store/tls-identity';

// The relay's TLS identity: a self-signed certificate made on first run and kept in the data dir.
// Agents pin its SHA-256 fingerprint, like SSH known_hosts.

export type RelayIdentity = TlsIdentity;

export function loadOrCreateRelayIdentity(dataDir: string, commonName = 'Porthole relay'): Promise<RelayIdentity> {
  return loadOrCreateTlsIdentity({
    dataDir,
    prefix: 'relay',
    commonName,
    replaceHint: 'agents will then have to accept the new fingerprint',
  });
}
