import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// The relay's TLS identity: a self-signed certificate made on first run and kept in the data dir
// (the key readable only by its owner). Agents pin its SHA-256 fingerprint, like SSH known_hosts.

export interface RelayIdentity {
  cert: string;
  key: string;
  /** Upper-case colon-separated SHA-256 of the DER certificate (what `openssl x509 -fingerprint -sha256` prints). */
  fingerprint: string;
  /** True when this run made the certificate. */
  created: boolean;
  certFile: string;
}

export function certFingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

export async function loadOrCreateRelayIdentity(dataDir: string, commonName = 'Porthole relay'): Promise<RelayIdentity> {
  const certFile = join(dataDir, 'relay-cert.pem');
  const keyFile = join(dataDir, 'relay-key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) {
    const cert = readFileSync(certFile, 'utf8');
    const key = readFileSync(keyFile, 'utf8');
    try {
      return { cert, key, fingerprint: certFingerprint(cert), created: false, certFile };
    } catch (err) {
      throw new Error(`${certFile} is not a readable certificate (${(err as Error).message}) — move it away to make a new one (agents will then have to accept the new fingerprint)`, { cause: err });
    }
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Loaded only to make a certificate (first run): its X.509 code adds ~2.6 MB to the heap of every
  // process that imports this file, and a heap over V8's 8 MB incremental-marking threshold turns the
  // relay's per-read buffers into full garbage collections under load (issue 13).
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    keySize: 256,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 20 * 365 * 86_400_000),
  });
  const write = (file: string, text: string, mode: number) => {
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, text, { mode });
    chmodSync(tmp, mode);
    renameSync(tmp, file);
  };
  write(keyFile, pems.private, 0o600);
  write(certFile, pems.cert, 0o644);
  return { cert: pems.cert, key: pems.private, fingerprint: certFingerprint(pems.cert), created: true, certFile };
}
