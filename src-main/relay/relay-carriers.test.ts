import { randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closed, NetFixtures, readToEnd, sha256, type TestServer, waitFor } from '../../test-support/net-fixtures';
import { agentPolicy, bound, PUBLIC_CARRIERS, RelayFixtures } from '../../test-support/relay-fixtures';
import { DataPlane } from '../dataplane/data-plane';
import { rawTcp } from '../engine/raw-tcp';
import type { RelayAgent } from './relay-agent';
import type { RelayLimits } from './relay-limits';
import type { RelayServer } from './relay-server';

// A public TCP connection behaves the same whichever way the relay carries it to the agent: bytes intact
// both ways, each FIN passed on by itself, resets and failures passed on, backpressure both ways.

const MiB = 1024 * 1024;
const net = new NetFixtures();
const rf = new RelayFixtures();
const planes: DataPlane[] = [];
afterEach(async () => {
  await rf.cleanup();
  await Promise.all(planes.splice(0).map((p) => p.close()));
  await net.cleanup();
});

/** Whether `text` comes back on `s` (false: the relay closed or reset it first). */
async function echoes(s: Socket, text: string): Promise<boolean> {
  if (s.destroyed) return false;
  return new Promise((resolve, reject) => {
    let got = '';
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no echo of "${text}" and no close within 3 s (got "${got}")`));
    }, 3000);
    const onData = (d: Buffer) => {
      got += d.toString();
      if (got !== text) return;
      cleanup();
      resolve(true);
    };
    const onClose = () => {
      cleanup();
      resolve(false);
    };
    const cleanup = () => {
      clearTimeout(timer);
      s.off('data', onData);
      s.off('close', onClose);
    };
    s.on('data', onData);
    s.once('close', onClose);
    s.write(text);
  });
}

/** A connection to the public port (one the relay resets at once counts as closed). */
function dial(port: number): Promise<Socket> {
  const s = net.socket(netConnect({ host: '127.0.0.1', port }));
  return new Promise((resolve) => {
    s.once('connect', () => resolve(s));
    s.once('error', () => resolve(s));
  });
}

/** How `s` ends: 'clean end' (a FIN), or the code of the error that ended it (ECONNRESET for a reset). */
function howItEnds(s: Socket): Promise<string | undefined> {
  return readToEnd(s).then(
    () => 'clean end',
    (err: NodeJS.ErrnoException) => err.code,
  );
}

it('has raw TCP handles on this Node, so the raw-handle carrier below is the one tested', () => {
  expect(rawTcp()).toBeDefined();
});

describe.each(PUBLIC_CARRIERS)('a public connection on $name', (carrier) => {
  interface Setup {
    relay: RelayServer;
    agent: RelayAgent;
    port: number;
    /** The public connections the relay carried so far on data connections (none on the stream carriers). */
    taken(): number;
  }

  async function exposed(target: TestServer | number, limits: Partial<RelayLimits> = {}, connectTimeoutMs?: number): Promise<Setup> {
    const port = await net.freePort();
    const relay = await rf.relay({ agents: [agentPolicy('a1', 'secret-token-for-tests', port)] }, { ...carrier.relay, limits });
    const plane = carrier.agentPlane ? new DataPlane() : undefined;
    if (plane) planes.push(plane);
    const agent = rf.agent(relay, { agent: 'a1', token: 'secret-token-for-tests', ...(plane ? { dataPlane: plane } : {}) });
    const targetPort = typeof target === 'number' ? target : target.port;
    await bound(agent.expose({ ref: 'r1', protocol: 'tcp', kind: 'tcp', remotePort: port, target: { host: carrier.targetHost ?? '127.0.0.1', port: targetPort }, ...(connectTimeoutMs ? { connectTimeoutMs } : {}) }));
    if (carrier.waitForPool) await waitFor(() => (relay.dataPool('a1')?.ready ?? 0) >= 2, 'two ready data connections');
    else expect(relay.dataPool('a1')).toBeUndefined();
    return { relay, agent, port, taken: () => relay.dataPool('a1')?.taken ?? 0 };
  }

  /** Resolves once `count` has moved and then stayed put for 300 ms (backpressure has stopped the transfer). */
  async function stalls(count: () => number, what: string): Promise<void> {
    let last = -1;
    let since = Date.now();
    await waitFor(
      () => {
        const now = count();
        if (now !== last) {
          last = now;
          since = Date.now();
        }
        return now > 0 && Date.now() - since >= 300;
      },
      `${what} to stall`,
      10_000,
    );
  }

  /** Every connection closed and counted as closed, on the relay and on the agent. */
  async function allClosed(s: Setup): Promise<void> {
    await waitFor(() => s.relay.status().agents[0]!.exposures[0]!.activeConnections === 0, 'the relay to count the connection closed');
    await waitFor(() => s.agent.exposures()[0]!.meter.activeConnections === 0, 'the agent to count the connection closed');
  }

  it('carries 8 MiB each way intact: the client sends and half-closes first, the target answers after its FIN', async () => {
    const up = randomBytes(8 * MiB);
    const down = randomBytes(8 * MiB);
    let atTarget: Promise<{ sha256: string }> | undefined;
    const target = await net.server((sock) => {
      atTarget = readToEnd(sock).then((r) => {
        sock.end(down);
        return r;
      });
    });
    const s = await exposed(target);
    const client = await net.connect(s.port);
    const got = readToEnd(client);
    client.end(up);
    expect((await waitFor(() => atTarget, 'the target to read the upload')).sha256).toBe(sha256(up));
    expect((await got).sha256).toBe(sha256(down));
    await closed(client);
    await allClosed(s);
    expect(s.taken()).toBe(carrier.waitForPool ? 1 : 0);
    const st = s.relay.status().agents[0]!.exposures[0]!;
    expect([st.bytesIn, st.bytesOut]).toEqual([up.length, down.length]);
  });

  it('passes the target\'s FIN first and still carries what the client sends after it', async () => {
    let atTarget: Promise<{ sha256: string }> | undefined;
    const target = await net.server((sock) => {
      atTarget = readToEnd(sock);
      sock.end('bye');
    });
    const s = await exposed(target);
    const client = await net.connect(s.port);
    expect((await readToEnd(client)).text).toBe('bye');
    expect(client.destroyed).toBe(false);
    const late = randomBytes(MiB);
    client.end(late);
    expect((await waitFor(() => atTarget, 'the target to read what came after its FIN')).sha256).toBe(sha256(late));
    await closed(client);
    await allClosed(s);
  });

  it('passes a client\'s reset on: the target\'s connection closes and both sides count it closed', async () => {
    let atTarget: Socket | undefined;
    const target = await net.server((sock) => {
      atTarget = sock;
      sock.write('hi');
    });
    const s = await exposed(target);
    const client = await net.connect(s.port);
    await new Promise((r) => client.once('data', r));
    client.resetAndDestroy();
    const far = await waitFor(() => atTarget, 'the target to accept');
    await closed(far);
    await allClosed(s);
  });

  it('passes a target\'s reset on: the client\'s connection is aborted', async () => {
    const target = await net.server((sock) => sock.once('data', () => sock.resetAndDestroy()));
    const s = await exposed(target);
    const client = await net.connect(s.port);
    const outcome = howItEnds(client);
    client.write('hello');
    expect(await outcome).toBe('ECONNRESET');
    await allClosed(s);
  });

  it('resets the client when the agent cannot reach its target, and logs why', async () => {
    const s = await exposed(await net.freePort());
    const client = await net.connect(s.port);
    const outcome = howItEnds(client);
    client.write('hello');
    expect(await outcome).toBe('ECONNRESET');
    await waitFor(() => rf.logs.some((l) => l.includes('could not reach its local port') && l.includes('TARGET_REFUSED')), 'the relay to log why');
    await allClosed(s);
  });

  it('resets the client when the target does not answer within connect_timeout, and reports TARGET_TIMEOUT', async () => {
    const s = await exposed(await net.unacceptingPort(), {}, 300);
    const errors: string[] = [];
    s.agent.exposures()[0]!.on('connection-error', ({ error }) => errors.push(error.code));
    const client = await net.connect(s.port);
    const outcome = howItEnds(client);
    client.write('hello');
    expect(await outcome).toBe('ECONNRESET');
    await waitFor(() => errors.length > 0, 'the agent to report the timeout');
    expect(errors).toEqual(['TARGET_TIMEOUT']);
    await allClosed(s);
  });

  it('closes a connection whose target is still being dialled when it is closed from the agent (the client is reset)', async () => {
    const s = await exposed(await net.unacceptingPort(), {}, 10_000);
    const exposure = s.agent.exposures()[0]!;
    const client = await net.connect(s.port);
    const outcome = howItEnds(client);
    const dialling = await waitFor(async () => (await exposure.allConnections())[0], 'the agent to dial the target');
    expect(await exposure.closeAnyConnection(dialling.id)).toBe(true);
    expect(await outcome).toBe('ECONNRESET');
    await allClosed(s);
  });

  it('holds a sender back while its receiver does not read, each way, and then delivers everything', async () => {
    const blob = randomBytes(48 * MiB);
    const target = await net.server((sock) => {
      if (target.accepted.length === 1) sock.end(blob);
      else sock.pause();
    });
    const s = await exposed(target);
    // The relay's counters (an agent's data plane reports its own only when asked).
    const atRelay = () => s.relay.status().agents[0]!.exposures[0]!;

    // Down: a client that does not read; up: a target that does not read.
    const stalled = await net.connect(s.port);
    stalled.pause();
    await stalls(() => atRelay().bytesOut, 'the download to a client that does not read');
    const pushing = await net.connect(s.port);
    pushing.write(blob);
    await stalls(() => atRelay().bytesIn, 'the upload to a target that does not read');

    // What the relay and the agent hold in between is bounded: the senders still hold most of it.
    expect(target.accepted[0]!.writableLength).toBeGreaterThan(24 * MiB);
    expect(pushing.writableLength).toBeGreaterThan(24 * MiB);

    const rest = readToEnd(stalled.resume());
    const atTarget = readToEnd(target.accepted[1]!.resume());
    pushing.end();
    expect((await rest).sha256).toBe(sha256(blob));
    expect((await atTarget).sha256).toBe(sha256(blob));
  });

  it('resets connections past max_connections (logged once per burst) and accepts again when one closes', async () => {
    const { relay, port: publicPort } = await exposed(await net.echoServer(), { maxConnections: 3 });
    const open = await Promise.all([1, 2, 3].map(() => dial(publicPort)));
    for (const [i, s] of open.entries()) expect(await echoes(s, `hello ${i}`)).toBe(true);
    for (let i = 0; i < 5; i++) {
      const extra = await dial(publicPort);
      expect(await echoes(extra, 'one too many')).toBe(false);
    }
    expect(relay.publicRefused).toBe(5);
    expect(rf.logs.filter((l) => l.includes('max_connections 3'))).toHaveLength(1);
    open[0]!.destroy();
    await waitFor(() => relay.status().agents[0]!.exposures[0]!.activeConnections === 2, 'the relay to see one connection close');
    expect(await echoes(await dial(publicPort), 'room again')).toBe(true);
  });

  it('closes a public connection idle for idle_timeout while one that keeps talking stays open', async () => {
    const idleMs = 400;
    const { port: publicPort } = await exposed(await net.echoServer(), { idleTimeoutMs: idleMs });
    const quiet = await dial(publicPort);
    const busy = await dial(publicPort);
    // The relay's timer restarts with its last byte on `quiet` (the echo of 'hi'), which comes after this
    // send: the close may not come sooner than idleMs after it, however slowly the echoes travel.
    const start = Date.now();
    expect(await echoes(quiet, 'hi')).toBe(true);
    expect(await echoes(busy, 'hi')).toBe(true);
    const quietClosed = new Promise<number>((r) => quiet.once('close', () => r(Date.now() - start)));
    quiet.resume();
    // The busy one says something every idleMs/4 for 3 × idleMs.
    for (let i = 0; i < 12; i++) {
      expect(await echoes(busy, `tick ${i}`)).toBe(true);
      await new Promise((r) => setTimeout(r, idleMs / 4));
    }
    const quietAfter = await quietClosed;
    expect(quietAfter).toBeGreaterThanOrEqual(idleMs - 50);
    expect(quietAfter).toBeLessThan(idleMs + 600);
    expect(busy.destroyed).toBe(false);
  });
});
