import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { SocksClient } from 'socks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOOPBACK, NetFixtures, closed, openTcpHandles, readToEnd, sha256, waitFor } from '../../test-support/net-fixtures';
import { EngineError } from './engine-error';
import { directConnectTimeout } from './socks5-dialer';
import { Socks5Server, directDialer } from './socks5-server';
import type { Socks5ServerEvents, Socks5ServerOptions } from './socks5-server';

const MiB = 1024 * 1024;
const b = (...bytes: number[]): Buffer => Buffer.from(bytes);

/** Every test below runs on both ways of serving a client: Node's raw TCP handles (the default with directDialer) and net.Socket. */
const PATHS = [
  { path: 'raw handles', rawHandles: true },
  { path: 'net.Socket', rawHandles: false },
];
let rawHandles = true;
let fx = new NetFixtures();
let servers: Socks5Server[] = [];
let httpServers: http.Server[] = [];
let children: ChildProcess[] = [];
let handlesBefore = 0;

beforeEach(() => {
  handlesBefore = openTcpHandles();
});

afterEach(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? once(c, 'exit') : undefined)));
  children = [];
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
  await Promise.all(
    httpServers.map((h) => {
      h.closeAllConnections();
      return new Promise((resolve) => h.close(resolve));
    }),
  );
  httpServers = [];
  await fx.cleanup();
  fx = new NetFixtures();
  await waitFor(() => openTcpHandles() <= handlesBefore, 'every TCP handle the test opened to be released');
});

async function socks(extra: Partial<Socks5ServerOptions> = {}) {
  const server = new Socks5Server({ listen: { host: LOOPBACK, port: 0 }, dial: directDialer(5000), rawHandles, ...extra });
  servers.push(server);
  const errors: Socks5ServerEvents['connection-error'][0][] = [];
  const refusals: Socks5ServerEvents['connection-refused'][0][] = [];
  server.on('connection-error', (e) => errors.push(e));
  server.on('connection-refused', (e) => refusals.push(e));
  const { port } = await server.start();
  // Only a directDialer is dialled on raw handles; any other dialer keeps net.Socket.
  expect(server.usesRawHandles).toBe(rawHandles && (!extra.dial || directConnectTimeout(extra.dial) !== undefined));
  return { server, port, errors, refusals };
}

/** A raw TCP client that records everything it receives, for checking reply bytes exactly. */
async function rawClient(port: number) {
  const socket = await fx.connect(port, { allowHalfOpen: false });
  let data = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => (data = Buffer.concat([data, chunk])));
  return {
    socket,
    /** host:port the server sees (kept: a closed socket no longer knows its port). */
    name: `${LOOPBACK}:${socket.localPort}`,
    port: socket.localPort!,
    /** Resolves with everything received once at least n bytes have arrived (or the socket closed). */
    until: async (n: number): Promise<Buffer> => {
      await waitFor(() => data.length >= n || socket.closed, `${n} bytes from the SOCKS server`);
      return data;
    },
    received: () => data,
  };
}

async function httpServer(body: (path: string) => string): Promise<number> {
  const h = http.createServer((req, res) => res.end(body(req.url ?? '')));
  httpServers.push(h);
  await new Promise<void>((resolve) => h.listen(0, LOOPBACK, resolve));
  return (h.address() as AddressInfo).port;
}

function curl(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  for (const k of ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY']) delete env[k];
  const child = spawn('curl', ['--max-time', '10', '-sS', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function connectRequestV4(port: number, cmd = 1): Buffer {
  return b(5, cmd, 0, 1, 127, 0, 0, 1, port >> 8, port & 0xff);
}

describe.each(PATHS)('Socks5Server with real clients ($path)', (p) => {
  beforeEach(() => {
    rawHandles = p.rawHandles;
  });

  it('serves curl --socks5-hostname (domain resolved by the proxy) and curl --socks5 (IPv4 from the client)', async () => {
    const httpPort = await httpServer((path) => `hello from ${path}`);
    const { server, port, errors } = await socks();
    const opened: string[] = [];
    server.on('connection-open', (info) => opened.push(info.destination));

    const viaName = await curl(['--socks5-hostname', `${LOOPBACK}:${port}`, `http://localhost:${httpPort}/x`]);
    expect(viaName).toMatchObject({ code: 0, stdout: 'hello from /x', stderr: '' });
    const viaIp = await curl(['--socks5', `${LOOPBACK}:${port}`, `http://${LOOPBACK}:${httpPort}/`]);
    expect(viaIp).toMatchObject({ code: 0, stdout: 'hello from /', stderr: '' });

    expect(opened).toEqual([`localhost:${httpPort}`, `${LOOPBACK}:${httpPort}`]);
    expect(errors).toEqual([]);
    await waitFor(() => server.meter.activeConnections === 0, 'both connections to close');
    expect(server.meter.totalConnections).toBe(2);
  });

  it('reaches an IPv6 echo server on ::1 and a domain destination through the `socks` client', async () => {
    const echo6 = await fx.server((s) => s.pipe(s), 0, '::1');
    const echo4 = await fx.echoServer();
    const { server, port } = await socks();
    const opened: string[] = [];
    server.on('connection-open', (info) => opened.push(info.destination));

    for (const host of ['::1', 'localhost']) {
      const destPort = host === '::1' ? echo6.port : echo4.port;
      const { socket } = await SocksClient.createConnection({
        proxy: { host: LOOPBACK, port, type: 5 },
        command: 'connect',
        destination: { host, port: destPort },
        timeout: 5000,
      });
      fx.socket(socket);
      const got = readToEnd(socket);
      socket.end(`ping ${host}`);
      expect((await got).text).toBe(`ping ${host}`);
    }
    expect(opened).toEqual([`[::1]:${echo6.port}`, `localhost:${echo4.port}`]);
  });

  it('accepts the right username/password from curl and from the socks client', async () => {
    const httpPort = await httpServer(() => 'authed');
    const echo = await fx.echoServer();
    const { port, refusals } = await socks({ auth: { username: 'alice', password: 's3cret' } });

    const r = await curl(['--socks5-hostname', `alice:s3cret@${LOOPBACK}:${port}`, `http://localhost:${httpPort}/`]);
    expect(r).toMatchObject({ code: 0, stdout: 'authed' });
    const { socket } = await SocksClient.createConnection({
      proxy: { host: LOOPBACK, port, type: 5, userId: 'alice', password: 's3cret' },
      command: 'connect',
      destination: { host: LOOPBACK, port: echo.port },
      timeout: 5000,
    });
    fx.socket(socket);
    const got = readToEnd(socket);
    socket.end('with auth');
    expect((await got).text).toBe('with auth');
    expect(refusals).toEqual([]);
  });

  it('answers a wrong password with 01 01, closes, and reports auth-failed', async () => {
    const { port, refusals, errors } = await socks({ auth: { username: 'alice', password: 's3cret' } });
    const c = await rawClient(port);
    c.socket.write(b(5, 1, 2));
    expect(await c.until(2)).toEqual(b(5, 2));
    c.socket.write(Buffer.concat([b(1, 5), Buffer.from('alice'), b(6), Buffer.from('s3creT')]));
    await closed(c.socket);
    expect(c.received()).toEqual(b(5, 2, 1, 1));
    expect(refusals).toEqual([{ client: c.name, reason: 'auth-failed' }]);
    expect(errors.map((e) => e.error.code)).toEqual(['AUTH_FAILED']);
    expect(errors[0]!.error.message).not.toContain('s3cre');
  });

  it('answers 05 FF to a client offering only no-auth when auth is configured', async () => {
    const { port, refusals } = await socks({ auth: { username: 'alice', password: 's3cret' } });
    const c = await rawClient(port);
    c.socket.write(b(5, 1, 0));
    await closed(c.socket);
    expect(c.received()).toEqual(b(5, 0xff));
    expect(refusals.map((r) => r.reason)).toEqual(['auth-failed']);
  });

  it('refuses to be built with a username but no password (or an empty one), so it can never run without auth', async () => {
    const make = (auth: { username: string; password?: string }) => () =>
      new Socks5Server({ listen: { host: LOOPBACK, port: 0 }, dial: directDialer(5000), auth });
    for (const auth of [{ username: 'alice' }, { username: 'alice', password: '' }, { username: '', password: 'x' }]) {
      expect(make(auth)).toThrow(EngineError);
      expect(make(auth)).toThrow(expect.objectContaining({ code: 'SOCKS_PASSWORD_MISSING' }));
    }
    expect(make({ username: 'alice' })).toThrow(/127\.0\.0\.1:0 was given user alice without a password/);
  });

  it('offers only 0x02 when auth is configured: a client offering no-auth and user/pass is answered 05 02, never 05 00', async () => {
    const { port } = await socks({ auth: { username: 'alice', password: 's3cret' } });
    const c = await rawClient(port);
    c.socket.write(b(5, 2, 0, 2));
    expect(await c.until(2)).toEqual(b(5, 2));
    // Skipping the auth sub-negotiation and sending a request straight away is a protocol error, not a way in.
    c.socket.write(b(5, 1, 0, 1, 127, 0, 0, 1, 0, 22));
    await closed(c.socket);
    expect(c.received().subarray(0, 4)).toEqual(b(5, 2, 1, 1));
  });

  it('replies 0x05 for a refusing destination, reports TARGET_REFUSED, and serves the next client', async () => {
    const dead = await fx.freePort();
    const echo = await fx.echoServer();
    const { server, port, errors } = await socks();
    const closes: number[] = [];
    server.on('connection-close', (c) => closes.push(c.id));

    const c = await rawClient(port);
    c.socket.write(Buffer.concat([b(5, 1, 0), connectRequestV4(dead)]));
    await closed(c.socket);
    expect(c.received()).toEqual(Buffer.concat([b(5, 0), b(5, 5, 0, 1, 0, 0, 0, 0, 0, 0)]));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ client: c.name, destination: `${LOOPBACK}:${dead}` });
    expect(errors[0]!.error).toBeInstanceOf(EngineError);
    expect(errors[0]!.error.code).toBe('TARGET_REFUSED');

    const next = await rawClient(port);
    next.socket.write(Buffer.concat([b(5, 1, 0), connectRequestV4(echo.port), Buffer.from('after')]));
    const reply = await next.until(2 + 10 + 5);
    expect(reply.subarray(2, 4)).toEqual(b(5, 0));
    expect(reply.subarray(12).toString()).toBe('after');
    await waitFor(() => closes.length === 1, 'the refused connection to be closed');
  });

  it('after a failed dial sends the reply and a FIN, reads and drops what the client still sends, and closes when the client does', async () => {
    const dead = await fx.freePort();
    const { server, port, errors } = await socks();
    const s = await fx.connect(port, { allowHalfOpen: true });
    const resets: unknown[] = [];
    s.on('error', (e) => resets.push(e));
    let got = Buffer.alloc(0);
    s.on('data', (d: Buffer) => (got = Buffer.concat([got, d])));
    const ended = once(s, 'end');
    s.write(Buffer.concat([b(5, 1, 0), connectRequestV4(dead)]));
    await ended;
    expect(got).toEqual(Buffer.concat([b(5, 0), b(5, 5, 0, 1, 0, 0, 0, 0, 0, 0)]));
    expect(errors.map((e) => e.error.code)).toEqual(['TARGET_REFUSED']);
    // Half-closed by the server, the session waits for the client's FIN; bytes sent meanwhile are dropped, not answered with a reset.
    expect(server.connections()).toHaveLength(1);
    s.write(randomBytes(32 * 1024));
    s.end();
    await closed(s);
    await waitFor(() => server.connections().length === 0, 'the session to be gone');
    expect(resets).toEqual([]);
  });

  it('drops a client that never closes after its refusal (a failed dial, a refused greeting) once the handshake timeout has passed again', async () => {
    const dead = await fx.freePort();
    const { server, port } = await socks({ handshakeTimeoutMs: 300 });
    for (const request of [Buffer.concat([b(5, 1, 0), connectRequestV4(dead)]), b(5, 1, 2)]) {
      const s = await fx.connect(port, { allowHalfOpen: true });
      s.on('error', () => undefined);
      s.resume();
      const ended = once(s, 'end');
      s.write(request);
      await ended;
      // (The client has its FIN, so it reads no more and would not notice the reset itself.)
      await waitFor(() => server.connections().length === 0, 'the session to be gone');
      s.destroy();
    }
  });

  it('replies 0x07 to BIND, 0x08 to address type 0x09, and closes a SOCKS4 greeting without a reply', async () => {
    const echo = await fx.echoServer();
    const { port, errors } = await socks();

    const bind = await rawClient(port);
    bind.socket.write(Buffer.concat([b(5, 1, 0), connectRequestV4(echo.port, 2)]));
    await closed(bind.socket);
    expect(bind.received()).toEqual(Buffer.concat([b(5, 0), b(5, 7, 0, 1, 0, 0, 0, 0, 0, 0)]));

    const atyp = await rawClient(port);
    atyp.socket.write(b(5, 1, 0, 5, 1, 0, 9, 1, 2, 3, 4, 0, 80));
    await closed(atyp.socket);
    expect(atyp.received()).toEqual(Buffer.concat([b(5, 0), b(5, 8, 0, 1, 0, 0, 0, 0, 0, 0)]));

    const v4 = await rawClient(port);
    v4.socket.write(b(4, 1, 0, 80, 127, 0, 0, 1, 0));
    await closed(v4.socket);
    expect(v4.received()).toEqual(Buffer.alloc(0));

    expect(errors.map((e) => e.error.code)).toEqual(['INTERNAL', 'INTERNAL', 'INTERNAL']);
    expect(errors[0]!.error.message).toMatch(/BIND.*only CONNECT/);
    expect(errors[1]!.error.message).toMatch(/address type 0x09/);
    expect(errors[2]!.error.message).toMatch(/SOCKS4/);
  });
});

describe.each(PATHS)('Socks5Server data path ($path)', (p) => {
  beforeEach(() => {
    rawHandles = p.rawHandles;
  });

  it('completes a handshake sent one byte per write, with a username/password', async () => {
    const echo = await fx.echoServer();
    const { server, port } = await socks({ auth: { username: 'u', password: 'pw' } });
    const c = await rawClient(port);
    c.socket.setNoDelay(true);
    const handshake = Buffer.concat([b(5, 1, 2), b(1, 1), Buffer.from('u'), b(2), Buffer.from('pw'), connectRequestV4(echo.port)]);
    for (const byte of handshake) {
      await new Promise<void>((resolve) => c.socket.write(b(byte), () => resolve()));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const reply = await c.until(2 + 2 + 10);
    expect(reply.subarray(0, 6)).toEqual(b(5, 2, 1, 0, 5, 0));
    // BND.ADDR/PORT: the outbound socket's local address.
    const [live] = server.connections();
    expect(live).toMatchObject({ state: 'open', destination: `${LOOPBACK}:${echo.port}` });
    expect(reply.subarray(7, 14)).toEqual(b(1, 127, 0, 0, 1, ...[echo.accepted[0]!.remotePort!].flatMap((p) => [p >> 8, p & 0xff])));
    c.socket.write('x');
    expect((await c.until(15)).subarray(14).toString()).toBe('x');
  });

  it('delivers data pipelined in the same write as the greeting and CONNECT to the destination first', async () => {
    const echo = await fx.echoServer();
    const { port } = await socks();
    const c = await rawClient(port);
    const payload = randomBytes(100_000);
    c.socket.write(Buffer.concat([b(5, 1, 0), connectRequestV4(echo.port), payload]));
    const all = await c.until(12 + payload.length);
    expect(all.subarray(0, 4)).toEqual(b(5, 0, 5, 0));
    expect(sha256(all.subarray(12))).toBe(sha256(payload));
  });

  it('carries 16 MiB each way intact and meters both directions', async () => {
    const payload = randomBytes(16 * MiB);
    const back = randomBytes(16 * MiB);
    let received: Promise<{ bytes: number; sha256: string }> = Promise.resolve({ bytes: 0, sha256: '' });
    // The destination reads everything the client sends and, independently, sends 16 MiB of its own.
    const dest = await fx.server((s) => {
      received = readToEnd(s);
      s.end(back);
    });
    const { server, port } = await socks();
    const closeEvent = once(server, 'connection-close');
    const { socket } = await SocksClient.createConnection({
      proxy: { host: LOOPBACK, port, type: 5 },
      command: 'connect',
      destination: { host: LOOPBACK, port: dest.port },
      timeout: 5000,
    });
    fx.socket(socket);
    const fromDest = readToEnd(socket);
    socket.end(payload);

    const [toClient, toDest] = await Promise.all([fromDest, waitFor(() => dest.accepted.length === 1, 'the destination to accept').then(() => received)]);
    expect(toClient).toMatchObject({ bytes: 16 * MiB, sha256: sha256(back) });
    expect(toDest).toMatchObject({ bytes: 16 * MiB, sha256: sha256(payload) });
    const [info] = (await closeEvent) as Socks5ServerEvents['connection-close'];
    expect(info).toMatchObject({ bytesIn: 16 * MiB, bytesOut: 16 * MiB });
    expect(server.meter.snapshot()).toEqual({ bytesIn: 16 * MiB, bytesOut: 16 * MiB, activeConnections: 0, totalConnections: 1 });
  });

  it('works with a non-socket dialer (as ssh-dynamic passes): BND is 0.0.0.0:0 and half-close is passed on', async () => {
    const dialed: unknown[] = [];
    const { port } = await socks({
      dial: (dest, client) => {
        dialed.push({ dest, client });
        return Promise.resolve(new PassThrough()); // an in-memory echo
      },
    });
    const c = await rawClient(port);
    c.socket.write(Buffer.concat([b(5, 1, 0), b(5, 1, 0, 3, 9), Buffer.from('localhost'), b(0, 22), Buffer.from('echo me')]));
    c.socket.end();
    await closed(c.socket);
    expect(c.received()).toEqual(Buffer.concat([b(5, 0, 5, 0, 0, 1, 0, 0, 0, 0, 0, 0), Buffer.from('echo me')]));
    expect(dialed).toEqual([{ dest: { host: 'localhost', port: 22, addressType: 'domain' }, client: { address: LOOPBACK, port: c.port } }]);
  });
});
