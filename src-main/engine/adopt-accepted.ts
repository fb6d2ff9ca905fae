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
  const adopted = socketOnHandle(handle, allowHalfOpen, { pauseOnCreate: true, onread });
  if (!adopted) return undefined;
  shell._handle = null;
  accepted.on('error', () => undefined);
  accepted.destroy();
  return adopted;
}

/**
 * A net.Socket on an accepted connection's handle (a raw one from raw-tcp.ts's RawAccepts, or another
 * socket's), as net.Server makes one for the connections it accepts (it starts reading unless `more`
 * says pauseOnCreate); undefined where this Node refuses the handle.
 */
export function socketOnHandle(handle: object, allowHalfOpen: boolean, more: { pauseOnCreate?: boolean; onread?: OnRead } = {}): Socket | undefined {
  try {
    return new net.Socket({ handle, allowHalfOpen, readable: true, writable: true, ...more } as net.SocketConstructorOpts);
  } catch {
    return undefined;
  }
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
  const target = readTarget(socket);
  if (!target || target.fields[target.keys.buffer] !== null) return false;
  target.fields[target.keys.generator] = onread.buffer;
  target.fields[target.keys.callback] = onread.callback;
  point(target, onread.buffer());
  return true;
}

/**
 * Points a socket that has `onread` at another buffer for its next read (and on, until its read callback
 * returns: then Node asks the generator again). Only outside that socket's read callback: within it,
 * Node sets the buffer from the generator as the callback returns. false, changing nothing, where the
 * socket has no handle (closed) or no `onread` with a buffer generator. Each call leaves a few dozen bytes of
 * native memory with the handle until it closes (Node 20 and 22 stack a new read listener per
 * useUserBuffer; the ones below are never used again): call it rarely.
 */
export function setReadBuffer(socket: Socket, buf: Uint8Array): boolean {
  const target = readTarget(socket);
  if (!target || typeof target.fields[target.keys.generator] !== 'function') return false;
  point(target, buf);
  return true;
}

interface ReadTarget {
  handle: { useUserBuffer: (buf: Uint8Array) => void };
  keys: ReadKeys;
  fields: Record<symbol, unknown>;
}

/** What reading into a caller's buffer takes: a live handle that can, and Socket's private keys. */
function readTarget(socket: Socket): ReadTarget | undefined {
  const handle = (socket as WithHandle)._handle;
  if (!handle || typeof handle.useUserBuffer !== 'function' || socket.destroyed) return undefined;
  const keys = findReadKeys(socket);
  if (!keys) return undefined;
  return { handle: handle as ReadTarget['handle'], keys, fields: socket as unknown as Record<symbol, unknown> };
}

function point(target: ReadTarget, buf: Uint8Array): void {
  target.fields[target.keys.buffer] = buf;
  target.handle.useUserBuffer(buf);
}
