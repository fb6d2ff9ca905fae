import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type HttpExchange, HttpExchangeLog } from './http-log';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

function observe(opts: { maxHeaderBytes?: number } = {}) {
  const seen: HttpExchange[] = [];
  let t = 1000;
  const log = new HttpExchangeLog((e) => seen.push(e), { now: () => t, ...opts });
  return {
    log,
    seen,
    at(ms: number) {
      t = 1000 + ms;
    },
  };
}

function bytewise(feed: (c: Buffer) => void, data: Buffer): void {
  for (let i = 0; i < data.length; i++) feed(data.subarray(i, i + 1));
}

const GET_A = 'GET /a HTTP/1.1\r\nHost: example.test\r\n\r\n';
const GET_B = 'GET /b?x=1 HTTP/1.1\r\nHost: example.test\r\n\r\n';
const OK_HELLO = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello';
const NOT_FOUND = 'HTTP/1.1 404 Not Found\r\ncontent-length: 9\r\n\r\nnot found';

describe('HttpExchangeLog', () => {
  it('reports method, path, status, time to the response head and the declared body size', () => {
    const o = observe();
    o.log.request(b(GET_A));
    o.at(15);
    o.log.response(b('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n'));
    o.at(40);
    o.log.response(b('hello'));
    o.log.request(b(GET_B));
    o.at(47);
    o.log.response(b(NOT_FOUND));
    expect(o.seen).toEqual([
      { method: 'GET', path: '/a', status: 200, durationMs: 15, bodyBytes: 5 },
      { method: 'GET', path: '/b?x=1', status: 404, durationMs: 7, bodyBytes: 9 },
    ]);
    expect(o.log.gaveUp).toBe(false);
  });

  it('matches two pipelined requests in one chunk to their responses in order', () => {
    const o = observe();
    o.log.request(b(GET_A + GET_B));
    o.at(3);
    o.log.response(b(OK_HELLO + NOT_FOUND));
    expect(o.seen.map((e) => [e.path, e.status, e.durationMs])).toEqual([
      ['/a', 200, 3],
      ['/b?x=1', 404, 3],
    ]);
  });

  it('gives the same exchanges when the same stream arrives one byte at a time', () => {
    const requests = b(`\r\n${GET_A}POST /p HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc${GET_B}`);
    const responses = b(`${OK_HELLO}HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n0\r\n\r\n${NOT_FOUND}`);
    const whole = observe();
    whole.log.request(requests);
    whole.log.response(responses);
    const split = observe();
    bytewise((c) => split.log.request(c), requests);
    bytewise((c) => split.log.response(c), responses);
    expect(whole.seen.map((e) => e.status)).toEqual([200, 201, 404]);
    expect(split.seen).toEqual(whole.seen);
  });

  it('skips a chunked request body with extensions and trailers to find the next request', () => {
    const o = observe();
    o.log.request(
      b(
        'POST /upload HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n' +
          '5;name="v a"\r\nhello\r\n' +
          '16 ; ext=1\r\nGET /fake HTTP/1.1\r\n\r\n\r\n' +
          '0;last\r\nX-Checksum: abc\r\nX-More: 1\r\n\r\n' +
          GET_B,
      ),
    );
    o.log.response(b('HTTP/1.1 204 No Content\r\n\r\n' + NOT_FOUND));
    expect(o.seen.map((e) => [e.method, e.path, e.status])).toEqual([
      ['POST', '/upload', 204],
      ['GET', '/b?x=1', 404],
    ]);
    expect(o.log.gaveUp).toBe(false);
  });

  it('skips a chunked response body, even one that looks like a response', () => {
    const o = observe();
    o.log.request(b(GET_A + GET_B));
    o.log.response(
      b(
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
          '1a\r\nHTTP/1.1 500 Oops\r\n\r\nxxxxx\r\n' +
          'A\r\n0123456789\r\n0\r\n\r\n' +
          NOT_FOUND,
      ),
    );
    expect(o.seen).toEqual([
      { method: 'GET', path: '/a', status: 200, durationMs: 0 },
      { method: 'GET', path: '/b?x=1', status: 404, durationMs: 0, bodyBytes: 9 },
    ]);
  });

  it('expects no body after a HEAD response, whatever its Content-Length says', () => {
    const o = observe();
    o.log.request(b('HEAD /big HTTP/1.1\r\n\r\n' + GET_A));
    o.log.response(b('HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n' + OK_HELLO));
    expect(o.seen.map((e) => [e.method, e.status, e.bodyBytes])).toEqual([
      ['HEAD', 200, 0],
      ['GET', 200, 5],
    ]);
  });

  it('expects no body after 204 and 304', () => {
    const o = observe();
    o.log.request(b(GET_A + GET_A + GET_B));
    o.log.response(
      b('HTTP/1.1 204 No Content\r\n\r\n' + 'HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\nETag: "x"\r\n\r\n' + NOT_FOUND),
    );
    expect(o.seen.map((e) => [e.status, e.bodyBytes])).toEqual([
      [204, 0],
      [304, 0],
      [404, 9],
    ]);
  });

  it('lets 100 Continue pass without consuming the pending request', () => {
    const o = observe();
    o.log.request(b('PUT /file HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n'));
    o.at(2);
    o.log.response(b('HTTP/1.1 100 Continue\r\n\r\n'));
    expect(o.seen).toEqual([]);
    o.log.request(b('data'));
    o.at(9);
    o.log.response(b('HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n'));
    expect(o.seen).toEqual([{ method: 'PUT', path: '/file', status: 201, durationMs: 9, bodyBytes: 0 }]);
  });

  it('reports a 101 upgrade, then ignores the WebSocket frames that follow', () => {
    const o = observe();
    o.log.request(b('GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'));
    o.log.response(b('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello'));
    expect(o.seen).toEqual([{ method: 'GET', path: '/ws', status: 101, durationMs: 0, bodyBytes: 0 }]);
    expect(o.log.giveUpReason).toBe('upgrade');
    o.log.request(b('\x81\x85\x00\x00\x00\x00hello' + GET_A));
    o.log.response(b(OK_HELLO));
    o.log.close();
    expect(o.seen).toHaveLength(1);
  });

  it('reports CONNECT even when tunnel bytes follow the request at once, then gives up', () => {
    const o = observe();
    o.log.request(Buffer.concat([b('CONNECT example.test:443 HTTP/1.1\r\n\r\n'), Buffer.from([0x16, 0x03, 0x01, 0x00])]));
    expect(o.log.gaveUp).toBe(false);
    o.log.response(b('HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x03'));
    expect(o.seen).toEqual([{ method: 'CONNECT', path: 'example.test:443', status: 200, durationMs: 0, bodyBytes: 0 }]);
    expect(o.log.giveUpReason).toBe('connect');
  });

  it.each([
    ['a TLS ClientHello', Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03])],
    ['an SSH banner', b('SSH-2.0-OpenSSH_9.6\r\n')],
    ['an HTTP/0.9 request', b('GET /\r\n')],
    ['HTTP/2 prior knowledge', b('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')],
    ['a lower-case version', b('GET / http/1.1\r\n\r\n')],
    ['two spaces', b('GET  / HTTP/1.1\r\n\r\n')],
  ])('gives up quietly on %s', (_name, bytes) => {
    const o = observe();
    o.log.request(bytes);
    expect(o.log.giveUpReason).toBe('not-http');
    o.log.response(b(OK_HELLO));
    o.log.close();
    expect(o.seen).toEqual([]);
  });

  it('gives up when the server speaks first and is not HTTP', () => {
    const o = observe();
    o.log.response(b('220 mail.example.test ESMTP\r\n'));
    expect(o.log.gaveUp).toBe(true);
  });

  it('gives up on a head longer than maxHeaderBytes, but not on one that fits', () => {
    const small = observe({ maxHeaderBytes: 64 });
    small.log.request(b('GET / HTTP/1.1\r\nCookie: ' + 'x'.repeat(60) + '\r\n\r\n'));
    expect(small.log.giveUpReason).toBe('head-too-long');

    const endless = observe();
    bytewise((c) => endless.log.request(c), b('GET / HTTP/1.1\r\nX: ' + 'y'.repeat(17 * 1024)));
    expect(endless.log.giveUpReason).toBe('head-too-long');

    const fits = observe();
    fits.log.request(b('GET / HTTP/1.1\r\nX: ' + 'y'.repeat(15 * 1024) + '\r\n\r\n'));
    fits.log.response(b(OK_HELLO));
    expect(fits.log.gaveUp).toBe(false);
    expect(fits.seen).toHaveLength(1);
  });

  it('on close, reports requests that got no response with status 0', () => {
    const o = observe();
    o.log.request(b(GET_A + 'POST /slow HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc'));
    o.at(5);
    o.log.response(b(OK_HELLO));
    o.log.request(b('GET /partial HT'));
    o.at(30);
    o.log.close();
    o.log.close();
    expect(o.seen).toEqual([
      { method: 'GET', path: '/a', status: 200, durationMs: 5, bodyBytes: 5 },
      { method: 'POST', path: '/slow', status: 0, durationMs: 30 },
    ]);
  });

  it('reads a response without length until close, and reports later requests as unanswered', () => {
    const o = observe();
    o.log.request(b(GET_A));
    o.log.response(b('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nHTTP/1.1 404 inside the body\r\n\r\n'));
    o.log.request(b(GET_B));
    o.log.response(b(NOT_FOUND));
    o.log.close();
    expect(o.seen.map((e) => [e.path, e.status, e.bodyBytes])).toEqual([
      ['/a', 200, undefined],
      ['/b?x=1', 0, undefined],
    ]);
  });

  it('after a malformed request, still reports responses owed to earlier ones, then gives up', () => {
    const o = observe();
    o.log.request(b(GET_A + 'NOT HTTP AT ALL\r\n\r\n'));
    expect(o.log.gaveUp).toBe(false);
    o.log.response(b(OK_HELLO + 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
    expect(o.seen.map((e) => e.status)).toEqual([200]);
    expect(o.log.gaveUp).toBe(true);
  });

  it.each([
    ['conflicting Content-Length values', 'POST /x HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd'],
    ['a Transfer-Encoding that does not end in chunked', 'POST /x HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n'],
    ['a chunk size that is not hex', 'POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    ['a chunk size beyond 2^52', 'POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000\r\n'],
  ])('stops reading requests after %s, but still reports that request', (_name, stream) => {
    const o = observe();
    o.log.request(b(stream + GET_A));
    expect(o.log.gaveUp).toBe(false);
    o.log.response(b('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'));
    expect(o.seen.map((e) => [e.path, e.status])).toEqual([['/x', 400]]);
    expect(o.log.giveUpReason).toBe('bad-framing');
  });

  it('stops queueing past 1024 unanswered pipelined requests', () => {
    const o = observe();
    o.log.request(b(GET_A.repeat(1100)));
    o.log.close();
    expect(o.seen).toHaveLength(1024);
    expect(o.seen.every((e) => e.status === 0)).toBe(true);
  });

  it('neutralises control characters in the path and truncates it to 200 characters', () => {
    const o = observe();
    o.log.request(b('GET /a\x1b[31mred\x07\x00\x7f\tb HTTP/1.1\r\n\r\n'));
    o.log.request(Buffer.from('GET /x\u2028y\u202ez\u00e9 HTTP/1.1\r\n\r\n', 'utf8'));
    o.log.request(b(`GET /${'p'.repeat(500)} HTTP/1.1\r\n\r\n`));
    o.log.response(b(OK_HELLO.repeat(3)));
    expect(o.seen.map((e) => e.path)).toEqual(['/a?[31mred????b', '/x?y?z\u00e9', `/${'p'.repeat(199)}`]);
  });

  it('survives a logger that throws', () => {
    const log = new HttpExchangeLog(() => {
      throw new Error('disk full');
    });
    log.request(b(GET_A + GET_B));
    expect(() => log.response(b(OK_HELLO + NOT_FOUND))).not.toThrow();
    expect(log.gaveUp).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Properties

const fragments = fc
  .array(
    fc.constantFrom(
      'GET ', 'HEAD ', 'CONNECT ', 'POST ', '/ ', '/a?b ', 'HTTP/1.1', 'HTTP/1.0', ' 200 OK', ' 100 x', ' 101 ', ' 204 ', '\r\n', '\n',
      '\r', 'Content-Length: 3', 'Content-Length: 1, 2', 'content-length: 99999999999999999999', 'Transfer-Encoding: chunked',
      'Transfer-Encoding: gzip', '5;x=y\r\nabcde\r\n', '0\r\n\r\n', 'ffffffffffffffffff\r\n', ': ', ' ', '\x00', '\xff',
    ),
    { maxLength: 30 },
  )
  .map((parts) => b(parts.join('')));

/** Feeds request and response chunks in the order given by `sides`, each stream keeping its own order. */
function feedInterleaved(log: HttpExchangeLog, req: Buffer[], res: Buffer[], sides: boolean[]): void {
  let r = 0;
  let s = 0;
  for (let k = 0; r < req.length || s < res.length; k++) {
    if (s >= res.length || (r < req.length && sides[k % Math.max(1, sides.length)] === true)) log.request(req[r++]!);
    else log.response(res[s++]!);
  }
}

function splitAt(data: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((x, y) => x - y);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, data.length]) {
    if (p > prev) out.push(data.subarray(prev, p));
    prev = p;
  }
  return out;
}

describe('HttpExchangeLog properties', () => {
  it('never throws and only reports sane exchanges, whatever the bytes and chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.uint8Array({ maxLength: 48 }).map((u) => Buffer.from(u)), fragments), { maxLength: 12 }),
        fc.array(fc.oneof(fc.uint8Array({ maxLength: 48 }).map((u) => Buffer.from(u)), fragments), { maxLength: 12 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }),
        fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }),
        (req, res, sides, maxHeaderBytes) => {
          const seen: HttpExchange[] = [];
          const log = new HttpExchangeLog((e) => seen.push(e), { maxHeaderBytes });
          feedInterleaved(log, req, res, sides);
          log.close();
          // request()/response() catch their own bugs; this proves none were hit.
          expect(log.giveUpReason).not.toBe('internal-error');
          for (const e of seen) {
            expect(e.path.length).toBeLessThanOrEqual(200);
            expect(e.path).not.toMatch(/[\p{Cc}\p{Cf}\u2028\u2029]/u);
            expect(Number.isInteger(e.status)).toBe(true);
            expect(e.durationMs).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  const body = fc.oneof(
    fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u)),
    fc.array(fc.constantFrom('GET / HTTP/1.1\r\n\r\n', 'HTTP/1.1 200 OK\r\n\r\n', '0\r\n\r\n', '\r\n', 'x'), { maxLength: 4 }).map((p) => b(p.join(''))),
  );
  const framed = fc.oneof(
    fc.record({ kind: fc.constant('length' as const), data: body }),
    fc.record({ kind: fc.constant('chunked' as const), chunks: fc.array(body.filter((d) => d.length > 0), { maxLength: 3 }), trailers: fc.boolean() }),
  );
  type Framed = { kind: 'length'; data: Buffer } | { kind: 'chunked'; chunks: Buffer[]; trailers: boolean };
  const exchange = fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'OPTIONS'),
    path: fc.stringMatching(/^\/[a-z0-9/?=&%.~-]{0,20}$/),
    request: fc.option(framed, { nil: undefined }),
    interim: fc.boolean(),
    status: fc.constantFrom(200, 201, 204, 301, 304, 404, 500),
    response: framed,
  });

  function encode(headLines: string, f: Framed | undefined, withBody: boolean): Buffer {
    if (!f) return b(`${headLines}\r\n`);
    if (f.kind === 'length') return Buffer.concat([b(`${headLines}Content-Length: ${f.data.length}\r\n\r\n`), withBody ? f.data : b('')]);
    const head = b(`${headLines}Transfer-Encoding: chunked\r\n\r\n`);
    if (!withBody) return head;
    const parts = f.chunks.flatMap((c, i) => [b(`${c.length.toString(16)}${i % 2 ? ';ext="a b"' : ''}\r\n`), c, b('\r\n')]);
    return Buffer.concat([head, ...parts, b(f.trailers ? '0\r\nX-Sum: 1\r\n\r\n' : '0\r\n\r\n')]);
  }

  it('splitting a valid conversation at random points gives the same exchanges as feeding it whole', () => {
    fc.assert(
      fc.property(
        fc.array(exchange, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }),
        (exchanges, reqCuts, resCuts, sides) => {
          const reqs = exchanges.map((x) => encode(`${x.method} ${x.path} HTTP/1.1\r\nHost: h\r\n`, x.request, true));
          const ress = exchanges.map((x) => {
            const bodiless = x.method === 'HEAD' || x.status === 204 || x.status === 304;
            const interim = x.interim ? b('HTTP/1.1 100 Continue\r\n\r\n') : b('');
            return Buffer.concat([interim, encode(`HTTP/1.1 ${x.status} Whatever\r\n`, x.response, !bodiless)]);
          });
          const expected = exchanges.map((x) => {
            const bodiless = x.method === 'HEAD' || x.status === 204 || x.status === 304;
            const bodyBytes = bodiless ? 0 : x.response.kind === 'length' ? x.response.data.length : undefined;
            return { method: x.method, path: x.path, status: x.status, durationMs: 0, ...(bodyBytes === undefined ? {} : { bodyBytes }) };
          });

          const whole = observe();
          whole.log.request(Buffer.concat(reqs));
          whole.log.response(Buffer.concat(ress));
          whole.log.close();
          expect(whole.seen).toEqual(expected);

          // Random cuts, with each response fed only after its whole request (causality on a real wire).
          const split = observe();
          const reqChunks = splitAt(Buffer.concat(reqs), reqCuts);
          const resChunks = exchanges.flatMap((_x, i) => splitAt(ress[i]!, resCuts.slice(i * 5, i * 5 + 5)).map((c) => ({ c, i })));
          const reqEnds = reqs.reduce<number[]>((acc, r) => [...acc, (acc.at(-1) ?? 0) + r.length], []);
          let fedReq = 0;
          let r = 0;
          let s = 0;
          for (let k = 0; r < reqChunks.length || s < resChunks.length; k++) {
            const next = resChunks[s];
            const mayRespond = next !== undefined && fedReq >= reqEnds[next.i]!;
            if (!mayRespond || (r < reqChunks.length && sides[k % sides.length] === true)) {
              const c = reqChunks[r++]!;
              fedReq += c.length;
              split.log.request(c);
            } else {
              split.log.response(next.c);
              s++;
            }
          }
          split.log.close();
          expect(split.seen).toEqual(expected);
          expect(split.log.gaveUp).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// Against Node's own HTTP client and server, through a tee like the relay's.

describe('HttpExchangeLog on a real connection', () => {
  it('logs a keep-alive conversation between Node http client and server', async () => {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/upload') res.writeHead(201, { 'Content-Length': 6 }).end('stored');
        else if (req.url === '/empty') res.writeHead(204).end();
        else if (req.url === '/stream') {
          res.write('a');
          res.end('b');
        } else res.end('hello');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');

    // One observer per relayed connection, as the relay would do; the client may open more than one.
    const seen: HttpExchange[] = [];
    const logs: HttpExchangeLog[] = [];
    const sockets: net.Socket[] = [];
    const proxy = net.createServer((client) => {
      const log = new HttpExchangeLog((e) => seen.push(e));
      logs.push(log);
      const upstream = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
      sockets.push(client, upstream);
      client.on('data', (c: Buffer) => log.request(c));
      upstream.on('data', (c: Buffer) => log.response(c));
      client.pipe(upstream).pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
        log.close();
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    const port = (proxy.address() as AddressInfo).port;

    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const call = (method: string, path: string, parts: string[] = []) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method, path, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        for (const p of parts) req.write(p);
        req.end();
      });
    try {
      expect(await call('GET', '/hello')).toBe(200);
      expect(await call('POST', '/upload', ['part one, ', 'part two'])).toBe(201);
      expect(await call('HEAD', '/hello')).toBe(200);
      expect(await call('GET', '/stream')).toBe(200);
      expect(await call('DELETE', '/empty')).toBe(204);
    } finally {
      agent.destroy();
      await Promise.all(sockets.map((s) => (s.closed ? undefined : once(s, 'close'))));
      await Promise.all([new Promise((r) => proxy.close(r)), new Promise((r) => server.close(r))]);
    }
    expect(sockets.every((s) => s.closed)).toBe(true);
    expect(seen.map((e) => [e.method, e.path, e.status, e.bodyBytes])).toEqual([
      ['GET', '/hello', 200, 5],
      ['POST', '/upload', 201, 6],
      ['HEAD', '/hello', 200, 0],
      ['GET', '/stream', 200, undefined],
      ['DELETE', '/empty', 204, 0],
    ]);
    expect(seen.every((e) => e.durationMs >= 0 && e.durationMs < 5000)).toBe(true);
    expect(logs.some((l) => l.gaveUp)).toBe(false);
  });
});
