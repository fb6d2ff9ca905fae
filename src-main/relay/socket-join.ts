import net, { type Socket } from 'node:net';
import { abortSocket } from '../engine/abort-socket';
import { giveOnread } from '../engine/adopt-accepted';
import { PooledReader } from '../engine/pooled-reader';

export interface JoinHooks {
  /** Bytes read from `a` (on their way to `b`); only for observers that need the bytes (the HTTP log). */
  fromA?(chunk: Buffer): void;
  /** Bytes read from `b` (on their way to `a`). */
  fromB?(chunk: Buffer): void;
  /** Both sockets are closed; `aborted` when either ended by an error or a destroy rather than a clean close. */
  closed(aborted: boolean): void;
}

/**
 * Joins two sockets both ways with nothing in between (rathole's model: a data connection is a raw
 * copy), with backpressure; a FIN on one becomes a FIN on the other (both must allow half-open), and
 * one side closing before both its directions ended cleanly aborts the other (a RST where it is plain TCP). Each direction reads
 * into pooled buffers through `onread` (see PooledReader) — TLS sockets too, whose records are
 * gathered into one write — and writes them on without a copy; bytes a socket read before the join (pushed back by a frame reader) go first. A
 * socket that cannot be given `onread` is piped. Hooks see each chunk before it is written (they copy
 * what they keep). With `holdB`, b → a starts only at releaseB() (after b's reply frame has been read
 * off it).
 */
export function joinSockets(a: Socket, b: Socket, hooks: JoinHooks, o: { holdB?: boolean } = {}): { releaseB(): void } {
  let aborted = false;
  let open = 2;
  flow(a, b, hooks.fromA);
  if (!o.holdB) flow(b, a, hooks.fromB);
  const side = (s: Socket, other: Socket) => {
    s.on('error', () => {
      aborted = true;
    });
    s.once('close', () => {
      if (!(s.readableEnded && s.writableFinished)) {
        aborted = true;
        abortPlain(other);
      } else if (!other.destroyed && other.readableEnded && other.writableFinished) {
        other.destroy();
      }
      if (--open === 0) hooks.closed(aborted);
    });
  };
  side(a, b);
  side(b, a);
  let held = o.holdB === true;
  return {
    releaseB: () => {
      if (!held) return;
      held = false;
      flow(b, a, hooks.fromB);
    },
  };
}

/**
 * Aborts a socket with a RST (abortSocket), so that the far end sees a failure rather than a FIN. Node
 * has no reset for a TLS socket; one made on a net.Socket (tls.Server's) is reset through that socket
 * when it never ended (libuv refuses a reset once a shutdown was asked for), then destroyed. Others are
 * destroyed (a FIN).
 */
function abortPlain(s: Socket): void {
  if ((s as Socket & { encrypted?: boolean }).encrypted !== true) return abortSocket(s);
  const tlsHandle = (s as Socket & { _handle?: { _parent?: unknown; _parentWrap?: unknown } | null })._handle;
  const wrap = tlsHandle?._parentWrap;
  if (!s.writableEnded && wrap instanceof net.Socket && (wrap as Socket & { _handle?: unknown })._handle === tlsHandle?._parent) abortSocket(wrap);
  s.destroy();
}

/** One direction, `from` → `to`. */
function flow(from: Socket, to: Socket, hook: ((chunk: Buffer) => void) | undefined): void {
  // A side whose FIN already went by (read together with a frame before the join) ends the other at once.
  if (from.readableEnded) return void to.end();
  // A TLS source hands its cleartext over a record (≤ 16 KiB) at a time: gather them into one write.
  const reader = new PooledReader(undefined, false, hook, (from as Socket & { encrypted?: boolean }).encrypted === true);
  from.pause();
  if (!giveOnread(from, { buffer: reader.next, callback: reader.onRead })) {
    if (hook) from.on('data', hook);
    from.pipe(to);
    from.resume();
    return;
  }
  reader.attach(to, from);
  from.on('close', () => reader.dispose());
  from.on('end', () => {
    reader.drain();
    to.end();
  });
  to.on('drain', () => from.resume());
  // Read before the join (from now on reads go to the reader): those first, in order.
  let full = false;
  for (let chunk: Buffer | null; (chunk = from.read() as Buffer | null) !== null; ) {
    hook?.(chunk);
    full = !to.write(chunk);
  }
  // Until `to` drains (or forever, once the FIN is in: 'end' follows from read() above).
  if (!full && !(from as unknown as { _readableState: { ended: boolean } })._readableState.ended) from.resume();
}
