import net from 'node:net';
import type { Socket } from 'node:net';

export interface OnRead {
  buffer: () => Uint8Array;
  // Node hands back the buffer that buffer() returned; callers that return Buffers get Buffers.
  callback: (n: number, buf: Buffer) => boolean;
}

type WithHandle = Socket & { _handle?: { readStart?: unknown; useUserBuffer?: (buf: Uint8Array) => void } | null };

interface ReadKeys {
  buffer: symbol;
  callback: symbol;
  generator: symbol;
}
/** Socket's private keys for `onread` (looked up once; null: this Node has none of those names). */
let readKeys: ReadKeys | null | undefined;

function findReadKeys(socket: Socket): ReadKeys | null {
  if (readKeys !== undefined) return readKeys;
  const byName = new Map(Object.getOwnPropertySymbols(socket).map((k) => [k.description, k]));
  const buffer = byName.get('kBuffer');
  const callback = byName.get('kBufferCb');
  const generator = byName.get('kBufferGen');
  readKeys = buffer && callback && generator ? { buffer, callback, generator } : null;
  return readKeys;
}

/**
 * Gives an accepted socket the `onread` option that net.connect() has and net.Server does not (Node 20
 * and 22): reads then go into the caller's buffers instead of a fresh 64 KiB buffer each, which on a
 * busy connection is what fills the heap and brings on full garbage collections.
 *
 * Before anything was read from it (the server must use pauseOnConnect), the socket is given what
 * Socket's constructor sets up for `onread`: the buffer, its generator and the callback under Socket's
 * own (private) keys, and the buffer handed to the handle (useUserBuffer). The same socket is returned.
 * Where those keys are missing (a future Node), its handle moves instead into a new Socket built with
 * `onread` — how net.Server builds its sockets, plus the option — using Socket's `_handle` and the
 * `handle` constructor option; the original is then destroyed as an empty shell (it closes nothing,
 * but its server stops counting it). That second Socket per connection is what the first way saves:
 * ~10 us of CPU and ~1 KiB of garbage per accepted connection. Where neither works it returns
 * undefined and the caller keeps the original socket with 'data' events.
 */
export function adoptWithOnread(accepted: Socket, onread: OnRead, allowHalfOpen: boolean): Socket | undefined {
  const shell = accepted as WithHandle;
  const handle = shell._handle;
  if (!handle || typeof handle.readStart !== 'function' || accepted.bytesRead > 0 || accepted.readableFlowing === true) return undefined;
  if (giveOnread(accepted, onread)) return accepted;
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

/**
 * Gives a socket `onread` in place, under Socket's own private keys (see adoptWithOnread), at any point
 * of its life — also one that has read already, and a TLS socket (its handle hands over the cleartext):
 * from the next read on, Node reads into the caller's buffers and calls onread.callback instead of
 * emitting 'data'. Bytes read before stay in the socket's readable buffer for read(). Returns false,
 * changing nothing, where this Node has no such keys, the socket has no handle (closed, or not
 * connected yet) or it has `onread` already.
 */
export function giveOnread(socket: Socket, onread: OnRead): boolean {
  const handle = (socket as WithHandle)._handle;
  if (!handle || typeof handle.useUserBuffer !== 'function' || socket.destroyed) return false;
  const keys = findReadKeys(socket);
  const fields = socket as unknown as Record<symbol, unknown>;
  if (!keys || fields[keys.buffer] !== null) return false;
  const first = onread.buffer();
  fields[keys.generator] = onread.buffer;
  fields[keys.callback] = onread.callback;
  fields[keys.buffer] = first;
  handle.useUserBuffer(first);
  return true;
}
