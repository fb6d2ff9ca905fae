import { randomBytes } from 'node:crypto';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { closed, waitFor } from '../../test-support/net-fixtures';
import { RawAccepts, rawTcp } from '../engine/raw-tcp';
import { RawStreamSplice } from './raw-splice';

// RawStreamSplice on its own, against a node:http2 peer that can be made to hold a stream's data: its
// flow-control window is 0 and it never reads.

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function listening(server: net.Server | http2.Http2Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

it('kill() still closes a connection whose handle closed cleanly while its stream holds the client’s last bytes', async () => {
  const raw = rawTcp();
  expect(raw).toBeDefined();
  // The peer answers and ends its side at once, and never lets a byte of ours in.
  const peer = http2.createServer({ settings: { initialWindowSize: 0 } });
  peer.on('stream', (s) => {
    // Read once (else Node closes a stream it answered without reading), then never again.
    s.resume();
    s.pause();
    s.respond({ ':status': 200 });
    s.end();
  });
  const peerPort = await listening(peer);
  const session = http2.connect(`http://127.0.0.1:${peerPort}`);
  session.on('error', () => undefined);
  cleanups.push(() => new Promise<void>((r) => peer.close(() => r())), () => void session.destroy());

  let splice: RawStreamSplice | undefined;
  let stream: http2.ClientHttp2Stream | undefined;
  let done: ((aborted: boolean) => void) | undefined;
  const closedHooks = new Promise<boolean>((r) => (done = r));
  const listener = net.createServer();
  new RawAccepts(listener, 0, (handle) => {
    stream = session.request({ ':method': 'POST' }, { endStream: false });
    stream.on('error', () => undefined);
    splice = new RawStreamSplice(raw!, handle, stream, { fromSocket: () => undefined, fromStream: () => undefined, closed: (aborted) => done!(aborted) });
  });
  const port = await listening(listener);
  cleanups.push(() => new Promise<void>((r) => listener.close(() => r())));

  // 8 KiB and a FIN (under the stream's high-water mark, so the handle reads on to its end).
  const client = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  client.on('error', () => undefined);
  client.resume();
  client.end(randomBytes(8 * 1024));
  await closed(client);
  // The handle has closed cleanly (FIN both ways); the stream still holds the 8 KiB and our END_STREAM.
  await waitFor(() => (splice as unknown as { end: { closed: boolean } } | undefined)?.end.closed, 'the handle to close');
  expect(stream!.closed).toBe(false);
  expect(stream!.writableLength).toBeGreaterThan(0);

  splice!.kill();
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([closedHooks.then((aborted) => (aborted ? 'closed, aborted' : 'closed')), new Promise<string>((r) => (timer = setTimeout(() => r('still open 3 s after kill()'), 3000)))]);
  clearTimeout(timer);
  expect(outcome).toBe('closed, aborted');
  expect(stream!.destroyed).toBe(true);
});
