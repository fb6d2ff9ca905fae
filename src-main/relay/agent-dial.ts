import { connect as netConnect, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { normalizeFingerprint } from '../../src-shared/format/fingerprint';
import { said } from '../../src-shared/model/log-text';
import { connectDeadline } from '../engine/connect-deadline';
import { EngineError } from '../engine/engine-error';
import type { AgentContext } from './agent-context';
import { agentSecureContext, connectToRelay, peerFingerprint } from './tls-suites';

// Dialling the relay, for a session's control connection and for each data connection: TLS 1.3 by
// default, the certificate checked against the given fingerprint or the pin store (trust on first use).

/** A connection to the relay and, under TLS, the fingerprint of the certificate that passed the pin check. */
export interface DialledRelay {
  socket: Socket;
  fingerprint?: string;
}

/** A connection to the relay whose certificate (under TLS) passed the pin check. */
export function dialRelay(ctx: AgentContext, timeoutMs: number): Promise<DialledRelay> {
  const { host, port } = ctx.opts.relay;
  return new Promise<DialledRelay>((resolve, reject) => {
    const useTls = ctx.opts.tls !== false;
    // (late is set right after the dial starts below, long before the timer can fire.)
    const timer = setTimeout(() => {
      socket.destroy();
      reject(late());
    }, timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const secured = useTls
      ? connectToRelay(host, port, { secureContext: (ctx.secureContext ??= agentSecureContext()), ...(isIp(host) ? {} : { servername: host }) }, () => {
          clearTimeout(timer);
          try {
            const c = (socket as TLSSocket).getCipher();
            ctx.tls = `${(socket as TLSSocket).getProtocol() ?? '?'} ${c.name}`;
            resolve({ socket, fingerprint: verifyCertificate(ctx, socket as TLSSocket) });
          } catch (err) {
            fail(err as Error);
          }
        })
      : undefined;
    const socket: Socket =
      secured?.socket ??
      netConnect({ host, port }, () => {
        clearTimeout(timer);
        resolve({ socket });
      });
    const tcp = secured?.tcp;
    const late = connectDeadline(tcp ?? socket, host, port, timeoutMs);
    // (A failed connect is the TCP socket's error; destroying the TLS socket closes it.)
    tcp?.once('error', fail);
    socket.once('error', fail);
  });
}

/** The fingerprint of the relay's certificate once it passed the pin check (read once: see peerFingerprint). */
function verifyCertificate(ctx: AgentContext, socket: TLSSocket): string {
  const { host, port } = ctx.opts.relay;
  const seen = peerFingerprint(socket);
  if (!seen) throw new EngineError('RELAY_CERT_UNKNOWN', `${ctx.label} presented no certificate`);
  ctx.fingerprint = seen;
  const given = ctx.opts.fingerprint ? normalizeFingerprint(ctx.opts.fingerprint) : undefined;
  const pinned = given ?? ctx.opts.pins?.get(host, port);
  if (pinned) {
    if (pinned !== seen) {
      throw new EngineError(
        'RELAY_CERT_CHANGED',
        `${ctx.label} presented certificate ${seen}, but ${given ? 'the configured fingerprint is' : 'the pinned one is'} ${pinned}. ` +
          'Someone may be intercepting the connection — or the relay got a new certificate. If you know it did, ' +
          (given ? 'update the fingerprint in the config.' : (ctx.opts.pinAdvice ?? 'remove the old pin (known_relays in the data dir) and connect again.')),
      );
    }
    return seen;
  }
  if (!ctx.opts.pins) throw new EngineError('RELAY_CERT_UNKNOWN', `${ctx.label}: no fingerprint to check its certificate ${seen} against — give the relay's fingerprint`);
  ctx.opts.pins.set(host, port, seen);
  ctx.opts.log?.('warn', ...said('agentPinned', { relay: ctx.address, fingerprint: seen }));
  ctx.opts.onPinned?.(seen);
  return seen;
}

/** An IP address, which TLS may not be given as the server name (SNI). */
export function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
