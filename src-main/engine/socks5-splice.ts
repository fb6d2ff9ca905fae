import net from 'node:net';
import type { Duplex } from 'node:stream';

/** Copies src → dst with backpressure and passes the FIN on (forward-connection's pump, for any Duplex). */
export function pump(src: Duplex, dst: Duplex, count: (n: number) => void): void {
  src.on('data', (chunk: Buffer) => {
    count(chunk.length);
    if (!dst.write(chunk)) src.pause();
  });
  dst.on('drain', () => src.resume());
  src.once('end', () => dst.end());
}

export function abort(stream: Duplex): void {
  if (stream.destroyed) return;
  // resetAndDestroy() on a socket still connecting would wait for the connect; just drop it instead.
  if (stream instanceof net.Socket && !stream.connecting) stream.resetAndDestroy();
  else stream.destroy();
}
