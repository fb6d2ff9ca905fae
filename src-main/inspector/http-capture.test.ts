import { describe, expect, it } from 'vitest';
import { BodyArena } from './body-collector';
import { type CaptureNotice, type CapturedExchange, HttpCapture } from './http-capture';
import { parseFields } from './http-head';

// The parser on exact byte sequences, fed whole, byte by byte and in random splits: what real clients
// do on real sockets is in inspector-curl.test.ts.

function capture(opts: { maxBodyBytes?: number; arena?: BodyArena } = {}) {
  const exchanges: CapturedExchange[] = [];
  const notices: Array<[CaptureNotice, string]> = [];
  let t = 0;
  const cap = new HttpCapture({
    connId: 1,
    client: '127.0.0.1:5000',
    now: () => (t += 1),
    clock: () => 1_700_000_000_000,
    onExchange: (x) => exchanges.push(x),
    onNotice: (k, d) => notices.push([k, d]),
    ...opts,
  });
  return { cap, exchanges, notices };
}

const body = (x: CapturedExchange) => x.requestBody.bytes().toString();
const resBody = (x: CapturedExchange) => x.response?.body.bytes().toString() ?? '';

type Feed = 'whole' | 'bytes' | 'splits';
function feed(fn: (b: Buffer) => void, data: string | Buffer, how: Feed): void {
  const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  if (how === 'whole') return fn(buf);
  if (how === 'bytes') {
    for (let i = 0; i < buf.length; i++) fn(buf.subarray(i, i + 1));
    return;
  }
  let i = 0;
  let seed = buf.length;
  while (i < buf.length) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const n = 1 + (seed % 7);
    fn(buf.subarray(i, i + n));
    i += n;
  }
}

describe.each<Feed>(['whole', 'bytes', 'splits'])('HttpCapture fed %s', (how) => {
  it('records keep-alive exchanges in order with their heads, bodies and statuses', () => {
    const { cap, exchanges, notices } = capture();
    feed((b) => cap.onClientChunk(b), 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n', how);
    feed((b) => cap.onTargetChunk(b), 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello', how);
    feed((b) => cap.onClientChunk(b), 'POST /b?q=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc', how);
    feed((b) => cap.onTargetChunk(b), 'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nxyz\r\n2\r\n!!\r\n0\r\nTrailer: t\r\n\r\n', how);
    cap.onEnd();
    expect(notices).toEqual([]);
    expect(exchanges.map((x) => [x.method, x.target, x.response?.status, x.end])).toEqual([
      ['GET', '/a', 200, 'complete'],
      ['POST', '/b?q=1', 201, 'complete'],
    ]);
    expect(resBody(exchanges[0]!)).toBe('hello');
    expect(body(exchanges[1]!)).toBe('abc');
    expect(resBody(exchanges[1]!)).toBe('xyz!!');
    expect(exchanges[1]!.response!.bytes).toBe(5);
    expect(parseFields(exchanges[0]!.requestHead)).toEqual([['Host', 'x']]);
    expect(exchanges[0]!.host).toBe('x');
    expect(exchanges[1]!.response!.contentType).toBeUndefined();
    expect(exchanges[0]!.response!.contentType).toBe('text/plain');
  });

  it('matches pipelined requests to their responses', () => {
    const { cap, exchanges } = capture();
    feed((b) => cap.onClientChunk(b), 'GET /1 HTTP/1.1\r\n\r\nHEAD /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n', how);
    feed((b) => cap.onTargetChunk(b), 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n', how);
    expect(exchanges.map((x) => [x.target, x.response?.status, x.response?.bytes])).toEqual([
      ['/1', 200, 1],
      ['/2', 200, 0],
      ['/3', 404, 0],
    ]);
  });

  it('de-chunks a chunked upload and notes 100 Continue as interim', () => {
    const { cap, exchanges } = capture();
    feed((b) => cap.onClientChunk(b), 'PUT /up HTTP/1.1\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n', how);
    feed((b) => cap.onTargetChunk(b), 'HTTP/1.1 100 Continue\r\n\r\n', how);
    feed((b) => cap.onClientChunk(b), '4\r\nabcd\r\n0\r\n\r\n', how);
    feed((b) => cap.onTargetChunk(b), 'HTTP/1.1 204 No Content\r\n\r\n', how);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]!.interim).toEqual([100]);
    expect(body(exchanges[0]!)).toBe('abcd');
    expect(exchanges[0]!.response!.status).toBe(204);
  });

  it('stops at 101 Switching Protocols: the exchange is marked upgraded and later bytes are not parsed', () => {
    const { cap, exchanges, notices } = capture();
    feed((b) => cap.onClientChunk(b), 'GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n', how);
    feed((b) => cap.onTargetChunk(b), 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello', how);
    feed((b) => cap.onClientChunk(b), '\x81\x85abcdefghi', how);
    cap.onEnd();
    expect(exchanges.map((x) => [x.response?.status, x.end, x.upgrade])).toEqual([[101, 'upgraded', 'websocket']]);
    expect(notices).toEqual([]);
    expect(cap.stopped).toBe(true);
  });
});

describe('HttpCapture', () => {
  it('keeps the first maxBodyBytes of a body, counts the rest and marks it truncated', () => {
    const { cap, exchanges } = capture({ maxBodyBytes: 4 });
    cap.onClientChunk(Buffer.from('POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789'));
    cap.onTargetChunk(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc'));
    expect(body(exchanges[0]!)).toBe('0123');
    expect(exchanges[0]!.requestBytes).toBe(10);
    expect(exchanges[0]!.requestTruncated).toBe(true);
    expect(exchanges[0]!.response!.truncated).toBe(false);
  });

  it('writes bodies round a fixed arena: the oldest bytes go, and the body they belonged to is lost, not garbled', () => {
    const arena = new BodyArena(10);
    const a = capture({ arena });
    const lost: string[] = [];
    a.cap.onClientChunk(Buffer.from('POST /1 HTTP/1.1\r\nContent-Length: 6\r\n\r\nabcdef'));
    a.cap.onTargetChunk(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nxyz'));
    const first = a.exchanges[0]!;
    first.requestBody.onLost = () => lost.push('first request');
    expect([body(first), resBody(first)]).toEqual(['abcdef', 'xyz']);
    // 4 more bytes fill the arena (6 + 3 + 1) and wrap over "abc": the first request body is lost.
    a.cap.onClientChunk(Buffer.from('POST /2 HTTP/1.1\r\nContent-Length: 4\r\n\r\n1234'));
    expect(lost).toEqual(['first request']);
    expect([first.requestBody.lost, body(first), resBody(first)]).toEqual([true, '', 'xyz']);
    a.cap.onTargetChunk(Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'));
    expect(body(a.exchanges[1]!)).toBe('1234');
    // A body as big as the arena overwrites its own start: lost too, and marked truncated.
    const b = capture({ arena: new BodyArena(4) });
    b.cap.onClientChunk(Buffer.from('POST / HTTP/1.1\r\nContent-Length: 6\r\n\r\n'));
    b.cap.onClientChunk(Buffer.from('abc'));
    b.cap.onClientChunk(Buffer.from('def'));
    b.cap.onTargetChunk(Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'));
    expect([b.exchanges[0]!.requestTruncated, b.exchanges[0]!.requestBytes, body(b.exchanges[0]!)]).toEqual([true, 6, '']);
  });

  it('a response delimited by the close is complete at onEnd; an unanswered request is recorded as closed', () => {
    const { cap, exchanges } = capture();
    cap.onClientChunk(Buffer.from('GET /a HTTP/1.0\r\n\r\n'));
    cap.onTargetChunk(Buffer.from('HTTP/1.0 200 OK\r\n\r\nstreamed until close'));
    cap.onEnd();
    expect(exchanges.map((x) => [x.end, resBody(x)])).toEqual([['complete', 'streamed until close']]);
    const other = capture();
    other.cap.onClientChunk(Buffer.from('GET /slow HTTP/1.1\r\n\r\n'));
    other.cap.onEnd();
    expect(other.exchanges.map((x) => [x.target, x.end, x.response])).toEqual([['/slow', 'closed', undefined]]);
  });

  it('says once that a binary stream is not HTTP, and that TLS and HTTP/2 cannot be inspected', () => {
    const bin = capture();
    bin.cap.onClientChunk(Buffer.from([0x00, 0x01, 0xff, 0x20]));
    bin.cap.onClientChunk(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    bin.cap.onTargetChunk(Buffer.from('HTTP/1.1 200 OK\r\n\r\n'));
    expect(bin.notices.map((n) => n[0])).toEqual(['not-http']);
    expect(bin.exchanges).toEqual([]);
    const tls = capture();
    tls.cap.onClientChunk(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]));
    expect(tls.notices.map((n) => n[0])).toEqual(['tls']);
    const h2 = capture();
    h2.cap.onClientChunk(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'));
    expect(h2.notices[0]?.[1]).toMatch(/HTTP\/2/);
    const banner = capture();
    banner.cap.onTargetChunk(Buffer.from('SSH-2.0-OpenSSH_9.2\r\n'));
    expect(banner.notices.map((n) => n[0])).toEqual(['not-http']);
  });

  it('parses the next request after an upgrade the server refused (held bytes are replayed)', () => {
    const { cap, exchanges } = capture();
    cap.onClientChunk(Buffer.from('GET /ws HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\nGET /next HTTP/1.1\r\n\r\n'));
    cap.onTargetChunk(Buffer.from('HTTP/1.1 426 Upgrade Required\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    expect(exchanges.map((x) => [x.target, x.response?.status])).toEqual([
      ['/ws', 426],
      ['/next', 200],
    ]);
  });

  it('records an early answer to an upload once the upload ends, and times it', () => {
    const { cap, exchanges } = capture();
    cap.onClientChunk(Buffer.from('POST /big HTTP/1.1\r\nContent-Length: 6\r\n\r\nabc'));
    cap.onTargetChunk(Buffer.from('HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n'));
    expect(exchanges).toHaveLength(0);
    cap.onClientChunk(Buffer.from('def'));
    expect(exchanges.map((x) => [x.response?.status, body(x)])).toEqual([[413, 'abcdef']]);
    expect(exchanges[0]!.ttfbMs).toBeGreaterThan(0);
    expect(exchanges[0]!.durationMs).toBeGreaterThanOrEqual(exchanges[0]!.ttfbMs!);
  });

  it('gives up on a malformed chunked body without throwing and records what was pending', () => {
    const { cap, exchanges, notices } = capture();
    cap.onClientChunk(Buffer.from('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'));
    expect(notices.map((n) => n[0])).toEqual(['gave-up']);
    expect(exchanges.map((x) => x.end)).toEqual(['gave-up']);
    expect(() => cap.onClientChunk(Buffer.from('more'))).not.toThrow();
  });
});
