import net from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * Aborts a stream: a TCP socket with a RST (SO_LINGER 0) where the OS allows it, anything else with
 * destroy().
 *
 * Two cases cannot be reset: a socket still connecting (resetAndDestroy() would wait for the connect),
 * and one whose FIN is queued behind unsent data (end() was called, the shutdown is pending: libuv
 * refuses the reset with EINVAL, and Node 20 then drops the handle without closing it — the fd leaks,
 * 'close' never comes, and the leaked handle can spin the event loop). Both are closed with destroy();
 * the second has sent, or is sending, its FIN already, so a RST could no longer mark it as failed.
 */
export function abortSocket(stream: Duplex): void {
  if (stream.destroyed) return;
  const shutdownPending = stream.writableEnded && !stream.writableFinished;
  if (stream instanceof net.Socket && !stream.connecting && !shutdownPending) stream.resetAndDestroy();
  else stream.destroy();
}
