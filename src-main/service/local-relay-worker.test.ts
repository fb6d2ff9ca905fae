import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { LocalRelaySettings } from '../../src-shared/api/contract';
import type { RelayServerStatus } from '../../src-shared/model/relay';
import { sha256, waitFor } from '../../test-support/net-fixtures';
import { exposeEchoThroughInAppRelay, useServiceCore } from '../../test-support/service-core';

// The in-app relay runs in a worker thread of its own (relay/relay-host.ts), the whole RelayServer
// with it: agent port, control sessions, public ports and data connections. Through the service core,
// with a relay-expose rule of the same core as its agent, as a VPS running `porthole ui` would.

describe('the in-app relay in its worker thread', () => {
  const svc = useServiceCore();
  const { net, call } = svc;

  const exposure = () => svc.core.localRelay.status().agents[0]?.exposures[0];

  /** Writes `payload` to the public port and reads the echo back whole. */
  async function roundTrip(publicPort: number, payload: Buffer): Promise<Buffer> {
    const sock = await net.connect(publicPort);
    const chunks: Buffer[] = [];
    let got = 0;
    const done = new Promise<void>((resolve) =>
      sock.on('data', (d: Buffer) => {
        chunks.push(d);
        got += d.length;
        if (got >= payload.length) resolve();
      }),
    );
    sock.write(payload);
    await done;
    sock.destroy();
    return Buffer.concat(chunks);
  }

  const tryConnect = (port: number) => net.connectOutcome(port);

  async function relayWithExposedEcho(): Promise<{ port: number; publicPort: number }> {
    const { port, publicPort } = await exposeEchoThroughInAppRelay(svc);
    await waitFor(() => exposure() !== undefined, 'the agent holds its public port');
    return { port, publicPort };
  }

  it('runs in a thread of its own and carries bytes both ways over data connections; its pushed status moves the counters', async () => {
    const { publicPort } = await relayWithExposedEcho();
    const relayThread = svc.core.localRelay.threadId;
    expect(relayThread).toBeGreaterThan(0);
    expect(relayThread).not.toBe(threadId);
    // The agent took the offer of data connections: the relay's pool (counted in its thread) fills.
    await waitFor(async () => /porthole_relay_data_connections_ready\{agent="laptop"\} [1-9]/.test((await svc.core.localRelay.metricsText()) ?? ''), 'data connections ready');
    const payload = randomBytes(512 * 1024);
    const back = await roundTrip(publicPort, payload);
    expect(sha256(back)).toBe(sha256(payload));
    // status() is the snapshot the thread pushes (once a second), not a question to it: it catches up.
    await waitFor(() => exposure()?.bytesIn === payload.length && exposure()?.bytesOut === payload.length, 'pushed counters at 512 KiB each way');
    expect(exposure()).toMatchObject({ totalConnections: 1, source: 'agent', name: 'echo' });
  });

  it('a killed relay thread fails the relay with the reason, closes its public port, and comes back with its agent', async () => {
    const { publicPort } = await relayWithExposedEcho();
    const first = svc.core.localRelay.threadId;
    await svc.core.localRelay.killWorker();
    const failed = svc.core.localRelay.status();
    expect(failed.running).toBe(false);
    expect(failed.error?.code).toBe('DATA_PLANE_STOPPED');
    expect(failed.error?.message).toMatch(/^The relay stopped: the relay's worker thread .* ended unexpectedly \(exit code 1: it was terminated\); its agent port and public ports are closed .*\. Porthole restarts it in 1 s$/);
    expect(await tryConnect(publicPort)).toBe('ECONNREFUSED');
    // Restarted by itself; the agent reconnects and takes its port again.
    await waitFor(() => svc.core.localRelay.status().running && exposure() !== undefined, 'relay restarted with its agent', 15_000);
    expect(svc.core.localRelay.threadId).not.toBe(first);
    expect(svc.core.localRelay.status().error).toBeUndefined();
    const payload = randomBytes(64 * 1024);
    expect(sha256(await roundTrip(publicPort, payload))).toBe(sha256(payload));
  });

  it('stop ends the thread and frees the agent port and the public port', async () => {
    const { port, publicPort } = await relayWithExposedEcho();
    await call('relayServer.stop');
    expect(svc.core.localRelay.threadId).toBeUndefined();
    expect(await tryConnect(publicPort)).toBe('ECONNREFUSED');
    const probe = createServer();
    await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });

  it('a Stop that comes while the relay is still starting wins: the relay ends stopped, its port free', async () => {
    const port = await net.freePort();
    await call<LocalRelaySettings>('relayServer.configure', {
      config: { bind: { host: '127.0.0.1', port }, publicHost: '127.0.0.1', tls: true, agents: [{ name: 'laptop', allowPorts: '20000' }] },
      tokens: { laptop: 'laptop-token-for-tests' },
    });
    // Not awaited: the stop arrives while the start waits for its thread to listen.
    const starting = call<RelayServerStatus>('relayServer.start');
    const stopped = await call<RelayServerStatus>('relayServer.stop');
    expect(stopped.running).toBe(false);
    await starting;
    expect(svc.core.localRelay.status().running).toBe(false);
    expect(svc.core.localRelay.threadId).toBeUndefined();
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
  });
});
