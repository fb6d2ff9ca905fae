import { isIP, type Socket } from 'node:net';
import { connectTimeout, lookupTimeout } from './engine-error';

/**
 * The error for a dial of `socket` that did not finish within timeoutMs: while a name is still being
 * resolved (no 'lookup' yet) it is the name that failed (EAI_AGAIN → DNS_FAILED), afterwards the target
 * that did not answer (ETIMEDOUT → TARGET_TIMEOUT). Call right after net.connect()/tls.connect().
 */
export function connectDeadline(socket: Socket, host: string, port: number, timeoutMs: number): () => Error {
  let resolving = isIP(host) === 0;
  if (resolving) socket.once('lookup', () => (resolving = false));
  return () => (resolving ? lookupTimeout(host, timeoutMs) : connectTimeout(host, port, timeoutMs));
}
