import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../test-support/tmp';
import { downloadName, downloadProfile, fetchFailure, MAX_DOWNLOAD_BYTES, shownUrl } from './profile-download';
import type { FetchLike } from './profile-download';

// A real HTTP server on loopback port 0 plays the profile host. (The link parser allows only https;
// the downloader itself is protocol-agnostic, so plain http on loopback exercises it fully.)

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe('downloadProfile', () => {
  let server: Server;
  let base: string;
  let handler: Handler;
  const sockets = new Set<Socket>();
  const requests: IncomingMessage[] = [];

  beforeEach(async () => {
    requests.length = 0;
    server = createServer((req, res) => {
      requests.push(req);
      handler(req, res);
    });
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    // fetch keeps connections alive in its pool: close them from this side.
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await waitFor(() => sockets.size === 0, 'the test server sockets to close');
  });

  const get = (path: string, opts: { maxBytes?: number; timeoutMs?: number } = {}) => downloadProfile(`${base}${path}`, { fetch, ...opts });

  it('downloads a text profile without cookies, normalising BOM and line ends', async () => {
    handler = (_req, res) => res.end('\uFEFFporthole: 1\r\nrules: []\r\n');
    expect(await get('/p.yaml?token=t')).toBe('porthole: 1\nrules: []\n');
    expect(requests[0]?.method).toBe('GET');
    expect(requests[0]?.headers.cookie).toBeUndefined();
  });

  it('refuses a redirect instead of following it to an address the user never saw', async () => {
    handler = (req, res) => {
      if (req.url === '/p.yaml') res.writeHead(302, { location: '/elsewhere' }).end();
      else res.end('porthole: 1\n');
    };
    await expect(get('/p.yaml')).rejects.toThrow(/redirects elsewhere \(HTTP 302\) — link to the profile file itself/);
    expect(requests.map((r) => r.url)).toEqual(['/p.yaml']);
  });

  it("reads Electron net.fetch's rejection of a manual redirect as the redirect it is", async () => {
    handler = (_req, res) => res.writeHead(301, { location: 'https://elsewhere.example/x' }).end();
    // net.fetch(…, { redirect: 'manual' }) does not return the 3xx: it rejects like this (Electron's
    // ClientRequest gives up on a redirect nobody followed). Same server, that behaviour on top.
    const electronLike: FetchLike = async (url, init) => {
      const res = await fetch(url, init);
      if (res.status >= 300 && res.status < 400) {
        await res.body?.cancel();
        throw new Error('Redirect was cancelled');
      }
      return res;
    };
    await expect(downloadProfile(`${base}/p.yaml`, { fetch: electronLike })).rejects.toThrow(
      `${base}/p.yaml: the server redirects elsewhere (HTTP redirect) — link to the profile file itself`,
    );
  });

  it('maps fetch rejections: redirect refusals, timeouts, network errors', () => {
    const where = 'https://a.example/p.yaml';
    expect(fetchFailure(new Error('Redirect was cancelled'), where).message).toMatch(/redirects elsewhere/);
    expect(fetchFailure(new Error("Attempted to redirect, but redirect policy was 'error'"), where).message).toMatch(/redirects elsewhere/);
    expect(fetchFailure(new TypeError('fetch failed', { cause: new Error('unexpected redirect') }), where).message).toMatch(/redirects elsewhere/);
    expect(fetchFailure(new Error('aborted'), where, 15_000).message).toBe(`${where}: no answer within 15 s`);
    expect(fetchFailure(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ENOTFOUND' }) }), where).message).toBe(
      `${where}: could not download (ENOTFOUND)`,
    );
    expect(fetchFailure(new Error('net::ERR_NAME_NOT_RESOLVED'), where).message).toBe(`${where}: could not download (net::ERR_NAME_NOT_RESOLVED)`);
  });

  it('names the status of a failed answer, and the address without its query', async () => {
    handler = (_req, res) => res.writeHead(404, 'Not Found').end('nope');
    await expect(get('/missing.yaml?token=secret')).rejects.toThrow(`${base}/missing.yaml: the server answered HTTP 404 Not Found`);
    await expect(get('/missing.yaml?token=secret')).rejects.not.toThrow(/secret/);
  });

  it('stops at 1 MiB, by Content-Length or while streaming', async () => {
    handler = (_req, res) => res.writeHead(200, { 'content-length': String(MAX_DOWNLOAD_BYTES + 1) }).end('x'.repeat(MAX_DOWNLOAD_BYTES + 1));
    await expect(get('/big')).rejects.toThrow(/larger than 1 MiB/);
    handler = (_req, res) => {
      res.writeHead(200); // chunked, no length
      const chunk = 'y'.repeat(64 * 1024);
      let sent = 0;
      const pump = (): void => {
        while (sent < 4 * MAX_DOWNLOAD_BYTES) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    };
    await expect(get('/stream')).rejects.toThrow(/larger than 1 MiB/);
  });

  it('gives up after the deadline when the server stalls', async () => {
    handler = (_req, res) => {
      res.writeHead(200);
      res.write('porthole: 1\n'); // ...and never ends
    };
    await expect(get('/slow', { timeoutMs: 300 })).rejects.toThrow(/the download did not finish within 300 ms/);
    handler = () => {}; // no headers at all
    await expect(get('/silent', { timeoutMs: 300 })).rejects.toThrow(/no answer within 300 ms/);
  });

  it('refuses binary and non-UTF-8 bodies', async () => {
    handler = (_req, res) => res.end(Buffer.from([0x70, 0x00, 0x71]));
    await expect(get('/bin')).rejects.toThrow(/binary data \(NUL bytes\)/);
    handler = (_req, res) => res.end(Buffer.from([0xff, 0xfe, 0x41]));
    await expect(get('/latin')).rejects.toThrow(/not UTF-8 text/);
  });

  it('says so when nothing listens', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    await expect(downloadProfile(`http://127.0.0.1:${closed}/p`, { fetch })).rejects.toThrow(/could not download \(ECONNREFUSED\)/);
  });
});

describe('downloadName / shownUrl', () => {
  it('names a download by its file name, else its host; shows addresses without query or fragment', () => {
    expect(downloadName('https://a.example/dir/frpc.toml?x=1')).toBe('frpc.toml');
    expect(downloadName('https://a.example/')).toBe('a.example');
    expect(downloadName('https://a.example/a%2Fb%0A.yaml')).toBe('a_b_.yaml');
    expect(shownUrl('https://a.example/p.yaml?token=t#frag')).toBe('https://a.example/p.yaml');
    expect(shownUrl('not a url')).toBe('the profile address');
  });
});
