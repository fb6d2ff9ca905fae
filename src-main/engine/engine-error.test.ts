import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LOOPBACK, NetFixtures } from '../../test-support/net-fixtures';
import { EngineError, connectError, connectTimeout, listenError } from './engine-error';

let fx = new NetFixtures();
afterEach(async () => {
  await fx.cleanup();
  fx = new NetFixtures();
});

function errno(code: string, message = `${code} (synthetic)`): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

/** The error a real listen() fails with. */
function listenFailure(host: string, port: number): Promise<NodeJS.ErrnoException> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', resolve);
    server.listen(port, host, () => server.close(() => reject(new Error(`listen on ${host}:${port} succeeded`))));
  });
}

/** The error a real connect() fails with. */
function connectFailure(port: number): Promise<NodeJS.ErrnoException> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, LOOPBACK);
    socket.once('error', resolve);
    socket.once('connect', () => {
      socket.destroy();
      reject(new Error('connect succeeded'));
    });
  });
}

describe('EngineError', () => {
  it('is an Error carrying a stable code and the original error', () => {
    const cause = errno('ECONNREFUSED');
    const err = new EngineError('TARGET_REFUSED', 'refused', cause);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('EngineError');
    expect(err.code).toBe('TARGET_REFUSED');
    expect(err.cause).toBe(cause);
  });
});

describe('listenError', () => {
  it('maps a real EADDRINUSE to PORT_IN_USE naming the host and port', async () => {
    const { port } = await fx.server();
    const cause = await listenFailure(LOOPBACK, port);
    const err = listenError(cause, LOOPBACK, port);
    expect(err.code).toBe('PORT_IN_USE');
    expect(err.message).toBe(
      `Port ${port} on ${LOOPBACK} is already in use — choose another listen port or stop the program using it`,
    );
    expect(err.cause).toBe(cause);
  });

  it('maps a real EADDRNOTAVAIL (an address this machine does not have) to ADDRESS_NOT_AVAILABLE', async () => {
    // Binding sends no packets, so a documentation-range address is safe to try.
    const cause = await listenFailure('192.0.2.1', 0);
    const err = listenError(cause, '192.0.2.1', 8080);
    expect(err.code).toBe('ADDRESS_NOT_AVAILABLE');
    expect(err.message).toContain('192.0.2.1 is not an address of this machine');
  });

  it('explains that low ports need administrator rights on EACCES/EPERM', () => {
    // Tests may run as root, where a real bind of port 80 succeeds; the errno is synthetic.
    for (const code of ['EACCES', 'EPERM']) {
      const err = listenError(errno(code), LOOPBACK, 80);
      expect(err.code).toBe('PERMISSION_DENIED');
      expect(err.message).toContain('ports below 1024 need administrator rights on this system — choose a port above 1024');
    }
    const high = listenError(errno('EACCES'), LOOPBACK, 8080);
    expect(high.code).toBe('PERMISSION_DENIED');
    expect(high.message).toContain('Not allowed to listen on 127.0.0.1:8080');
  });

  it('maps resolver failures of the listen host to DNS_FAILED', () => {
    for (const code of ['ENOTFOUND', 'EAI_AGAIN']) {
      const err = listenError(errno(code), 'nosuch.invalid', 8080);
      expect(err.code).toBe('DNS_FAILED');
      expect(err.message).toContain('"nosuch.invalid"');
    }
  });

  it('maps anything else to INTERNAL and keeps the original message', () => {
    const err = listenError(errno('EMFILE', 'accept EMFILE'), '::1', 8080);
    expect(err.code).toBe('INTERNAL');
    expect(err.message).toBe('Could not listen on [::1]:8080: accept EMFILE');
    expect(listenError('weird', LOOPBACK, 1).code).toBe('INTERNAL');
  });
});

describe('connectError', () => {
  it('maps a real ECONNREFUSED to TARGET_REFUSED with a hint to check the service', async () => {
    const port = await fx.freePort();
    const cause = await connectFailure(port);
    const err = connectError(cause, LOOPBACK, port);
    expect(err.code).toBe('TARGET_REFUSED');
    expect(err.message).toBe(`${LOOPBACK}:${port} refused the connection — is the service running on that port?`);
    expect(err.cause).toBe(cause);
  });

  it.each([
    ['EHOSTUNREACH', 'TARGET_UNREACHABLE'],
    ['ENETUNREACH', 'TARGET_UNREACHABLE'],
    ['EHOSTDOWN', 'TARGET_UNREACHABLE'],
    ['ETIMEDOUT', 'TARGET_TIMEOUT'],
    ['ENOTFOUND', 'DNS_FAILED'],
    ['EAI_AGAIN', 'DNS_FAILED'],
    ['ECONNRESET', 'CONNECTION_RESET'],
    ['EPIPE', 'CONNECTION_RESET'],
    ['EPROTO', 'INTERNAL'],
  ] as const)('maps %s to %s', (code, expected) => {
    expect(connectError(errno(code), '10.0.0.5', 22).code).toBe(expected);
  });

  it('names the unresolvable host in DNS failures', () => {
    expect(connectError(errno('ENOTFOUND'), 'nosuch.invalid', 80).message).toBe(
      'Could not resolve "nosuch.invalid" — check the host name',
    );
  });

  it('states how long our own connect timeout waited', () => {
    const err = connectError(connectTimeout('db.internal', 5432, 10_000), 'db.internal', 5432);
    expect(err.code).toBe('TARGET_TIMEOUT');
    expect(err.message).toContain('db.internal:5432 did not answer within 10 s');
  });

  it('brackets IPv6 targets', () => {
    expect(connectError(errno('ECONNREFUSED'), '::1', 9).message).toMatch(/^\[::1\]:9 refused/);
  });

  it('looks inside the AggregateError of a multi-address (Happy Eyeballs) connect', () => {
    const agg = new AggregateError([errno('ECONNREFUSED'), errno('ECONNREFUSED')], 'all failed');
    expect(connectError(agg, 'localhost', 9).code).toBe('TARGET_REFUSED');
  });

  it('maps anything else to INTERNAL with the original message', () => {
    const err = connectError(new Error('boom'), LOOPBACK, 9);
    expect(err.code).toBe('INTERNAL');
    expect(err.message).toBe('Connection to 127.0.0.1:9 failed: boom');
  });
});
