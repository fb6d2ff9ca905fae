import { constants as h2, type Http2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import { abortSocket } from '../engine/abort-socket';

export interface SpliceHooks {
  /** Bytes read from the socket (on their way into the stream). */
  fromSocket(n: number, chunk: Buffer): void;
  /** Bytes read from the stream (on their way into the socket). */
  fromStream(n: number, chunk: Buffer): void;
  /** Both sides are closed; `aborted` when either side ended by an error or reset rather than a clean close. */
  closed(aborted: boolean): void;
}

/**
 * Whether a stream was closed by a RST_STREAM (ours or the peer's) with an error code. Node ends the
 * readable side of a reset stream too: its 'end' comes before its 'close', with rstCode already set.
 */
export function streamWasReset(stream: Http2Stream): boolean {
  const rst = stream.rstCode;
  return rst !== undefined && rst !== h2.NGHTTP2_NO_ERROR;
}

/**
 * Aborts a stream with a RST_STREAM alone. close(NGHTTP2_CANCEL) ends the stream's writable side first,
 * so the peer reads an END_STREAM — a clean end, passed on to its socket as a FIN — before the RST, which
 * comes in a later read; destroy() with an error sends the RST (INTERNAL_ERROR) without it.
 */
export function abortStream(stream: Http2Stream): void {
  if (!stream.destroyed) stream.destroy(new Error('the connection was aborted'));
}

/**
 * Joins a TCP socket and an HTTP/2 stream both ways with backpressure (pipe), half-close (a FIN becomes
 * END_STREAM and back) and abort (a reset or error on one side resets the other). The socket must have
 * been made with allowHalfOpen.
 */
export function splice(socket: Socket, stream: Http2Stream, hooks: SpliceHooks): void {
  let aborted = false;
  let open = 2;
  const sideClosed = () => {
    if (--open === 0) hooks.closed(aborted);
  };
  socket.on('data', (d: Buffer) => hooks.fromSocket(d.length, d));
  stream.on('data', (d: Buffer) => hooks.fromStream(d.length, d));
  socket.pipe(stream);
  // A reset stream ends too: that is no FIN for the socket, but a RST.
  stream.pipe(socket, { end: false });
  stream.on('end', () => {
    if (streamWasReset(stream)) {
      aborted = true;
      abortSocket(socket);
    } else {
      socket.end();
    }
  });
  socket.on('error', () => {
    aborted = true;
  });
  stream.on('error', () => {
    aborted = true;
  });
  socket.on('close', () => {
    // Closed before both directions ended cleanly (reset, error, destroy()): abort the stream.
    if (!stream.closed && !(socket.readableEnded && socket.writableFinished)) {
      aborted = true;
      abortStream(stream);
    }
    sideClosed();
  });
  stream.on('close', () => {
    if (streamWasReset(stream)) {
      aborted = true;
      abortSocket(socket);
    } else if (!socket.destroyed && socket.readableEnded && socket.writableFinished) {
      socket.destroy();
    }
    sideClosed();
  });
}
