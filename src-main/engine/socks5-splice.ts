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

export { abortSocket as abort } from './abort-socket';
