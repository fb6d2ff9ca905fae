import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceFile } from './replace-file';

// A self-signed TLS identity made on first use and kept in the data dir (the key readable only by its
// owner), so its fingerprint stays the same across restarts and can be pinned or compared by hand.
// The relay and browser mode each keep their own pair of files.

export interface TlsIdentity {
  cert: string;
  key: string;
  /** Upper-case colon-separated SHA-256 of the DER certificate (what `openssl x509 -fingerprint -sha256` prints). */
  fingerprint: string;
  /** True when this run made the certificate. */
  created: boolean;
  certFile: string;
}

export interface TlsIdentityFiles {
  dataDir: string;
  /** File name prefix in the data dir: `<prefix>-cert.pem`, `<prefix>-key.pem`. */
  prefix: string;
  commonName: string;
  /** What happens to the peers when the certificate is replaced (ends the "unreadable" message). */
  replaceHint: string;
}

export function certFingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

export async function loadOrCreateTlsIdentity(files: TlsIdentityFiles): Promise<TlsIdentity> {
  const certFile = join(files.dataDir, `${files.prefix}-cert.pem`);
  const keyFile = join(files.dataDir, `${files.prefix}-key.pem`);
  if (existsSync(certFile) && existsSync(keyFile)) {
    const cert = readFileSync(certFile, 'utf8');
    const key = readFileSync(keyFile, 'utf8');
    try {
      return { cert, key, fingerprint: certFingerprint(cert), created: false, certFile };
    } catch (err) {
      throw new Error(`${certFile} is not a readable certificate (${(err as Error).message}) — move it away to make a new one (${files.replaceHint})`, { cause: err });
    }
  }
  mkdirSync(files.dataDir, { recursive: true, mode: 0o700 });
  // Loaded only to make a certificate (first run): its X.509 code adds ~2.6 MB to the heap of every
  // process that imports this file, and a heap over V8's 8 MB incremental-marking threshold makes the
  // relay's per-read buffers cost full garbage collections under load (issue 13, relay/gc-policy.ts).
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: files.commonName }], {
    keyType: 'ec',
    keySize: 256,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 20 * 365 * 86_400_000),
  });
  replaceFile(keyFile, pems.private, 0o600);
  replaceFile(certFile, pems.cert, 0o644);
  return { cert: pems.cert, key: pems.private, fingerprint: certFingerprint(pems.cert), created: true, certFile };
}
