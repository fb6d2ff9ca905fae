import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LOOPBACK, NetFixtures, waitFor } from '../../test-support/net-fixtures';
import { connectDeadline } from './connect-deadline';
import { connectError } from './engine-error';

describe('connectDeadline', () => {
  const fx = new NetFixtures();
  afterEach(() => fx.cleanup());

  /** A dial of host:port through `lookup` (none: the system resolver), tracked for cleanup. */
  const dial = (host: string, port: number, lookup?: net.LookupFunction) => fx.socket(net.connect({ host, port, ...(lookup ? { lookup } : {}) }).on('error', () => undefined));

  it('blames the name while its lookup has not answered (DNS_FAILED)', () => {
    // A resolver that never answers, like a DNS server that drops the query.
    const socket = dial('slow.test', 9, () => undefined);
    const err = connectDeadline(socket, 'slow.test', 9, 1500)();
    expect(err).toMatchObject({ code: 'EAI_AGAIN', timeoutMs: 1500 });
    const mapped = connectError(err, 'slow.test', 9);
    expect(mapped.code).toBe('DNS_FAILED');
    expect(mapped.message).toBe('Could not resolve "slow.test" within 1.5 s — check the host name and that the DNS server answers');
  });

  it('blames the target once the name has resolved (TARGET_TIMEOUT)', async () => {
    const srv = await fx.server();
    let resolved = false;
    const socket = dial('echo.test', srv.port, (_host, _opts, cb) =>
      setImmediate(() => {
        resolved = true;
        (cb as unknown as (e: null, a: string, f: number) => void)(null, LOOPBACK, 4);
      }),
    );
    const late = connectDeadline(socket, 'echo.test', srv.port, 10_000);
    expect(late()).toMatchObject({ code: 'EAI_AGAIN' });
    await waitFor(() => resolved, 'the lookup to answer');
    await new Promise<void>((resolve) => setImmediate(resolve));
    const err = late();
    expect(err).toMatchObject({ code: 'ETIMEDOUT', timeoutMs: 10_000 });
    expect(connectError(err, 'echo.test', srv.port).code).toBe('TARGET_TIMEOUT');
  });

  it('blames the target at once for an address (no lookup)', async () => {
    const port = await fx.unacceptingPort();
    const socket = dial(LOOPBACK, port);
    expect(connectError(connectDeadline(socket, LOOPBACK, port, 200)(), LOOPBACK, port).code).toBe('TARGET_TIMEOUT');
  });
});
