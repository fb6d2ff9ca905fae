import { randomBytes } from 'node:crypto';
import { performServerHandshake } from 'node:http2';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closed, NetFixtures, readToEnd, sha256 } from '../../test-support/net-fixtures';
import { agentPolicy, agentState, bound, RelayFixtures } from '../../test-support/relay-fixtures';
import { DATA_MAGIC } from './data-protocol';
import { agentHandshake } from './handshake';
import { encodeFrame, encodePreamble, MAGIC, MAX_HANDSHAKE_FRAME, newNonce } from './protocol';
import type { RelayAgent } from './relay-agent';
import type { RelayLimits } from './relay-limits';
import type { RelayServer } from './relay-server';

// Malformed input on the relay's agent port must close that one connection and nothing else: the relay
// keeps serving an agent that was connected before, and a new agent can still connect.

const net = new NetFixtures();
const rf = new RelayFixtures();
const FUZZ_TOKEN = 'fuzz-token-for-tests';
const BATCH = 5;
/** Short deadlines so that a connection stuck half-way is dropped quickly (the defaults are seconds). */
const RELAY_TIMINGS = { limits: { handshakeTimeoutMs: 300 }, heartbeatIntervalMs: 300, heartbeatTimeoutMs: 1000 };

const unexpected: unknown[] = [];
const onUnexpected = (err: unknown) => unexpected.push(err);
beforeAll(() => {
  process.on('uncaughtException', onUnexpected);
  process.on('unhandledRejection', onUnexpected);
});
afterAll(() => {
  process.off('uncaughtException', onUnexpected);
  process.off('unhandledRejection', onUnexpected);
});
afterEach(async () => {
  await rf.cleanup();
  await net.cleanup();
});

interface World {
  relay: RelayServer;
  agent: RelayAgent;
  publicPort: number;
}

/** A relay with agent "a1" connected and exposing an echo server, and room for fuzz0…fuzz{BATCH-1}. */
async function world(limits: Partial<RelayLimits> = {}): Promise<World> {
  const echo = await net.echoServer();
  const publicPort = await net.freePort();
  const fuzzers = Array.from({ length: BATCH }, (_, i) => agentPolicy(`fuzz${i}`, FUZZ_TOKEN, 1, 1));
  const relay = await rf.relay({ agents: [agentPolicy('a1', 'secret-token-for-tests', publicPort), agentPolicy('a2', 'other-token-for-tests', 1, 1), ...fuzzers] }, { ...RELAY_TIMINGS, limits: { ...RELAY_TIMINGS.limits, ...limits } });
  const agent = rf.agent(relay, { agent: 'a1', token: 'secret-token-for-tests' });
  await bound(agent.expose({ ref: 'r1', protocol: 'tcp', kind: 'tcp', remotePort: publicPort, target: { host: '127.0.0.1', port: echo.port } }));
  return { relay, agent, publicPort };
}

/** The relay still serves: the old agent's session is the same one and carries traffic, a new agent gets in. */
async function stillServing(w: World, session: string | undefined): Promise<void> {
  expect(w.agent.state).toBe('ready');
  expect(w.agent.session).toBe(session);
  const payload = randomBytes(256 * 1024);
  const client = await net.connect(w.publicPort);
  const got = readToEnd(client);
  client.end(payload);
  expect((await got).sha256).toBe(sha256(payload));
  const fresh = rf.agent(w.relay, { agent: 'a2', token: 'other-token-for-tests' });
  await agentState(fresh, 'ready');
  await fresh.close();
  expect(unexpected).toEqual([]);
}

function rawTls(port: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: ['porthole-relay/1'] }, () => resolve(s));
    net.socket(s);
    s.once('error', reject);
  });
}

/** Resolves when `socket` closes; fails naming `what` if the relay has not closed it within 3 s. */
async function closedByRelay(socket: TLSSocket, what: string): Promise<void> {
  socket.resume();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the relay kept a connection open for 3 s after ${what}`)), 3000);
  });
  try {
    await Promise.race([closed(socket), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends `bytes` on a fresh TLS connection right after the TLS handshake, half-closing it after them
 * or not (then the relay's handshake deadline has to end it), and waits for the relay to close it.
 */
async function sendRaw(port: number, bytes: Uint8Array, halfClose: boolean): Promise<void> {
  const s = await rawTls(port);
  if (halfClose) s.end(bytes);
  else s.write(bytes);
  await closedByRelay(s, `${bytes.length} bytes${halfClose ? ' and a FIN' : ''} (${Buffer.from(bytes).toString('hex').slice(0, 80)}…)`);
}

/** Completes a real handshake as fuzz{slot}, then hands the socket over. */
async function authenticated(port: number, slot: number): Promise<TLSSocket> {
  const s = await rawTls(port);
  await agentHandshake(s, { agent: `fuzz${slot}`, token: FUZZ_TOKEN, assigned: false });
  return s;
}

const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const batchOf = <T>(arb: fc.Arbitrary<T>) => fc.array(arb, { minLength: 1, maxLength: BATCH });

/**
 * Sends batches of inputs, each batch on concurrent connections (each must be closed by the relay),
 * then checks that the relay still serves. `stage` says whether the inputs break the handshake or
 * come after a completed one.
 */
async function fuzz<T>(
  stage: 'handshake' | 'session',
  arb: fc.Arbitrary<T>,
  send: (port: number, input: T, slot: number, halfClose: boolean) => Promise<void>,
  examples: T[][] = [],
  limits: Partial<RelayLimits> = {},
): Promise<void> {
  const w = await world(limits);
  const session = w.agent.session;
  const port = w.relay.address!.port;
  let connections = 0;
  await fc.assert(
    fc.asyncProperty(batchOf(fc.tuple(arb, fc.boolean())), async (inputs) => {
      connections += inputs.length;
      await Promise.all(inputs.map(([input, halfClose], slot) => send(port, input, slot, halfClose)));
      expect(w.agent.state).toBe('ready');
    }),
    { numRuns: 10, examples: examples.map((batch) => [batch.map((input) => [input, false] as [T, boolean])]) },
  );
  await stillServing(w, session);
  if (stage === 'handshake') {
    // At least one per malformed connection (the agents' own handshakes may time out under load and retry).
    expect(w.relay.handshakeFailures).toBeGreaterThanOrEqual(connections);
    expect(w.relay.sessionsAccepted).toBe(2);
  } else {
    expect(w.relay.sessionsAccepted).toBe(2 + connections);
    expect(w.relay.status().agents.filter((a) => a.name.startsWith('fuzz') && a.online)).toEqual([]);
  }
}

describe('relay against malformed agent connections', () => {
  it('closes connections that send random bytes', async () => {
    await fuzz('handshake', bytes(512), (port, b, _slot, fin) => sendRaw(port, b, fin), [[new Uint8Array(0)], [new TextEncoder().encode('GET / HTTP/1.1\r\nHost: relay\r\n\r\n')]]);
  });

  it('closes connections that send the magic followed by random bytes', async () => {
    await fuzz('handshake', bytes(512), (port, b, _slot, fin) => sendRaw(port, Buffer.concat([MAGIC, b]), fin), [[Uint8Array.of(2)], [Uint8Array.of(1, 0, 0, 0, 0)]]);
  });

  it('closes data connections that send the data magic followed by random bytes', async () => {
    await fuzz('handshake', bytes(512), (port, b, _slot, fin) => sendRaw(port, Buffer.concat([DATA_MAGIC, b]), fin), [[Uint8Array.of(1)], [Uint8Array.of(1, 0, 0, 0, 2, 123, 125)]]);
  });

  it('refuses data connections whose ticket is well formed but issued by no session', async () => {
    const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
    const tickets = fc.record({
      session: fc.oneof(hex(16), fc.string({ minLength: 1, maxLength: 64 })),
      id: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      exp: fc.maxSafeNat().map((n) => n + 1),
      mac: hex(64),
    });
    // Each is a failed attempt that counts towards refusing the source (127.0.0.1, the agents' too):
    // here the limiter lets them all through, its own tests are in relay-brute-force.test.ts.
    const lenient = { maxFailedHandshakes: 10_000, failureDelayMs: 0, maxFailureDelayMs: 0 };
    await fuzz('handshake', tickets, (port, t, _slot, fin) => sendRaw(port, Buffer.concat([DATA_MAGIC, Uint8Array.of(1), encodeFrame(t)]), fin), [], lenient);
  });

  it('closes connections that announce a handshake frame longer than the limit', async () => {
    const huge = fc.tuple(fc.integer({ min: MAX_HANDSHAKE_FRAME + 1, max: 0xffff_ffff }), bytes(256));
    await fuzz('handshake', huge, (port, [len, tail], _slot, fin) => {
      const head = Buffer.alloc(4);
      head.writeUInt32BE(len, 0);
      return sendRaw(port, Buffer.concat([encodePreamble(), head, tail]), fin);
    });
  });

  it('closes connections whose hello frame is any JSON but a valid hello', async () => {
    const hellos = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.record({ agent: fc.string(), nonce: fc.string(), assigned: fc.boolean() }));
    await fuzz('handshake', hellos, (port, v, _slot, fin) => sendRaw(port, Buffer.concat([encodePreamble(), encodeFrame(v ?? null)]), fin), [[{ agent: 'fuzz0', nonce: newNonce(), assigned: false, extra: 1 }]]);
  });

  it('closes connections that send a valid hello followed by garbage', async () => {
    await fuzz('handshake', bytes(512), (port, garbage, slot, fin) => {
      const hello = encodeFrame({ agent: `fuzz${slot}`, nonce: newNonce(), assigned: false });
      return sendRaw(port, Buffer.concat([encodePreamble(), hello, garbage]), fin);
    });
  });

  it('drops an authenticated session that sends garbage instead of HTTP/2', async () => {
    // At least a frame header's 9 bytes: fewer leave the relay waiting for the rest, as it should, until
    // the heartbeat deadline drops the session (the short example shows that too).
    await fuzz('session', fc.uint8Array({ minLength: 9, maxLength: 512 }), async (port, garbage, slot) => {
      const s = await authenticated(port, slot);
      s.write(garbage);
      await closedByRelay(s, `an authenticated session sent ${garbage.length} bytes of garbage instead of HTTP/2`);
    }, [[Uint8Array.of(0, 0, 4)], [new TextEncoder().encode('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')]]);
  });

  it('drops an authenticated session that sends garbage on the control stream', async () => {
    const lines = fc.oneof(bytes(512), fc.string({ maxLength: 200 }).map((t) => Buffer.from(t)));
    await fuzz('session', lines, async (port, garbage, slot) => {
      const s = await authenticated(port, slot);
      const h2 = performServerHandshake(s);
      h2.on('error', () => undefined);
      h2.on('stream', (stream, headers) => {
        stream.on('error', () => undefined);
        if (headers[':path'] !== '/control') return void stream.close();
        stream.respond({ ':status': 200 });
        stream.resume();
        stream.write(Buffer.concat([Buffer.from(garbage), Buffer.from('\n')]));
      });
      await closedByRelay(s, `an authenticated session sent ${JSON.stringify(Buffer.from(garbage).toString('latin1').slice(0, 60))} on the control stream`);
      h2.destroy();
    }, [[Buffer.from('{"t":"expose"}')], [Buffer.alloc(70_000, 0x61)]]);
  });
});
