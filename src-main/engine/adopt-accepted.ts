import net from 'node:net';
import type { Socket } from 'node:net';

export interface OnRead {
  buffer: () => Uint8Array;
  // Node hands back the buffer that buffer() returned; callers that return Buffers get Buffers.
  callback: (n: number, buf: Buffer) => boolean;
}

type WithHandle = Socket & { _handle?: { readStart?: unknown } | null };

/**
 * Gives an accepted socket the `onread` option that net.connect() has and net.Server does not (Node 20
 * and 22): reads then go into the caller's buffers instead of a fresh 64 KiB buffer each, which on a
 * busy connection is what fills the heap and brings on full garbage collections.
 *
 * It moves the socket's handle, before anything was read from it (the server must use
 * pauseOnConnect), into a new Socket built with `onread` — how net.Server builds its sockets, plus
 * the option. That uses Socket's `_handle` and the `handle` constructor option, long-standing but not
 * public: where either is missing (a future Node), it returns undefined and the caller keeps the
 * original socket. The original is then destroyed as an empty shell: it closes nothing, but its
 * server stops counting it (the new socket is not counted; callers track their connections).
 */
export function adoptWithOnread(accepted: Socket, onread: OnRead, allowHalfOpen: boolean): Socket | undefined {
  const shell = accepted as WithHandle;
  const handle = shell._handle;
  if (!handle || typeof handle.readStart !== 'function' || accepted.bytesRead > 0 || accepted.readableFlowing === true) return undefined;
  let adopted: Socket;
  try {
    adopted = new net.Socket({ handle, allowHalfOpen, readable: true, writable: true, pauseOnCreate: true, onread } as net.SocketConstructorOpts);
  } catch {
    return undefined;
  }
  shell._handle = null;
  accepted.on('error', () => undefined);
  accepted.destroy();
  return adopted;
}
