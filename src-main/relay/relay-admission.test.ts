import { randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { NetFixtures, readToEnd, sha256, waitFor } from '../../test-support/net-fixtures';
import { agentPolicy, bound, RelayFixtures } from '../../test-support/relay-fixtures';
import { agentHandshake } from './handshake';
import { encodeFrame, encodePreamble, newNonce } from './protocol';
import type { RelayLimits } from './relay-limits';
import type { RelayServer } from './relay-server';
import { TLS_CIPHERSUITES } from './tls-suites';

// Issue 14: strangers on the relay's agent port must not keep a real agent out. Floods come from
// 127.0.0.10 and up (all of 127/8 is loopback on Linux); the real agent dials from 127.0.0.2.
// Lifetimes get 1.5 s of slack over the deadline for a loaded machine: before the fix they were
// unbounded (a connection that never sent a byte stayed open for good).

const net = new NetFixtures();
const rf = new RelayFixtures();
const TOKEN = 'admission-token-0123456789';
afterEach(async () => {
  await rf.cleanup();
  await net.cleanup();
});

/** Connections that the relay has to close: when each opened, and how long each lived. */
class Crowd {
  readonly sockets = new Set<Socket>();
  readonly lifetimes: number[] = [];
  opened = 0;

  open(port: number, localAddress: string, onConnect?: (s: Socket) => void): void {
    const s = net.socket(netConnect({ host: '127.0.0.1', port, localAddress }));
    this.sockets.add(s);
    s.once('connect', () => {
      this.opened++;
      const at = Date.now();
      s.once('close', () => this.lifetimes.push(Date.now() - at));
      onConnect?.(s);
    });
    s.resume();
    s.once('close', () => this.sockets.delete(s));
  }

  /** Connections the relay has not closed yet. */
  get live(): number {
    return this.sockets.size;
  }
}

const sources = (n: number, from = 10) => Array.from({ length: n }, (_, i) => `127.0.0.${from + i}`);

/** A relay with agent "a1" allowed one public port, and that agent dialling it from 127.0.0.2. */
async function relayAndAgent(limits: Partial<RelayLimits>, tls = true) {
  const publicPort = await net.freePort();
  const relay = await rf.relay({ tls, agents: [agentPolicy('a1', TOKEN, publicPort)] }, { limits });
  return { relay, publicPort };
}

async function realAgentCarriesTraffic(relay: RelayServer, publicPort: number, tls: boolean): Promise<void> {
  const echo = await net.echoServer();
  const tap = await rf.tap(relay.address!, { localAddress: '127.0.0.2' });
  const agent = rf.agent({ host: '127.0.0.1', port: tap.port }, { agent: 'a1', token: TOKEN, tls });
  await bound(agent.expose({ ref: 'r1', protocol: 'tcp', kind: 'tcp', remotePort: publicPort, target: { host: '127.0.0.1', port: echo.port } }), 8000);
  const payload = randomBytes(64 * 1024);
  const client = await net.connect(publicPort);
  const got = readToEnd(client);
  client.end(payload);
  expect((await got).sha256).toBe(sha256(payload));
  expect(relay.status().agents[0]).toMatchObject({ online: true, address: expect.stringMatching(/^127\.0\.0\.2:/) });
}

/** The first flight of a TLS client as the agent sends it (its ClientHello). */
async function clientHello(): Promise<Buffer> {
  let got: (d: Buffer) => void = () => undefined;
  const hello = new Promise<Buffer>((resolve) => (got = resolve));
  const sink = await net.server((s) => s.once('data', got));
  {
    const c = net.socket(tlsConnect({ host: '127.0.0.1', port: sink.port, ALPNProtocols: ['porthole-relay/1'], minVersion: 'TLSv1.3', ciphers: TLS_CIPHERSUITES, rejectUnauthorized: false }));
    c.once('error', () => undefined);
  }
  return hello;
}

describe('relay admission: floods on the agent port', () => {
  it('closes 400 idle connections within the handshake deadline while a real agent gets in through the full table and carries traffic', async () => {
    const deadline = 1500;
    const { relay, publicPort } = await relayAndAgent({ handshakeTimeoutMs: deadline });
    const port = relay.address!.port;
    const crowd = new Crowd();
    // 50 addresses × 8 (each at its per-address cap): the newest 64 fill the table, older ones are dropped.
    for (const src of sources(50)) for (let i = 0; i < 8; i++) crowd.open(port, src);
    await waitFor(() => crowd.opened === 400, 'the 400 idle connections to connect');
    expect(crowd.live).toBeGreaterThan(0);

    await realAgentCarriesTraffic(relay, publicPort, true);
    // The agent got in while idle connections still held the table.
    expect(crowd.live).toBeGreaterThan(0);

    await waitFor(() => crowd.live === 0, 'the relay to close every idle connection', deadline + 4000);
    expect(crowd.lifetimes).toHaveLength(400);
    expect(Math.max(...crowd.lifetimes)).toBeLessThan(deadline + 1500);
    const stats = relay.admissionStats();
    console.log(`400 idle connections, deadline ${deadline} ms: longest lived ${Math.max(...crowd.lifetimes)} ms; ${stats.evicted} dropped for room, ${stats.timedOut} closed at the deadline, at most ${stats.peakPending} pending`);
    expect(stats.peakPending).toBeLessThanOrEqual(64);
    expect(stats.pending).toBe(0);
    expect(stats.timedOut).toBeGreaterThan(0);
    expect(stats.evicted).toBeGreaterThan(0);
    expect(stats.evicted + stats.timedOut + stats.refusedBusy).toBeGreaterThanOrEqual(400);
    // Once per burst, not once per connection.
    expect(rf.logs.filter((l) => l.includes('no TLS and handshake within'))).toHaveLength(1);
    expect(rf.logs.filter((l) => l.includes('max_pending_handshakes'))).toHaveLength(1);
  });

  for (const tls of [true, false]) {
    it(`keeps trickling connections within the caps and closes them at the deadline while the real agent gets in (${tls ? 'a ClientHello' : 'a plain-TCP hello'}, a byte every 50 ms)`, async () => {
      const deadline = 2000;
      const { relay, publicPort } = await relayAndAgent({ handshakeTimeoutMs: deadline, maxPendingHandshakes: 32, maxPendingPerAddress: 4 }, tls);
      const port = relay.address!.port;
      const bytes = tls ? await clientHello() : Buffer.concat([encodePreamble(), encodeFrame({ agent: 'a1', nonce: newNonce(), assigned: false })]);
      const crowd = new Crowd();
      const offsets = new Map<Socket, number>();
      const trickle = setInterval(() => {
        for (const [s, at] of offsets) {
          if (s.destroyed || at >= bytes.length) continue;
          s.write(bytes.subarray(at, at + 1));
          offsets.set(s, at + 1);
        }
      }, 50);
      let worst = { pending: 0, perAddress: 0 };
      const sample = setInterval(() => {
        const st = relay.admissionStats();
        worst = { pending: Math.max(worst.pending, st.pending), perAddress: Math.max(worst.perAddress, st.peakPerAddress) };
      }, 10);
      try {
        // 12 addresses × 6: two of each address's six are refused at once, 16 more dropped for room.
        for (const src of sources(12, 20)) for (let i = 0; i < 6; i++) crowd.open(port, src, (s) => offsets.set(s, 0));
        await waitFor(() => crowd.opened === 72, 'the trickling connections to connect');
        await realAgentCarriesTraffic(relay, publicPort, tls);
        await waitFor(() => crowd.live === 0, 'the relay to close every trickling connection', deadline + 4000);
      } finally {
        clearInterval(trickle);
        clearInterval(sample);
      }
      expect(Math.max(...crowd.lifetimes)).toBeLessThan(deadline + 1500);
      expect(worst.pending).toBeLessThanOrEqual(32);
      const stats = relay.admissionStats();
      expect(stats.peakPending).toBeLessThanOrEqual(32);
      expect(stats.peakPerAddress).toBeLessThanOrEqual(4);
      expect(stats.refusedBusy).toBe(24);
      expect(stats.timedOut).toBeGreaterThan(0);
    });
  }

  it('does not leave a connection that finished TLS but never sent the handshake open past the deadline', async () => {
    const { relay } = await relayAndAgent({ handshakeTimeoutMs: 1000 });
    const s = net.socket(tlsConnect({ host: '127.0.0.1', port: relay.address!.port, rejectUnauthorized: false, ALPNProtocols: ['porthole-relay/1'] }));
    await new Promise((r) => s.once('secureConnect', r));
    const at = Date.now();
    s.resume();
    await new Promise((r) => s.once('close', r));
    expect(Date.now() - at).toBeLessThan(1750);
    expect(relay.admissionStats()).toMatchObject({ pending: 0, timedOut: 1, failed: 1 });
  });
});

/** A TLS connection to the relay that passes the agent handshake and then says nothing more. */
async function silentAgent(relay: RelayServer, name: string): Promise<TLSSocket> {
  const socket = await new Promise<TLSSocket>((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port: relay.address!.port, rejectUnauthorized: false, ALPNProtocols: ['porthole-relay/1'] }, () => resolve(s));
    net.socket(s);
    s.once('error', reject);
  });
  socket.on('error', () => undefined);
  await agentHandshake(socket, { agent: name, token: TOKEN, assigned: false });
  return socket;
}

// An agent that passed the handshake gets handshakeTimeoutMs to start HTTP/2; one that never does is
// dropped with a warning. One whose connection closes first is simply offline: its deadline must not
// fire later and warn about a session that is already gone.
describe('the relay\'s deadline for an agent\'s first HTTP/2 exchange', () => {
  it('warns about an agent that never speaks HTTP/2, and not about one whose connection closed before its deadline', async () => {
    const logs: string[] = [];
    const [p1, p2] = [await net.freePort(), await net.freePort()];
    const relay = await rf.relay(
      { agents: [agentPolicy('gone', TOKEN, p1), agentPolicy('mute', TOKEN, p2)] },
      { limits: { handshakeTimeoutMs: 300 }, log: (level, m) => logs.push(`${level}: ${m}`) },
    );
    // 'gone' authenticates and hangs up at once: offline, for that reason.
    (await silentAgent(relay, 'gone')).destroy();
    await waitFor(() => logs.some((l) => l.includes('agent "gone" offline')), 'agent "gone" offline');
    // 'mute' authenticates after that and stays silent: its deadline (the same length, started later)
    // fires after the one 'gone' had, so once 'mute' is warned about, 'gone''s would have been too.
    const mute = await silentAgent(relay, 'mute');
    await waitFor(() => logs.some((l) => l.includes('agent "mute"') && l.includes('no HTTP/2 settings')), 'the warning about "mute"');
    expect(logs.filter((l) => l.includes('no HTTP/2 settings'))).toEqual([expect.stringContaining('agent "mute"')]);
    mute.destroy();
  });
});
