import type { AddressInfo, Server } from 'node:net';
import { type EngineError, listenError } from './engine-error';

/**
 * Starts `server` listening on host:port. Resolves with the bound address; rejects with a mapped
 * EngineError (PORT_IN_USE, PERMISSION_DENIED, …), after which Node has already released the handle.
 * Once listening, later failures of the listener go to `onLaterError`.
 */
export function listenOn(
  server: Server,
  host: string,
  port: number,
  onLaterError: (err: EngineError) => void,
): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.removeListener('listening', onListening);
      reject(listenError(err, host, port));
    };
    const onListening = (): void => {
      server.removeListener('error', onError);
      server.on('error', (err) => onLaterError(listenError(err, host, port)));
      const addr = server.address() as AddressInfo;
      resolve({ host: addr.address, port: addr.port });
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port });
  });
}
