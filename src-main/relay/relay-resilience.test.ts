import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { closed, NetFixtures, readToEnd, sha256, waitFor } from '../../test-support/net-fixtures';
import { agentPolicy, agentState, bound, RelayFixtures } from '../../test-support/relay-fixtures';
import type { ExposureInfo } from './protocol';
import type { Exposure } from './relay-agent';

const MiB = 1024 * 1024;
const net = new NetFixtures();
const rf = new RelayFixtures();
afterEach(async () => {
  await rf.cleanup();
  await net.cleanup();
});

/** One echo round trip through a public port: the bytes come back intact. */
async function roundTrip(port: number, size = 64 * 1024): Promise<void> {
  const payload = randomBytes(size);
  expect(await net.roundTrip(port, payload)).toEqual({ bytes: size, sha256: sha256(payload) });
}

function nextBound(e: Exposure): Promise<ExposureInfo> {
  return new Promise((resolve) => e.once('bound', resolve));
}

/** Live handles of the kinds a relay or agent could leak (unref'd timers, e.g. heartbeats, are not listed by Node). */
function handles(): Record<string, number> {
  const count: Record<string, number> = { TCPSocketWrap: 0, TCPServerWrap: 0, UDPWrap: 0, Timeout: 0 };
  for (const r of process.getActiveResourcesInfo()) if (r in count) count[r]!++;
  return count;
}

describe('relay restarts and reconnects', () => {
  // The agent's backoff starts at initialMs after a lost session and doubles per failed attempt;
  // a relay that comes straight back is reached on the first retry, ~initialMs ± 20 % later.
  it.each([
    { label: 'the default backoff (500 ms doubling to 30 s)', backoff: { initialMs: 500, maxMs: 30_000 } },
    { label: 'the fixture backoff (100 ms doubling to 500 ms)', backoff: { initialMs: 100, maxMs: 500 } },
  ])('re-binds the exposure and carries traffic within 2 s of a relay restarted on the same port with $label', async ({ backoff }) => {
    const echo = await net.echoServer();
    // Both ports are bound again after the restart: outside the ephemeral range (see stablePort).
    const port = await net.stablePort();
    const agents = [agentPolicy('a1', 'secret-token-for-tests', port)];
    const first = await rf.relay({ bind: { host: '127.0.0.1', port: await net.stablePort() }, agents });
    const relayPort = first.address!.port;
    const agent = rf.agent(first, { agent: 'a1', token: 'secret-token-for-tests', backoff });
    const exposure = agent.expose({ ref: 'r1', protocol: 'tcp', kind: 'tcp', remotePort: port, target: { host: '127.0.0.1', port: echo.port } });
    await bound(exposure);
    await roundTrip(port);

    const rebound = nextBound(exposure);
    await rf.stopRelay(first);
    const t0 = Date.now();
    const second = await rf.relay({ bind: { host: '127.0.0.1', port: relayPort }, agents });
    expect(second.address!.port).toBe(relayPort);
    const info = await rebound;
    const boundMs = Date.now() - t0;
    expect(info.publicPort).toBe(port);
    await roundTrip(port);
    const trafficMs = Date.now() - t0;
    console.info(`relay restart (backoff ${backoff.initialMs}/${backoff.maxMs} ms): bound again ${boundMs} ms and traffic ${trafficMs} ms after the new relay started`);
    expect(trafficMs).toBeLessThan(2000);
    expect(agent.state).toBe('ready');
    expect(second.status().agents[0]).toMatchObject({ name: 'a1', online: true, exposures: [{ publicAddress: `127.0.0.1:${port}` }] });
  });

  it('lets the newer of two sessions with the same name and token win: the older fails with RELAY_REJECTED and stops retrying', async () => {
    // Each agent's target says whose it is, so the bytes show which session the port is bound to.
    const targetOf = (who: string) => net.server((s) => s.end(who));
    const targetA = await targetOf('A');
    const targetB = await targetOf('B');
    const port = await net.freePort();
    const relay = await rf.relay({ agents: [agentPolicy('a1', 'secret-token-for-tests', port)] });
    const a = rf.agent(relay, { agent: 'a1', token: 'secret-token-for-tests' });
    const ea = a.expose({ ref: 'r1', protocol: 'tcp', kind: 'tcp', remotePort: port, target: { host: '127.0.0.1', port: targetA.port } });
    await bound(ea);
    expect((await readToEnd(await net.connect(port))).text).toBe('A');

    const b = rf.agent(relay, { agent: 'a1', token: 'secret-token-for-tests' });
    const eb = b.expose({ ref: 'r1', protocol: 'tcp', kind: 'tcp', remotePort: port, target: { host: '127.0.0.1', port: targetB.port } });
    await agentState(a, 'failed');
    expect(a.lastError?.code).toBe('RELAY_REJECTED');
    expect(a.lastError?.message).toMatch(/another session/);
    expect(a.nextRetryAt).toBeUndefined();

    expect((await bound(eb)).publicPort).toBe(port);
    expect(b.state).toBe('ready');
    expect((await readToEnd(await net.connect(port))).text).toBe('B');
    expect(ea.info).toBeUndefined();
    // No tug of war: the older agent has no retry pending (checked above) and did not take the name back.
    for (let i = 0; i < 5; i++) expect((await readToEnd(await net.connect(port))).text).toBe('B');
    expect(relay.sessionsAccepted).toBe(2);
    expect(a.state).toBe('failed');
    expect(relay.status().agents[0]).toMatchObject({ online: true, exposures: [{ publicAddress: `127.0.0.1:${port}` }] });
  });

  it('leaks no socket, listener or session over 100 cycles of the agent connection being cut at the relay', async () => {
    // Cutting the TCP connection (RST on both sides, through a tap in front of the relay) rather than
    // restarting the relay: it drives both abrupt-loss paths — the relay's session teardown and the
    // agent's reconnect — 100 times against ONE relay, whose status must end with exactly one session.
    const echo = await net.echoServer();
    const port = await net.freePort();
    const relay = await rf.relay({ agents: [agentPolicy('a1', 'secret-token-for-tests', port)] });
    const tap = await rf.tap(relay.address!);
    const agent = rf.agent({ host: '127.0.0.1', port: tap.port }, { agent: 'a1', token: 'secret-token-for-tests', backoff: { initialMs: 5, maxMs: 20 } });
    const exposure = agent.expose({ ref: 'r1', protocol: 'tcp', kind: 'tcp', remotePort: port, target: { host: '127.0.0.1', port: echo.port } });
    await bound(exposure);
    await roundTrip(port);
    const settled = () =>
      echo.accepted.every((s) => s.closed) && exposure.meter.activeConnections === 0 && relay.status().agents[0]!.exposures[0]?.activeConnections === 0;
    await waitFor(settled, 'the round trip to close everywhere');
    // Steady state: agent→tap, tap's two sides, the relay's side (4 sockets) for the session, and the
    // same four for every ready data connection of the session's pool once it has dialled all its
    // tickets; relay, tap, public port and echo listeners (4 servers). Closed sockets leave the list a
    // moment after their 'close'.
    const pool = () => relay.dataPool('a1');
    const poolSettled = () => pool() !== undefined && pool()!.outstanding === 0 && pool()!.ready === pool()!.target;
    const steadyNow = () => ({ TCPSocketWrap: 4 + 4 * (pool()?.ready ?? 0), TCPServerWrap: 4, UDPWrap: 0, Timeout: 0 });
    let now = handles();
    let steady = steadyNow();
    const atSteady = () => {
      now = handles();
      steady = steadyNow();
      return poolSettled() && JSON.stringify(now) === JSON.stringify(steady);
    };
    await waitFor(atSteady, 'handle counts to settle with the data-connection pool full').catch(() => expect(now).toEqual(steady));
    expect(pool()!.ready).toBeGreaterThan(0);

    for (let cycle = 1; cycle <= 100; cycle++) {
      const rebound = nextBound(exposure);
      // Every tenth cycle a public connection is open across the cut: it must be closed, not kept.
      const held = cycle % 10 === 0 ? await net.connect(port, { allowHalfOpen: false }) : undefined;
      if (held) await waitFor(() => relay.status().agents[0]!.exposures[0]?.activeConnections === 1, 'the held connection to reach the relay');
      tap.cut();
      await rebound;
      if (held) {
        await closed(held);
        await roundTrip(port, 1024);
      }
    }

    await waitFor(() => relay.status().agents[0]!.online && relay.status().agents[0]!.exposures.length === 1, 'the last session to settle');
    await waitFor(settled, 'all round trips to close everywhere');
    // The same counts after 100 cycles (for the last session's pool): nothing left behind by any of them.
    await waitFor(atSteady, 'handle counts to return to the session and its full pool').catch(() => expect(now).toEqual(steady));
    expect(relay.sessionsAccepted).toBe(101);
    // Each session's connection and data connections went through the tap; all but the last session's are gone.
    expect(tap.accepted).toBeGreaterThan(101);
    expect(tap.open()).toBe(1 + pool()!.ready);
    const st = relay.status();
    expect(st.agents).toHaveLength(1);
    expect(st.agents[0]).toMatchObject({ name: 'a1', online: true, exposures: [{ publicAddress: `127.0.0.1:${port}`, activeConnections: 0 }] });
    expect(relay.metricsText()).toMatch(/^porthole_relay_agents_online 1$/m);
    expect(agent.state).toBe('ready');
    expect(exposure.conns.size).toBe(0);
  }, 30_000);

  it('stop() finishes when the agent vanished a moment before while a public client was stalled', async () => {
    // Found by these tests: the relay waited for its HTTP/2 session to close, which waited for a
    // socket nobody read any more — stop() never returned.
    const blob = randomBytes(64 * MiB);
    const target = await net.server((s) => (target.accepted.length === 1 ? s.end(blob) : s.pipe(s)));
    const port = await net.freePort();
    const relay = await rf.relay({ agents: [agentPolicy('a1', 'secret-token-for-tests', port)] });
    const agent = rf.agent(relay, { agent: 'a1', token: 'secret-token-for-tests' });
    const exposure = agent.expose({ ref: 'r1', protocol: 'tcp', kind: 'tcp', remotePort: port, target: { host: '127.0.0.1', port: target.port } });
    await bound(exposure);
    const stalled = await net.connect(port);
    stalled.pause();
    await waitFor(() => exposure.meter.bytesOut > 4 * MiB, 'data to pile up for the stalled client');
    // A second connection moves 8 MiB and ends; the agent leaves right as it finishes.
    const second = await net.connect(port);
    const echoed = readToEnd(second);
    second.end(randomBytes(8 * MiB));
    expect((await echoed).bytes).toBe(8 * MiB);

    await agent.close();
    const outcome = await Promise.race([
      rf.stopRelay(relay).then(() => 'stopped'),
      new Promise<string>((resolve) => setTimeout(() => resolve('still stopping after 3 s'), 3000).unref()),
    ]);
    expect(outcome).toBe('stopped');
    expect(relay.status().running).toBe(false);
    await expect(net.connect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
