import { constants as h2, type Http2Stream } from 'node:http2';
import type { Socket } from 'node:net';

export interface SpliceHooks {
  /** Bytes read from the socket (on their way into the stream). */
  fromSocket(n: number, chunk: Buffer): void;
  /** Bytes read from the stream (on their way into the socket). */
  fromStream(n: number, chunk: Buffer): void;
  /** Both sides are closed; `aborted` when either side ended by an error or reset rather than a clean close. */
  closed(aborted: boolean): void;
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
  stream.pipe(socket);
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
      stream.close(h2.NGHTTP2_CANCEL);
    }
    sideClosed();
  });
  stream.on('close', () => {
    if (stream.rstCode !== undefined && stream.rstCode !== h2.NGHTTP2_NO_ERROR) {
      aborted = true;
      socket.destroy();
    } else if (!socket.destroyed && socket.readableEnded && socket.writableFinished) {
      socket.destroy();
    }
    sideClosed();
  });
}
