import { constants } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { createSecureContext, type SecureContext, connect as tlsConnect, type TLSSocket } from 'node:tls';

// TLS settings the relay and its agents share.

/** TLS 1.3 suites, fastest first where AES-NI exists (AES-128-GCM costs less CPU per byte than AES-256). */
export const TLS_CIPHERSUITES = 'TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384';

/**
 * The relay's server options: no TLS session resumption. With SSL_OP_NO_TICKET, OpenSSL's TLS 1.3
 * tickets are bare ids of a server-side cache that Node keeps empty, instead of the session encrypted
 * under a ticket key: that encryption cost the relay ~90 µs of CPU per connection (1,021 against 928 µs
 * per handshake, server process only, 6 interleaved rounds of 1,500 serial connections). Agents never
 * resume (resumption still runs the key exchange and saved nothing measurable on data connections),
 * and no ticket key is left in memory that could decrypt recorded connections.
 */
export const RELAY_TLS_SECURE_OPTIONS = constants.SSL_OP_NO_TICKET;

/**
 * The SHA-256 fingerprint of the certificate the peer presented (upper-case, colon-separated, as
 * getPeerCertificate() gives it), read from the X509Certificate object: getPeerCertificate() builds a
 * JavaScript object of every field, ~0.1 ms per data connection.
 *
 * Only once per socket: on a client socket Node 20 takes the certificate out of the peer chain it
 * reads it from, so any later getPeerX509Certificate() or getPeerCertificate() finds none: whoever
 * reads it passes the fingerprint on (dialRelay returns it with the socket).
 */
export function peerFingerprint(socket: TLSSocket): string | undefined {
  return socket.getPeerX509Certificate()?.fingerprint256;
}

/** A TLS context for an agent's connections to the relay (made once per agent: ~0.5 ms each). */
export function agentSecureContext(): SecureContext {
  return createSecureContext({ minVersion: 'TLSv1.3', ciphers: TLS_CIPHERSUITES });
}

/**
 * An agent's TLS connection to the relay (ALPN porthole-relay/1; no CA is involved: the caller checks
 * the pinned certificate when onSecure runs), over a net.Socket of its own beneath the TLS socket.
 * Through that socket a data connection can be aborted with a RST (socket-join.ts's abortPlain), which
 * Node cannot send for a TLS socket that made its own TCP handle; the relay then tells a failure from a
 * FIN. The TCP socket is returned too: a failed connect and the name's 'lookup' are its events.
 */
export function connectToRelay(host: string, port: number, o: { secureContext: SecureContext; servername?: string }, onSecure: () => void): { tcp: Socket; socket: TLSSocket } {
  const tcp = netConnect({ host, port });
  const socket = tlsConnect({ socket: tcp, rejectUnauthorized: false, ALPNProtocols: ['porthole-relay/1'], secureContext: o.secureContext, ...(o.servername ? { servername: o.servername } : {}) }, onSecure);
  return { tcp, socket };
}
