import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { closed, NetFixtures, readToEnd, sha256, waitFor } from '../../test-support/net-fixtures';
import { agentPolicy, bound, RelayFixtures } from '../../test-support/relay-fixtures';

const MiB = 1024 * 1024;
const net = new NetFixtures();
const rf = new RelayFixtures();
afterEach(async () => {
  await rf.cleanup();
  await net.cleanup();
});

/** A relay with agent "a1" exposing `targetPort` on a fresh public port; resolves once bound. */
async function exposed(targetPort: number) {
  const port = await net.freePort();
  const relay = await rf.relay({ agents: [agentPolicy('a1', 'secret-token-for-tests', port)] });
  const agent = rf.agent(relay, { agent: 'a1', token: 'secret-token-for-tests' });
  const exposure = agent.expose({ ref: 'r1', protocol: 'tcp', kind: 'tcp', remotePort: port, target: { host: '127.0.0.1', port: targetPort } });
  await bound(exposure);
  return { relay, agent, exposure, port };
}

describe('relay under load', () => {
  it('echoes a distinct random 64 KiB payload intact on each of 100 concurrent connections through one exposure', async () => {
    const size = 64 * 1024;
    const echo = await net.echoServer();
    const { relay, exposure, port } = await exposed(echo.port);
    const payloads = Array.from({ length: 100 }, () => randomBytes(size));

    // Each client sends its payload and collects the echo without closing, so all 100 are open at once.
    const clients = await Promise.all(
      payloads.map(async (payload) => {
        const client = await net.connect(port);
        const chunks: Buffer[] = [];
        let got = 0;
        const echoed = new Promise<Buffer>((resolve) =>
          client.on('data', (d: Buffer) => {
            chunks.push(d);
            got += d.length;
            if (got >= size) resolve(Buffer.concat(chunks));
          }),
        );
        client.write(payload);
        return { client, echoed: await echoed };
      }),
    );
    expect(relay.status().agents[0]!.exposures[0]!.activeConnections).toBe(100);
    expect(exposure.meter.activeConnections).toBe(100);
    clients.forEach(({ echoed }, i) => {
      expect(echoed.length).toBe(size);
      expect(sha256(echoed)).toBe(sha256(payloads[i]!));
    });

    for (const { client } of clients) client.end();
    await Promise.all(clients.map(({ client }) => closed(client)));
    await waitFor(() => exposure.meter.activeConnections === 0, 'all 100 connections to close on the agent');
    await waitFor(() => relay.status().agents[0]!.exposures[0]!.activeConnections === 0, 'all 100 connections to close on the relay');
    expect(echo.accepted).toHaveLength(100);
    expect(exposure.meter.totalConnections).toBe(100);
    expect(exposure.meter.bytesIn).toBe(100 * size);
    expect(exposure.meter.bytesOut).toBe(100 * size);
    expect(relay.status().agents[0]!.exposures[0]).toMatchObject({ totalConnections: 100, bytesIn: 100 * size, bytesOut: 100 * size });
  });

  it('keeps a second connection moving while a client that never reads stalls the first, holding a bounded amount for it', async () => {
    const stalledTotal = 64 * MiB;
    const blob = randomBytes(stalledTotal);
    // The first connection gets 64 MiB pushed at it; later ones are echoed.
    const target = await net.server((s) => (target.accepted.length === 1 ? s.end(blob) : s.pipe(s)));
    const { relay, exposure, port } = await exposed(target.port);

    const stalled = await net.connect(port);
    stalled.pause();
    await waitFor(() => target.accepted.length === 1, 'the target to accept the stalled connection');
    await waitFor(() => exposure.meter.bytesOut > 4 * MiB, 'the target to start pushing data into the tunnel');

    const payload = randomBytes(8 * MiB);
    const t0 = Date.now();
    const second = await net.connect(port);
    const echoed = readToEnd(second);
    second.end(payload);
    const got = await echoed;
    const secondMs = Date.now() - t0;
    expect(got.bytes).toBe(payload.length);
    expect(got.sha256).toBe(sha256(payload));
    // Generous: on loopback this takes well under a second; a head-of-line block would never finish.
    expect(secondMs).toBeLessThan(5000);

    // The tunnel is stalled once the agent stops taking data from the target. Without backpressure
    // it would keep going until all 64 MiB had left the target.
    let last = -1;
    let sameSince = Date.now();
    await waitFor(
      () => {
        if (exposure.meter.bytesOut !== last) {
          last = exposure.meter.bytesOut;
          sameSince = Date.now();
        }
        return Date.now() - sameSince > 300;
      },
      'the agent to stop reading from the target',
      10_000,
    );

    // While the first client still has read nothing: everything the agent took from the target for it
    // (its bytesOut minus the second connection's 8 MiB) sits in the tunnel — the agent's stream, the
    // relay's stream window (4 MiB), the relay's public socket and the kernel buffers in between. With
    // per-stream flow control that is a few MiB; without it the relay would soak up all 64 MiB by now.
    expect(stalled.bytesRead).toBeLessThan(MiB);
    const heldForStalled = exposure.meter.bytesOut - payload.length;
    const relayTookForStalled = relay.status().agents[0]!.exposures[0]!.bytesOut - payload.length;
    expect(heldForStalled).toBeLessThan(16 * MiB);
    expect(relayTookForStalled).toBeLessThan(8 * MiB);
    expect(target.accepted[0]!.writableLength).toBeGreaterThan(stalledTotal - 16 * MiB);
    console.info(`stalled reader: second connection moved 8 MiB each way in ${secondMs} ms; held for the stalled one: agent ${(heldForStalled / MiB).toFixed(1)} MiB, relay ${(relayTookForStalled / MiB).toFixed(1)} MiB`);

    // Nothing was lost: once the client reads, all 64 MiB arrive intact.
    const rest = await readToEnd(stalled.resume());
    expect(rest.bytes).toBe(stalledTotal);
    expect(rest.sha256).toBe(sha256(blob));
  });

  it('reports one agent online and byte counters equal to the traffic in metricsText()', async () => {
    const up = randomBytes(300_001);
    const down = randomBytes(1_234_567);
    const target = await net.server((s) => {
      s.resume();
      s.once('end', () => s.end(down));
    });
    const { relay, port } = await exposed(target.port);

    const client = await net.connect(port);
    const got = readToEnd(client);
    client.end(up);
    expect((await got).bytes).toBe(down.length);
    await waitFor(() => relay.status().agents[0]!.exposures[0]!.activeConnections === 0, 'the relay to close the connection');

    const text = relay.metricsText();
    const series = `{agent="a1",protocol="tcp",port="${port}"}`;
    expect(text).toMatch(/^porthole_relay_agents_online 1$/m);
    expect(text).toContain(`porthole_relay_bytes_in_total${series} ${up.length}\n`);
    expect(text).toContain(`porthole_relay_bytes_out_total${series} ${down.length}\n`);
    expect(text).toContain(`porthole_relay_connections_total${series} 1\n`);
    expect(text).toContain(`porthole_relay_connections_active${series} 0\n`);
  });
});
