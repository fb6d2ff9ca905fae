import type { Socket } from 'node:net';

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
 * copy): pipe() for backpressure, a FIN on one becomes a FIN on the other (both must allow half-open),
 * and one side closing before both its directions ended cleanly destroys the other. Byte counts come
 * from the sockets' own counters, so nothing runs per chunk unless a hook asks for the bytes. With
 * `holdB`, b → a starts only at releaseB() (after b's reply frame has been read off it).
 */
export function joinSockets(a: Socket, b: Socket, hooks: JoinHooks, o: { holdB?: boolean } = {}): { releaseB(): void } {
  let aborted = false;
  let open = 2;
  // A side whose FIN already went by (read together with a frame before the join) ends the other at once.
  const flow = (from: Socket, to: Socket, hook: ((chunk: Buffer) => void) | undefined) => {
    if (hook) from.on('data', hook);
    if (from.readableEnded) to.end();
    else from.pipe(to);
  };
  flow(a, b, hooks.fromA);
  if (!o.holdB) flow(b, a, hooks.fromB);
  const side = (s: Socket, other: Socket) => {
    s.on('error', () => {
      aborted = true;
    });
    s.once('close', () => {
      if (!(s.readableEnded && s.writableFinished)) {
        aborted = true;
        other.destroy();
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
