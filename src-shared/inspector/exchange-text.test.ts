import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ExchangeDetail } from '../model/inspector';
import { MASK, absoluteUrl, curlCommand } from './exchange-text';
import { buildHar } from './har';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

function detail(over: Partial<ExchangeDetail> = {}): ExchangeDetail {
  return {
    id: 7,
    ruleId: 'r',
    connId: 3,
    client: '127.0.0.1:5555',
    startedAt: Date.UTC(2025, 0, 2, 3, 4, 5),
    method: 'PUT',
    url: "/items/1?q=a%20b&x=it's",
    host: 'api.test',
    status: 201,
    requestBytes: 13,
    responseBytes: 2,
    durationMs: 12.5,
    end: 'complete',
    httpVersion: 'HTTP/1.1',
    request: {
      headers: [
        ['Host', 'api.test'],
        ['Authorization', 'Bearer secret-token'],
        ['Content-Type', 'application/json'],
        ['Content-Length', '13'],
        ['X-Quote', "it's"],
      ],
      body: { size: 13, base64: b64('{"a":"it\'s"}\n'), truncated: false },
    },
    response: {
      httpVersion: 'HTTP/1.1',
      reason: 'Created',
      headers: [
        ['Set-Cookie', 'sid=1'],
        ['Content-Type', 'application/octet-stream'],
      ],
      body: { size: 2, base64: b64(Buffer.from([0xff, 0x00])), truncated: false },
    },
    interim: [],
    timings: { requestMs: 1, waitMs: 10, receiveMs: 1.5 },
    ...over,
  };
}

describe('curlCommand', () => {
  it('masks sensitive headers unless revealed, and quotes for the shell', () => {
    const masked = curlCommand(detail(), false);
    expect(masked).toContain(`'Authorization: ${MASK}'`);
    expect(masked).not.toContain('secret-token');
    expect(masked).not.toContain('Content-Length');
  });

  it('sends the same request when run by a shell (revealed)', async () => {
    const seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    try {
      const cmd = curlCommand(detail({ host: `127.0.0.1:${port}`, request: { ...detail().request, headers: detail().request.headers.map(([k, v]) => [k, k === 'Host' ? `127.0.0.1:${port}` : v]) } }), true);
      await new Promise<void>((resolve, reject) => execFile('sh', ['-c', `${cmd} -sS --max-time 10 -o /dev/null`], (err) => (err ? reject(err) : resolve())));
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ method: 'PUT', url: "/items/1?q=a%20b&x=it's", body: '{"a":"it\'s"}\n' });
      expect(seen[0]!.headers).toMatchObject({ authorization: 'Bearer secret-token', 'content-type': 'application/json', 'x-quote': "it's" });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('points at body.bin for a binary or partly kept body', () => {
    const cmd = curlCommand(detail({ request: { headers: [], body: { size: 3, base64: b64(Buffer.from([0, 1, 2])), truncated: false } } }), true);
    expect(cmd.split('\n')[0]).toMatch(/binary: save it as body.bin/);
    expect(cmd).toContain('--data-binary @body.bin');
    expect(absoluteUrl({ url: 'http://other/x', host: 'h' })).toBe('http://other/x');
  });
});

describe('buildHar', () => {
  it('writes HAR 1.2 entries with masked headers, query, text and base64 bodies, timings and notes', () => {
    const har = buildHar([detail(), detail({ id: 8, replayOf: 7, response: undefined, status: 0, end: 'closed' })], { version: '1.0', reveal: false }) as {
      log: { version: string; creator: { name: string }; entries: Array<Record<string, never>> };
    };
    expect(har.log.version).toBe('1.2');
    expect(har.log.creator.name).toBe('Porthole');
    const [e, replay] = har.log.entries as unknown as Array<Record<string, Record<string, unknown>> & { comment?: string; time: number; startedDateTime: string }>;
    expect(e!.startedDateTime).toBe('2025-01-02T03:04:05.000Z');
    expect(e!.request!.url).toBe("http://api.test/items/1?q=a%20b&x=it's");
    expect(e!.request!.queryString).toEqual([
      { name: 'q', value: 'a b' },
      { name: 'x', value: "it's" },
    ]);
    expect(e!.request!.headers).toContainEqual({ name: 'Authorization', value: MASK });
    expect(e!.request!.postData).toEqual({ mimeType: 'application/json', text: '{"a":"it\'s"}\n' });
    expect(e!.response!.headers).toContainEqual({ name: 'Set-Cookie', value: MASK });
    expect(e!.response!.content).toEqual({ size: 2, mimeType: 'application/octet-stream', text: b64(Buffer.from([0xff, 0])), encoding: 'base64' });
    expect(e!.timings).toMatchObject({ send: 1, wait: 10, receive: 1.5 });
    expect(replay!.comment).toBe('replay of #7; ended: closed');
    expect(replay!.response!.status).toBe(0);
    expect(JSON.stringify(har)).not.toContain('secret-token');
  });
});
