import { randomBytes } from 'node:crypto';
import { performServerHandshake } from 'node:http2';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closed, NetFixtures, readToEnd, sha256 } from '../../test-support/net-fixtures';
import { agentPolicy, agentState, bound, RelayFixtures } from '../../test-support/relay-fixtures';
import { agentHandshake } from './handshake';
import { encodeFrame, encodePreamble, MAGIC, MAX_HANDSHAKE_FRAME, newNonce } from './protocol';
import type { RelayAgent } from './relay-agent';
import type { RelayServer } from './relay-server';

// Malformed input on the relay's agent port must close that one connection and nothing else: the relay
// keeps serving an agent that was connected before, and a new agent can still connect.

const net = new NetFixtures();
const rf = new RelayFixtures();
const FUZZ_TOKEN = 'fuzz-token';
const BATCH = 5;
/** Short deadlines so that a connection stuck half-way is dropped quickly (the defaults are seconds). */
const RELAY_TIMINGS = { handshakeTimeoutMs: 300, heartbeatIntervalMs: 300, heartbeatTimeoutMs: 600 };

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
async function world(): Promise<World> {
  const echo = await net.echoServer();
  const publicPort = await net.freePort();
  const fuzzers = Array.from({ length: BATCH }, (_, i) => agentPolicy(`fuzz${i}`, FUZZ_TOKEN, 1, 1));
  const relay = await rf.relay({ agents: [agentPolicy('a1', 'secret-token', publicPort), agentPolicy('a2', 'other-token', 1, 1), ...fuzzers] }, RELAY_TIMINGS);
  const agent = rf.agent(relay, { agent: 'a1', token: 'secret-token', heartbeatIntervalMs: 300 });
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
  const fresh = rf.agent(w.relay, { agent: 'a2', token: 'other-token' });
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

/** Sends `bytes` on a fresh TLS connection right after the TLS handshake and waits for the relay to close it. */
async function sendRaw(port: number, bytes: Uint8Array): Promise<void> {
  const s = await rawTls(port);
  s.write(bytes);
  await closedByRelay(s, `${bytes.length} bytes (${Buffer.from(bytes).toString('hex').slice(0, 80)}…)`);
}

/** Completes a real handshake as fuzz{slot}, then hands the socket over. */
async function authenticated(port: number, slot: number): Promise<TLSSocket> {
  const s = await rawTls(port);
  await agentHandshake(s, { agent: `fuzz${slot}`, token: FUZZ_TOKEN, assigned: false });
  return s;
}

const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const batchOf = <T>(arb: fc.Arbitrary<T>) => fc.array(arb, { minLength: 1, maxLength: BATCH });

/** Runs `property` over batches of inputs, each batch sent on concurrent connections, then checks the relay still serves. */
async function fuzz<T>(name: string, arb: fc.Arbitrary<T>, send: (port: number, input: T, slot: number) => Promise<void>, numRuns = 10): Promise<void> {
  const w = await world();
  const session = w.agent.session;
  const port = w.relay.address!.port;
  await fc.assert(
    fc.asyncProperty(batchOf(arb), async (inputs) => {
      await Promise.all(inputs.map((input, slot) => send(port, input, slot)));
      expect(w.agent.state).toBe('ready');
    }),
    { numRuns, interruptAfterTimeLimit: 15_000 },
  );
  await stillServing(w, session);
  expect(w.relay.handshakeFailures, name).toBeGreaterThan(0);
}

describe('relay against malformed agent connections', () => {
  it('closes connections that send random bytes', async () => {
    await fuzz('random bytes', bytes(512), (port, b) => sendRaw(port, b));
  });

  it('closes connections that send the magic followed by random bytes', async () => {
    await fuzz('magic + random', bytes(512), (port, b) => sendRaw(port, Buffer.concat([MAGIC, b])));
  });

  it('closes connections that announce a handshake frame longer than the limit', async () => {
    const huge = fc.tuple(fc.integer({ min: MAX_HANDSHAKE_FRAME + 1, max: 0xffff_ffff }), bytes(256));
    await fuzz('huge frame', huge, (port, [len, tail]) => {
      const head = Buffer.alloc(4);
      head.writeUInt32BE(len, 0);
      return sendRaw(port, Buffer.concat([encodePreamble(), head, tail]));
    });
  });

  it('closes connections whose hello frame is any JSON but a valid hello', async () => {
    await fuzz('random JSON hello', fc.jsonValue({ maxDepth: 3 }), (port, v) => sendRaw(port, Buffer.concat([encodePreamble(), encodeFrame(v ?? null)])));
  });

  it('closes connections that send a valid hello followed by garbage', async () => {
    await fuzz('hello + garbage', bytes(512), (port, garbage, slot) => {
      const hello = encodeFrame({ agent: `fuzz${slot}`, nonce: newNonce(), assigned: false });
      return sendRaw(port, Buffer.concat([encodePreamble(), hello, garbage]));
    });
  });

  it('drops an authenticated session that sends garbage instead of HTTP/2', async () => {
    await fuzz('garbage instead of HTTP/2', bytes(512), async (port, garbage, slot) => {
      const s = await authenticated(port, slot);
      s.write(garbage);
      const t = Date.now();
      s.once('close', () => console.log('DBG', Date.now() - t, Buffer.from(garbage).toString('hex').slice(0, 40), garbage.length));
      await closedByRelay(s, `an authenticated session sent ${garbage.length} bytes of garbage instead of HTTP/2`);
    });
  });

  it('drops an authenticated session that sends garbage on the control stream', async () => {
    const lines = fc.oneof(bytes(512), fc.string({ maxLength: 200 }).map((t) => Buffer.from(t)));
    await fuzz('garbage on the control stream', lines, async (port, garbage, slot) => {
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
    });
  });
});
