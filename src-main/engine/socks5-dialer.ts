import net from 'node:net';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { formatHostPort } from '../../src-shared/format/address';
import { connectDeadline } from './connect-deadline';
import { EngineError, connectError } from './engine-error';
import type { SocksDestination } from './socks5-protocol';

/**
 * Opens the outbound stream for one CONNECT. Rejects with an EngineError (anything else is mapped
 * with connectError). `signal` aborts when the client goes away or the server stops; a dialer that
 * ignores it is fine: a stream it resolves with afterwards is destroyed at once.
 */
export type SocksDialer = (
  dest: SocksDestination,
  client: { address: string; port: number },
  signal?: AbortSignal,
) => Promise<Duplex>;

// Long-lived idle tunnels otherwise never notice a peer that vanished (as in tcp-forward).
export const KEEPALIVE_MS = 60_000;

const DIRECT = Symbol('direct dialer');

/** The connect timeout of a dialer made by directDialer(), which the server may dial for itself on raw TCP handles; undefined for any other. */
export function directConnectTimeout(dial: SocksDialer): number | undefined {
  return (dial as SocksDialer & { [DIRECT]?: number })[DIRECT];
}

/** The `socks` rule's dialer: a plain TCP connect from this machine (a domain is resolved here, per request). */
export function directDialer(connectTimeoutMs: number): SocksDialer {
  return Object.assign(netDialer(connectTimeoutMs), { [DIRECT]: connectTimeoutMs });
}

function netDialer(connectTimeoutMs: number): SocksDialer {
  return (dest, _client, signal) =>
    new Promise<Duplex>((resolve, reject) => {
      const { host, port } = dest;
      let socket: Socket;
      try {
        socket = net.connect({ host, port, allowHalfOpen: true, noDelay: true, keepAlive: true, keepAliveInitialDelay: KEEPALIVE_MS });
      } catch (err) {
        // Only argument validation throws synchronously (e.g. a host name with a NUL byte).
        reject(connectError(err, host, port));
        return;
      }
      const settle = (err?: unknown): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.removeListener('error', settle);
        socket.removeListener('connect', onConnect);
        if (err === undefined) return resolve(socket);
        socket.on('error', () => undefined);
        socket.destroy();
        reject(connectError(err, host, port));
      };
      const onConnect = (): void => settle();
      const onAbort = (): void => settle(new EngineError('INTERNAL', `Connect to ${formatHostPort(host, port)} cancelled`));
      const late = connectDeadline(socket, host, port, connectTimeoutMs);
      const timer = setTimeout(() => settle(late()), connectTimeoutMs);
      socket.once('error', settle);
      socket.once('connect', onConnect);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
}
