import net from 'node:net';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOOPBACK, NetFixtures, closed, openTcpHandles, readToEnd, waitFor } from '../../test-support/net-fixtures';
import { connectError } from './engine-error';
import { directConnectTimeout } from './socks5-dialer';
import { Socks5Server, directDialer } from './socks5-server';
import type { Socks5ServerEvents, Socks5ServerOptions, SocksDialer } from './socks5-server';
import { prng } from '../../test-support/prng';

const b = (...bytes: number[]): Buffer => Buffer.from(bytes);

/** Every test below runs on both ways of serving a client: Node's raw TCP handles (the default with directDialer) and net.Socket. */
const PATHS = [
  { path: 'raw handles', rawHandles: true },
  { path: 'net.Socket', rawHandles: false },
];
let rawHandles = true;
let fx = new NetFixtures();
let servers: Socks5Server[] = [];
let handlesBefore = 0;

beforeEach(() => {
  handlesBefore = openTcpHandles();
});

afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
  await fx.cleanup();
  fx = new NetFixtures();
  await waitFor(() => openTcpHandles() <= handlesBefore, 'every TCP handle the test opened to be released');
});

async function socks(extra: Partial<Socks5ServerOptions> = {}) {
  const server = new Socks5Server({ listen: { host: LOOPBACK, port: 0 }, dial: directDialer(5000), rawHandles, ...extra });
  servers.push(server);
  const errors: Socks5ServerEvents['connection-error'][0][] = [];
  const refusals: Socks5ServerEvents['connection-refused'][0][] = [];
  const listenerErrors: unknown[] = [];
  server.on('connection-error', (e) => errors.push(e));
  server.on('connection-refused', (e) => refusals.push(e));
  server.on('listener-error', (e) => listenerErrors.push(e));
  const { port } = await server.start();
  // Only a directDialer is dialled on raw handles; any other dialer keeps net.Socket.
  expect(server.usesRawHandles).toBe(rawHandles && (!extra.dial || directConnectTimeout(extra.dial) !== undefined));
  return { server, port, errors, refusals, listenerErrors };
}

function connectV4(port: number): Buffer {
  return b(5, 1, 0, 1, 127, 0, 0, 1, port >> 8, port & 0xff);
}

/** Sends one whole exchange (greeting + request + data), then checks the tunnel echoes `text` back. */
async function echoesThrough(port: number, destPort: number, text: string): Promise<boolean> {
  const s = await fx.connect(port, { allowHalfOpen: true });
  const got = readToEnd(s);
  s.end(Buffer.concat([b(5, 1, 0), connectV4(destPort), Buffer.from(text)]));
  // 05 00 (method), 05 00 00 01 + BND (10-byte success reply), then the echo.
  const all = Buffer.from((await got).text, 'latin1');
  return all.subarray(0, 4).equals(b(5, 0, 5, 0)) && all.subarray(12).toString() === text;
}

describe.each(PATHS)('Socks5Server under hostile and broken clients ($path)', (p) => {
  beforeEach(() => {
    rawHandles = p.rawHandles;
  });

  it('survives 2,000 random and mutated handshakes: each is answered or closed, and a valid client works after', async () => {
    const echo = await fx.echoServer();
    let dials = 0;
    // Fuzzed requests name arbitrary hosts: never dial them. Even ports reach the local echo server,
    // odd ones (but the echo server's own) fail like a refused connect, so both outcomes of a parsed CONNECT are exercised.
    const dial: SocksDialer = (dest) => {
      dials += 1;
      if (!(dest.host === LOOPBACK && dest.port === echo.port) && dest.port % 2 === 1) return Promise.reject(connectError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), dest.host, dest.port));
      return new Promise<Duplex>((resolve, reject) => {
        const s = net.connect({ host: LOOPBACK, port: echo.port, allowHalfOpen: true });
        s.once('connect', () => resolve(s));
        s.once('error', reject);
      });
    };
    const { server, port, listenerErrors } = await socks({ dial, auth: undefined, handshakeTimeoutMs: 5000 });
    const rand = prng(0x5eed);
    const valid = [b(5, 1, 0), b(5, 2, 2, 0), Buffer.concat([b(5, 1, 0), connectV4(echo.port)]), Buffer.concat([b(5, 1, 0), b(5, 1, 0, 3, 9), Buffer.from('localhost'), b(0, 80)])];
    const randomInput = (): Buffer => {
      if (rand() < 0.5) return Buffer.from(Array.from({ length: Math.floor(rand() * 65) }, () => Math.floor(rand() * 256)));
      let out = Buffer.from(valid[Math.floor(rand() * valid.length)]!);
      for (let m = 0, n = 1 + Math.floor(rand() * 3); m < n; m++) {
        const pos = Math.floor(rand() * (out.length + 1));
        const op = rand();
        if (op < 0.4 && out.length > 0) out[Math.min(pos, out.length - 1)] = Math.floor(rand() * 256);
        else if (op < 0.6) out = out.subarray(0, pos);
        else out = Buffer.concat([out.subarray(0, pos), b(Math.floor(rand() * 256)), out.subarray(pos)]);
      }
      return out;
    };

    const outcomes = { answered: 0, silent: 0 };
    const one = async (input: Buffer): Promise<void> => {
      // allowHalfOpen false: the client closes once the server's FIN arrives.
      const s = await fx.connect(port, { allowHalfOpen: false });
      let bytes = 0;
      s.on('data', (d: Buffer) => (bytes += d.length));
      // Sending FIN after the bytes tells the server nothing more is coming: it must close, not wait.
      s.end(input);
      await closed(s);
      outcomes[bytes > 0 ? 'answered' : 'silent'] += 1;
    };
    const inputs = Array.from({ length: 2000 }, randomInput);
    for (let i = 0; i < inputs.length; i += 50) await Promise.all(inputs.slice(i, i + 50).map(one));

    expect(outcomes.answered + outcomes.silent).toBe(2000);
    expect(outcomes.answered).toBeGreaterThan(200);
    expect(dials).toBeGreaterThan(10);
    expect(listenerErrors).toEqual([]);
    await waitFor(() => server.connections().length === 0, 'every fuzzed connection to be closed');
    expect(server.meter.activeConnections).toBe(0);
    expect(await echoesThrough(port, echo.port, 'still serving')).toBe(true);
  });

  it('drops a client that sends nothing within the handshake timeout, and one that stops mid-greeting', async () => {
    const { server, port, errors } = await socks({ handshakeTimeoutMs: 200 });
    const silent = await fx.connect(port);
    const partial = await fx.connect(port);
    partial.write(b(5, 3, 0));
    expect(server.connections().map((c) => c.state)).toEqual(['handshake', 'handshake']);
    await Promise.all([closed(silent), closed(partial)]);
    expect(errors).toHaveLength(2);
    for (const e of errors) expect(e.error.message).toMatch(/did not finish the SOCKS5 handshake within 200 ms/);
    await waitFor(() => server.connections().length === 0, 'both sessions to be gone');
  });

  it('closes a client that half-closes mid-handshake without waiting for the timeout', async () => {
    const { server, port, errors } = await socks({ handshakeTimeoutMs: 60_000 });
    const s = await fx.connect(port, { allowHalfOpen: false });
    s.end(b(5, 1));
    await closed(s);
    await waitFor(() => server.connections().length === 0, 'the session to be gone');
    expect(errors).toEqual([]);
  });

  it('refuses clients the allow filter rejects and clients beyond maxConnections, before any handshake', async () => {
    const denied = await socks({ allow: () => false });
    // The refusal is a RST right after accept: connect and wait for the close, whichever way it comes.
    const d = fx.socket(net.connect({ host: LOOPBACK, port: denied.port }));
    await closed(d);
    expect(denied.refusals).toEqual([{ client: expect.stringMatching(/^127\.0\.0\.1:\d+$/), reason: 'not-allowed' }]);

    const limited = await socks({ maxConnections: 1 });
    const first = await fx.connect(limited.port);
    await waitFor(() => limited.server.connections().length === 1, 'the first client to be accepted');
    const second = fx.socket(net.connect({ host: LOOPBACK, port: limited.port }));
    await closed(second);
    expect(limited.refusals.map((r) => r.reason)).toEqual(['max-connections']);
    expect(first.closed).toBe(false);
  });

  it('maps a connect timeout to reply 0x06 (TARGET_TIMEOUT) and a DNS failure to 0x04', async () => {
    const blackhole = await fx.unacceptingPort();
    const timing = await socks({ dial: directDialer(200) });
    const s = await fx.connect(timing.port, { allowHalfOpen: false });
    let data = Buffer.alloc(0);
    s.on('data', (d: Buffer) => (data = Buffer.concat([data, d])));
    s.write(Buffer.concat([b(5, 1, 0), connectV4(blackhole)]));
    expect(timing.server.connections()).toHaveLength(1);
    await closed(s);
    expect(data.subarray(2, 4)).toEqual(b(5, 6));
    expect(timing.errors.map((e) => e.error.code)).toEqual(['TARGET_TIMEOUT']);

    const dns = await socks({ dial: (d) => Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${d.host}`), { code: 'ENOTFOUND' })) });
    const t = await fx.connect(dns.port, { allowHalfOpen: false });
    const got = readToEnd(t);
    t.write(Buffer.concat([b(5, 1, 0), b(5, 1, 0, 3, 7), Buffer.from('no.such'), b(0, 80)]));
    expect((await got).text.slice(2, 4)).toBe('\x05\x04');
    expect(dns.errors[0]).toMatchObject({ destination: 'no.such:80', error: { code: 'DNS_FAILED' } });
  });

  it('cancels the dial when the client leaves while connecting, without reporting an error', async () => {
    let signal: AbortSignal | undefined;
    const { server, port, errors } = await socks({
      dial: (_dest, _client, sig) => {
        signal = sig;
        return new Promise((_resolve, reject) => sig?.addEventListener('abort', () => reject(new Error('aborted'))));
      },
    });
    const s = await fx.connect(port);
    s.write(Buffer.concat([b(5, 1, 0), connectV4(9)]));
    await waitFor(() => server.connections()[0]?.state === 'connecting', 'the session to be connecting');
    // A reset, not a FIN: a FIN while connecting is a legitimate half-close whose data still goes through.
    s.resetAndDestroy();
    await waitFor(() => server.connections().length === 0, 'the session to be gone');
    expect(signal?.aborted).toBe(true);
    expect(errors).toEqual([]);
  });

  it('abandons a dial to a destination that does not answer when the client resets, without reporting an error', async () => {
    const blackhole = await fx.unacceptingPort();
    // A connect timeout far beyond waitFor's: the session can only be gone in time if the reset ended it.
    const { server, port, errors } = await socks({ dial: directDialer(60_000) });
    const s = await fx.connect(port);
    s.write(Buffer.concat([b(5, 1, 0), connectV4(blackhole)]));
    await waitFor(() => server.connections()[0]?.state === 'connecting', 'the session to be connecting');
    s.resetAndDestroy();
    await waitFor(() => server.connections().length === 0, 'the session to be gone');
    expect(errors).toEqual([]);
  });

  it('leaves a finished dial alone when the connection closes (nothing to cancel), and aborts one closed before it starts', async () => {
    const echo = await fx.echoServer();
    const signals: AbortSignal[] = [];
    const dialer = directDialer(5000);
    const { server, port, errors } = await socks({
      dial: (dest, client, sig) => {
        signals.push(sig!);
        return dialer(dest, client, sig);
      },
    });
    expect(await echoesThrough(port, echo.port, 'hello')).toBe(true);
    await waitFor(() => server.connections().length === 0, 'the session to be gone');
    expect(signals.map((s) => s.aborted)).toEqual([false]);
    // Closed by a 'connection-open' listener, before the dialer is called: the dialer gets an aborted signal.
    server.once('connection-open', (c) => server.closeConnection(c.id));
    const s = await fx.connect(port, { allowHalfOpen: false });
    s.on('error', () => undefined);
    s.write(Buffer.concat([b(5, 1, 0), connectV4(echo.port)]));
    await waitFor(() => signals.length === 2 && server.connections().length === 0, 'the second session to be gone');
    expect(signals[1]!.aborted).toBe(true);
    expect(errors).toEqual([]);
  });

  it('lists connections with state and counters, and closeConnection() aborts one', async () => {
    const echo = await fx.echoServer();
    const { server, port } = await socks();
    const closes: Socks5ServerEvents['connection-close'][0][] = [];
    server.on('connection-close', (c) => closes.push(c));
    // A reading client without half-open (as in the stop() test below): the abort closes it whether it
    // arrives as a RST or, with the echo still unread, as a FIN — a paused half-open client waited forever.
    const s = (await fx.connect(port, { allowHalfOpen: false })).resume();
    s.write(Buffer.concat([b(5, 1, 0), connectV4(echo.port), Buffer.from('abc')]));
    await waitFor(() => server.connections()[0]?.bytesOut === 3, 'the echo to come back');
    expect(server.connections()).toEqual([
      expect.objectContaining({ id: 1, state: 'open', destination: `${LOOPBACK}:${echo.port}`, bytesIn: 3, bytesOut: 3 }),
    ]);
    expect(server.closeConnection(99)).toBe(false);
    expect(server.closeConnection(1)).toBe(true);
    await closed(s);
    await waitFor(() => closes.length === 1, 'connection-close');
    expect(closes[0]).toMatchObject({ id: 1, bytesIn: 3, bytesOut: 3 });
  });

  it('rejects start() with PORT_IN_USE when the port is taken', async () => {
    const taken = await fx.server();
    const server = new Socks5Server({ listen: { host: LOOPBACK, port: taken.port }, dial: directDialer(1000) });
    servers.push(server);
    await expect(server.start()).rejects.toMatchObject({ code: 'PORT_IN_USE' });
  });

  it('stop() closes the listener and every connection (spliced, connecting, in handshake), frees the port, and is idempotent', async () => {
    const echo = await fx.echoServer();
    const { server, port, errors } = await socks({
      dial: (dest, client, signal) =>
        dest.port === 1 ? new Promise<Duplex>((_r, reject) => signal?.addEventListener('abort', () => reject(new Error('stopped')))) : directDialer(1000)(dest, client, signal),
    });
    // Reading clients without half-open: whether a client sees the abort as a RST or (with the reply
    // still unread, as this sandbox's TCP stack sometimes reports it) as a FIN, it closes.
    const client = async (): Promise<Socket> => (await fx.connect(port, { allowHalfOpen: false })).resume();
    const spliced = await client();
    spliced.write(Buffer.concat([b(5, 1, 0), connectV4(echo.port)]));
    const connecting = await client();
    connecting.write(Buffer.concat([b(5, 1, 0), connectV4(1)]));
    const handshaking = await client();
    await waitFor(() => {
      const states = server.connections().map((c) => c.state).sort();
      return states.join() === 'connecting,handshake,open';
    }, 'three sessions in three states');

    await Promise.all([server.stop(), server.stop()]);
    await Promise.all([closed(spliced), closed(connecting), closed(handshaking)]);
    expect(server.connections()).toEqual([]);
    expect(server.meter.activeConnections).toBe(0);
    expect(errors).toEqual([]); // a stop is not a failure of any connection
    await server.stop();

    // The port is free again: a plain listener can take it.
    const reuse = await fx.server(undefined, port);
    expect(reuse.port).toBe(port);
    await new Promise<void>((resolve) => reuse.server.close(() => resolve()));
    await fx.cleanup();
    await waitFor(() => openTcpHandles() <= handlesBefore, 'no TCP handles left after stop()');
  });
});
