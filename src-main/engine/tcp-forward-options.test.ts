import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import net, { type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sourceFilter } from '../../src-shared/format/cidr';
import { LOOPBACK, NetFixtures, closed, readToEnd, waitFor } from '../../test-support/net-fixtures';
import { describePortInUse, findPortOwner } from './port-owner';
import type { LookupAll } from './forward-connection';
import { dialOrder } from './dial-order';
import { TcpForwarder, type TcpForwardOptions, type TcpForwarderEvents } from './tcp-forward';

/** Every test below runs on both ways of splicing: Node's raw TCP handles (the default) and net.Socket. */
const PATHS = [
  { path: 'raw handles', rawHandles: true },
  { path: 'net.Socket', rawHandles: false },
];
let rawHandles = true;
let fx = new NetFixtures();
let forwarders: TcpForwarder[] = [];

afterEach(async () => {
  await Promise.all(forwarders.map((f) => f.stop()));
  forwarders = [];
  await fx.cleanup();
  fx = new NetFixtures();
});

async function forward(targetPort: number, extra: Partial<TcpForwardOptions> = {}, host = LOOPBACK, targetHost = host) {
  const fwd = new TcpForwarder({ listen: { host, port: 0 }, target: { host: targetHost, port: targetPort }, rawHandles, ...extra });
  forwarders.push(fwd);
  const { port } = await fwd.start();
  expect(fwd.usesRawHandles).toBe(rawHandles);
  return { fwd, port };
}

/** A forwarder on loopback to a target given by name, with the connection errors it reports. */
async function forwardByName(targetHost: string, targetPort: number, extra: Partial<TcpForwardOptions> = {}) {
  const errors: TcpForwarderEvents['connection-error'][0][] = [];
  const { fwd, port } = await forward(targetPort, extra, LOOPBACK, targetHost);
  fwd.on('connection-error', (e) => errors.push(e));
  return { fwd, port, errors };
}

/** Connects without waiting for 'connect': a refused client may see the reset before it. */
function dial(port: number): Socket {
  return fx.socket(net.connect({ host: LOOPBACK, port }));
}

/** Resolves 'reset' or 'closed' when the server side drops the client, or the data if any arrives. */
function outcome(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    s.on('data', (d) => (got += d));
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNRESET' ? 'reset' : e.code ?? 'error'));
    s.on('close', () => resolve(got || 'closed'));
  });
}

describe.each(PATHS)('TcpForwarder policies ($path)', (p) => {
  beforeEach(() => {
    rawHandles = p.rawHandles;
  });

  it('refuses a source outside the allow list without ever dialling the target', async () => {
    const target = await fx.echoServer();
    const { fwd, port } = await forward(target.port, { allow: sourceFilter(['10.0.0.0/8'], []) });
    const refused = once(fwd, 'connection-refused');
    expect(await outcome(dial(port))).toBe('reset');
    const [ev] = await refused;
    expect(ev).toMatchObject({ reason: 'not-allowed' });
    expect(ev.client).toContain('127.0.0.1');
    expect(target.accepted).toHaveLength(0);
    expect(fwd.meter.totalConnections).toBe(0);
  });

  it('lets an allowed source through and honours deny over allow', async () => {
    const target = await fx.echoServer();
    const allowAll = await forward(target.port, { allow: sourceFilter(['127.0.0.0/8'], []) });
    const c = await fx.connect(allowAll.port);
    const got = readToEnd(c);
    c.end('ok');
    expect((await got).text).toBe('ok');
    const denied = await forward(target.port, { allow: sourceFilter(['127.0.0.0/8'], ['127.0.0.1']) });
    expect(await outcome(dial(denied.port))).toBe('reset');
    expect(target.accepted).toHaveLength(1);
  });

  it('refuses connections beyond maxConnections while the first ones keep working', async () => {
    const target = await fx.echoServer();
    const { fwd, port } = await forward(target.port, { maxConnections: 2 });
    const a = await fx.connect(port);
    const b = await fx.connect(port);
    await waitFor(() => target.accepted.length === 2, 'two target connections');
    const refused = once(fwd, 'connection-refused');
    expect(await outcome(dial(port))).toBe('reset');
    expect((await refused)[0].reason).toBe('max-connections');
    const ra = readToEnd(a);
    a.end('still a');
    expect((await ra).text).toBe('still a');
    b.destroy();
    // Once a slot frees up, a new client gets in.
    await waitFor(() => fwd.connectionCount === 0, 'slots to free');
    const d = await fx.connect(port);
    const rd = readToEnd(d);
    d.end('d');
    expect((await rd).text).toBe('d');
  });

  it('closes both sides of a connection idle for idleTimeoutMs, and not an active one', async () => {
    const target = await fx.server(() => undefined);
    const { fwd, port } = await forward(target.port, { idleTimeoutMs: 300 });
    const client = await fx.connect(port);
    await waitFor(() => target.accepted.length === 1, 'target connection');
    const targetSide = target.accepted[0]!;
    const t0 = Date.now();
    await Promise.all([closed(client), closed(targetSide)]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    await waitFor(() => fwd.connectionCount === 0, 'the forwarder to drop the connection');
  });

  it('keeps a connection with steady traffic open past the idle timeout', async () => {
    const target = await fx.echoServer();
    const { fwd, port } = await forward(target.port, { idleTimeoutMs: 300 });
    const client = await fx.connect(port);
    let echoed = 0;
    client.on('data', (d) => (echoed += d.length));
    for (let i = 0; i < 8; i++) {
      client.write('x');
      await waitFor(() => echoed === i + 1, 'echo');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(fwd.connectionCount).toBe(1);
  });

  it('sends a PROXY v1 header with the real client address before the client data', async () => {
    const seen: Promise<string>[] = [];
    const target = await fx.server((s) => seen.push(readToEnd(s).then((r) => r.text)));
    const { port } = await forward(target.port, { proxyProtocol: 'v1' });
    const client = await fx.connect(port);
    client.end('payload');
    await waitFor(() => seen.length === 1, 'target connection');
    const text = await seen[0]!;
    const m = /^PROXY TCP4 (\S+) (\S+) (\d+) (\d+)\r\npayload$/.exec(text);
    expect(m).not.toBeNull();
    expect(m![1]).toBe('127.0.0.1');
    expect(Number(m![3])).toBe(client.localPort);
    expect(Number(m![4])).toBe(port);
  });

  it('sends a PROXY v2 binary header that a parser reads back, for IPv4 and IPv6', async () => {
    for (const host of ['127.0.0.1', '::1']) {
      const seen: Promise<{ text: string }>[] = [];
      const raw: Buffer[] = [];
      const target = await fx.server((s) => {
        seen.push(new Promise((r) => s.on('end', () => r({ text: '' }))));
        s.on('data', (d: Buffer) => raw.push(d));
      }, 0, host);
      const { port } = await forward(target.port, { proxyProtocol: 'v2' }, host);
      const client = await fx.connect(port, { host });
      client.end('after');
      await waitFor(() => seen.length === 1, 'target connection');
      await seen[0];
      const buf = Buffer.concat(raw);
      expect(buf.subarray(0, 12).toString('latin1')).toBe('\r\n\r\n\0\r\nQUIT\n');
      expect(buf[12]).toBe(0x21);
      const fam = buf[13];
      const len = buf.readUInt16BE(14);
      const body = buf.subarray(16, 16 + len);
      if (host === '127.0.0.1') {
        expect(fam).toBe(0x11);
        expect([...body.subarray(0, 4)].join('.')).toBe('127.0.0.1');
        expect(body.readUInt16BE(8)).toBe(client.localPort);
        expect(body.readUInt16BE(10)).toBe(port);
      } else {
        expect(fam).toBe(0x21);
        expect(body.subarray(0, 16).equals(Buffer.from('00000000000000000000000000000001', 'hex'))).toBe(true);
        expect(body.readUInt16BE(32)).toBe(client.localPort);
        expect(body.readUInt16BE(34)).toBe(port);
      }
      expect(buf.subarray(16 + len).toString()).toBe('after');
    }
  });

  it('forwards over IPv6 (listen and target on ::1)', async () => {
    const target = await fx.server((s) => s.pipe(s), 0, '::1');
    const { fwd, port } = await forward(target.port, {}, '::1');
    const client = await fx.connect(port, { host: '::1' });
    const got = readToEnd(client);
    client.end('v6 works');
    expect((await got).text).toBe('v6 works');
    await waitFor(() => fwd.connectionCount === 0, 'close');
    expect(fwd.meter.totalConnections).toBe(1);
  });

  // `ss` (iproute2) shows a socket's keepalive timer; on Linux the raw path sets keepalive once on the
  // listening socket and relies on accepted sockets inheriting it, which this checks.
  it.runIf(process.platform === 'linux')('turns TCP keepalive on for both sockets of a connection, and off with keepAlive: false', async () => {
    const target = await fx.echoServer();
    for (const keepAlive of [true, false]) {
      const { fwd, port } = await forward(target.port, { keepAlive });
      const client = await fx.connect(port);
      let echoed = 0;
      client.on('data', (d) => (echoed += d.length));
      client.write('k');
      await waitFor(() => echoed === 1, 'echo');
      const [row] = fwd.connections();
      const clientPort = Number(row!.client.split(':').pop());
      // Recv-Q Send-Q Local Peer timer:(…): our two ends, accepted (local = the listen port, peer = the
      // client) and dialled (peer = the target).
      const rows = execFileSync('ss', ['-tnoH', 'state', 'established'], { encoding: 'utf8' })
        .split('\n')
        .map((l) => l.trim().split(/\s+/));
      const accepted = rows.filter((f) => f[2] === `${LOOPBACK}:${port}` && f[3] === `${LOOPBACK}:${clientPort}`);
      const dialled = rows.filter((f) => f[3] === `${LOOPBACK}:${target.port}`);
      expect([accepted.length, dialled.length]).toEqual([1, 1]);
      expect(accepted[0]!.join(' ').includes('timer:(keepalive,')).toBe(keepAlive);
      expect(dialled[0]!.join(' ').includes('timer:(keepalive,')).toBe(keepAlive);
      client.destroy();
      await waitFor(() => fwd.connectionCount === 0, 'close');
    }
  });

  it('forwards to a target given by name (localhost)', async () => {
    const target = await fx.echoServer();
    const { port } = await forwardByName('localhost', target.port);
    const client = await fx.connect(port);
    const got = readToEnd(client);
    client.end('by name');
    expect((await got).text).toBe('by name');
  });

  it("tries a name's addresses in turn: one that refuses, then one that answers", async () => {
    const target = await fx.echoServer();
    const lookups: string[] = [];
    // ::1 first, where nothing listens on that port (the echo server is on 127.0.0.1 only).
    const lookup: LookupAll = (host, _opts, cb) => {
      lookups.push(host);
      setImmediate(() => cb(null, [{ address: '::1', family: 6 }, { address: LOOPBACK, family: 4 }]));
    };
    const { port, errors } = await forwardByName('echo.test', target.port, { lookup });
    for (const word of ['first', 'second']) {
      const client = await fx.connect(port);
      const got = readToEnd(client);
      client.end(word);
      expect((await got).text).toBe(word);
    }
    // Resolved for each connection, not once.
    expect(lookups).toEqual(['echo.test', 'echo.test']);
    expect(errors).toEqual([]);
  });

  it('fails a connection whose target name does not resolve with DNS_FAILED, and keeps listening', async () => {
    const lookup: LookupAll = (host, _opts, cb) =>
      setImmediate(() => cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []));
    const { fwd, port, errors } = await forwardByName('nosuch.test', 9, { lookup });
    for (const attempt of [1, 2]) {
      const client = await fx.connect(port);
      await closed(client);
      await waitFor(() => errors.length === attempt, `connection-error #${attempt}`);
    }
    expect(errors.map((e) => e.error.code)).toEqual(['DNS_FAILED', 'DNS_FAILED']);
    expect(errors[0]!.error.message).toContain('"nosuch.test"');
    await waitFor(() => fwd.connectionCount === 0, 'both connections to close');
  });

  it('gives up on a name that does not resolve within connectTimeoutMs, and stop() does not wait for the lookup', async () => {
    const pending: (() => void)[] = [];
    // A resolver that answers only when the test lets it (a DNS server that does not reply).
    const lookup: LookupAll = (_host, _opts, cb) => void pending.push(() => cb(null, [{ address: LOOPBACK, family: 4 }]));
    const { fwd, port, errors } = await forwardByName('slow.test', 9, { lookup, connectTimeoutMs: 200 });
    const first = await fx.connect(port);
    await closed(first);
    await waitFor(() => fwd.connectionCount === 0, 'the timed-out connection to close before its lookup answers');
    // No address was dialled yet: the name is what failed, on both paths.
    expect(errors.map((e) => e.error.code)).toEqual(['DNS_FAILED']);
    expect(errors[0]!.error.message).toBe('Could not resolve "slow.test" within 0.2 s — check the host name and that the DNS server answers');
    const second = await fx.connect(port);
    await waitFor(() => pending.length === 2, 'the second lookup');
    await fwd.stop();
    await closed(second);
    // Late answers change nothing.
    for (const answer of pending) answer();
    expect(fwd.connectionCount).toBe(0);
    expect(errors).toHaveLength(1);
  });

  // An address that does not answer: a listener whose accept queue is full drops SYNs (Linux).
  it.runIf(process.platform === 'linux')('moves on from an address that does not answer after the attempt timeout', async () => {
    const silentPort = await fx.unacceptingPort(); // on 127.0.0.1
    await fx.server((sock) => sock.pipe(sock), silentPort, '127.0.0.2');
    const lookup: LookupAll = (_host, _opts, cb) => setImmediate(() => cb(null, [{ address: LOOPBACK, family: 4 }, { address: '127.0.0.2', family: 4 }]));
    const { port, errors } = await forwardByName('two.test', silentPort, { lookup });
    const t0 = Date.now();
    const client = await fx.connect(port);
    const got = readToEnd(client);
    client.end('second address');
    expect((await got).text).toBe('second address');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    expect(errors).toEqual([]);
  });

  it('reports the first address\'s failure, with every attempt in its cause, when all of a name\'s addresses fail', async () => {
    const deadPort = await fx.freePort();
    const lookup: LookupAll = (_host, _opts, cb) => setImmediate(() => cb(null, [{ address: LOOPBACK, family: 4 }, { address: '127.0.0.2', family: 4 }]));
    const { port, errors } = await forwardByName('none.test', deadPort, { lookup });
    const client = await fx.connect(port);
    await closed(client);
    await waitFor(() => errors.length === 1, 'the connection error');
    expect(errors[0]!.error.code).toBe('TARGET_REFUSED');
    expect(errors[0]!.error.message).toContain(`none.test:${deadPort}`);
    const cause = errors[0]!.error.cause;
    expect(cause).toBeInstanceOf(AggregateError);
    expect((cause as AggregateError).errors.map((e: NodeJS.ErrnoException) => e.code)).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
  });

  it('lists live connections with their counters and closes one by id', async () => {
    const target = await fx.echoServer();
    const { fwd, port } = await forward(target.port);
    const a = await fx.connect(port);
    const b = await fx.connect(port);
    let echoed = 0;
    a.on('data', (d) => (echoed += d.length));
    a.write('12345');
    await waitFor(() => echoed === 5, 'echo');
    const list = fwd.connections();
    expect(list).toHaveLength(2);
    const rowA = list.find((c) => c.client.endsWith(`:${a.localPort}`))!;
    expect(rowA).toMatchObject({ bytesIn: 5, bytesOut: 5, state: 'open' });
    expect(fwd.closeConnection(rowA.id)).toBe(true);
    await closed(a);
    await waitFor(() => fwd.connectionCount === 1, 'the closed connection to leave the list');
    expect(fwd.connections().map((c) => c.client)).toEqual([`127.0.0.1:${b.localPort}`]);
    expect(fwd.closeConnection(9999)).toBe(false);
  });
});

describe('port owner', () => {
  it('names the process holding a port and suggests a free one', async () => {
    const child = spawn(process.execPath, ['-e', "require('net').createServer().listen(0,'127.0.0.1',function(){console.log(this.address().port)})"], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const port = Number((await once(child.stdout!, 'data'))[0].toString().trim());
      expect(findPortOwner('tcp', port)?.pid).toBe(child.pid);
      const msg = await describePortInUse('tcp', '127.0.0.1', port);
      expect(msg).toContain(`(pid ${child.pid})`);
      expect(msg).toMatch(/e\.g\. \d+$/);
      const suggested = Number(/e\.g\. (\d+)$/.exec(msg)![1]);
      expect(suggested).toBeGreaterThan(port);
    } finally {
      child.kill();
    }
  });
});

describe('dialOrder (the raw path\'s order for a name\'s addresses, as net.connect dials them)', () => {
  it('keeps IP addresses only, each once, alternating families from the first', () => {
    const a = (address: string, family: number) => ({ address, family });
    expect(
      dialOrder([a('::1', 6), a('fe80::2', 6), a('::1', 6), a('10.0.0.1', 4), a('not-an-ip', 4), a('10.0.0.2', 4), a('10.0.0.3', 4)]).map((x) => x.address),
    ).toEqual(['::1', '10.0.0.1', 'fe80::2', '10.0.0.2', '10.0.0.3']);
    expect(dialOrder([a('10.0.0.1', 4), a('::1', 6)]).map((x) => x.family)).toEqual([4, 6]);
    expect(dialOrder([a('nope', 4)])).toEqual([]);
  });
});
