import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NetFixtures, readToEnd, sha256, waitFor } from '../../test-support/net-fixtures';
import { agentPolicy, agentState, bound, RelayFixtures } from '../../test-support/relay-fixtures';
import { UsageError } from '../headless/args';
import { cmdAgent } from '../headless/cmd-agent';
import { cmdRelay } from '../headless/cmd-relay';
import { agentHandshake, HandshakeError } from './handshake';
import type { RelayLimits } from './relay-limits';
import type { RelayServer } from './relay-server';

// Issue 14: a token guesser on one address is slowed down and then refused, logged once per burst,
// while the right agent from another address still gets in; short tokens stop the relay and the
// agent from starting, with a message that says how to make a strong one.

const net = new NetFixtures();
const rf = new RelayFixtures();
const TOKEN = 'the-right-token-0123456789';
afterEach(async () => {
  vi.restoreAllMocks();
  await rf.cleanup();
  await net.cleanup();
});

type Outcome = 'wrong-token' | 'refused';

/** One guess: TLS, the handshake with a wrong token; 'refused' when the relay closes before its verdict. */
async function guess(port: number): Promise<Outcome> {
  const s: TLSSocket = net.socket(tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: ['porthole-relay/1'] })) as TLSSocket;
  try {
    const ok = await new Promise<boolean>((resolve) => {
      s.once('secureConnect', () => resolve(true));
      s.once('error', () => resolve(false));
      s.once('close', () => resolve(false));
    });
    if (!ok) return 'refused';
    await agentHandshake(s, { agent: 'a1', token: `guess-${randomBytes(8).toString('hex')}`, assigned: false, timeoutMs: 5000 });
    throw new Error('a wrong token was accepted');
  } catch (err) {
    if (err instanceof HandshakeError && err.code === 'AUTH_FAILED') return 'wrong-token';
    if (err instanceof HandshakeError) return 'refused';
    throw err;
  } finally {
    s.destroy();
  }
}

/** Guesses one after another until `stop` says so; when each verdict (a guess the relay read) came. */
async function guesser(port: number, stop: (verdicts: number[], refusals: number, startedAt: number) => boolean): Promise<{ verdicts: number[]; refusals: number; elapsedMs: number }> {
  const startedAt = Date.now();
  const verdicts: number[] = [];
  let refusals = 0;
  while (!stop(verdicts, refusals, startedAt)) {
    if ((await guess(port)) === 'wrong-token') verdicts.push(Date.now());
    else refusals++;
  }
  return { verdicts, refusals, elapsedMs: Date.now() - startedAt };
}

async function relayWith(limits: Partial<RelayLimits>, logs: string[]): Promise<{ relay: RelayServer; publicPort: number }> {
  const publicPort = await net.freePort();
  const relay = await rf.relay({ agents: [agentPolicy('a1', TOKEN, publicPort)] }, { limits, log: (level, m) => logs.push(`${level}: ${m}`) });
  return { relay, publicPort };
}

describe('relay against a token guesser', () => {
  it('slows a guesser on one address down, then refuses it with one log line, while the right agent on another address gets in', async () => {
    // Unlimited (what the relay did before): how fast one client guesses on this machine.
    const before = await relayWith({ maxFailedHandshakes: 1_000_000, failureDelayMs: 0, maxFailureDelayMs: 0 }, []);
    const free = await guesser(before.relay.address!.port, (_v, _r, at) => Date.now() - at >= 1000);
    const freeRate = (free.verdicts.length * 1000) / free.elapsedMs;

    const delay = (n: number) => Math.min(25 * 2 ** (n - 1), 400);
    const logs: string[] = [];
    const { relay, publicPort } = await relayWith({ failureDelayMs: 25, maxFailureDelayMs: 400, maxFailedHandshakes: 10, blockMs: 60_000 }, logs);
    const port = relay.address!.port;
    const run = await guesser(port, (v, refusals, at) => refusals >= 20 || Date.now() - at > 15_000);
    const rate = (run.verdicts.length * 1000) / run.elapsedMs;
    console.log(`token guesser from one address: ${freeRate.toFixed(0)} guesses/s unlimited; limited: ${run.verdicts.length} guesses read in ${run.elapsedMs} ms (${rate.toFixed(1)}/s), then ${run.refusals} connections refused`);

    // Ten guesses read, each after the wait its failures earned; then only refusals.
    expect(run.verdicts).toHaveLength(10);
    for (let i = 1; i < 10; i++) expect(run.verdicts[i]! - run.verdicts[i - 1]!).toBeGreaterThanOrEqual(delay(i) - 5);
    expect(run.refusals).toBe(20);
    const waited = Array.from({ length: 9 }, (_, i) => delay(i + 1)).reduce((a, b) => a + b, 0);
    expect(run.verdicts[9]! - run.verdicts[0]!).toBeGreaterThanOrEqual(waited - 50);
    // The figure depends on the machine; the delays and the refusal make it a small fraction anyway.
    expect(freeRate / rate).toBeGreaterThan(5);
    expect(relay.admissionStats()).toMatchObject({ blocks: 1, refusedBlocked: 20 });
    // One line for the refusal; of the failures, only the first is written.
    expect(logs.filter((l) => /^warn: 10 failed handshakes from 127\.0\.0\.1 in the last [\d.]+ s; refusing it for 1 min$/.test(l))).toHaveLength(1);
    expect(logs.filter((l) => l.includes('handshake from 127.0.0.1:'))).toHaveLength(1);
    expect(logs).toHaveLength(2);

    // The right agent from another address gets in and carries traffic.
    const echo = await net.echoServer();
    const tap = await rf.tap(relay.address!, { localAddress: '127.0.0.2' });
    const agent = rf.agent({ host: '127.0.0.1', port: tap.port }, { agent: 'a1', token: TOKEN });
    await bound(agent.expose({ ref: 'r1', protocol: 'tcp', kind: 'tcp', remotePort: publicPort, target: { host: '127.0.0.1', port: echo.port } }));
    const payload = randomBytes(32 * 1024);
    const client = await net.connect(publicPort);
    const got = readToEnd(client);
    client.end(payload);
    expect((await got).sha256).toBe(sha256(payload));
    // From the refused address even the right token waits: the agent is told to retry later.
    await agent.close();
    await waitFor(() => !relay.status().agents[0]!.online, 'the relay to see the agent leave');
    const blocked = rf.agent(relay, { agent: 'a1', token: TOKEN });
    await agentState(blocked, 'retrying');
    expect(blocked.lastError?.code).toBe('CONNECTION_RESET');
    expect(relay.admissionStats().refusedBlocked).toBeGreaterThan(20);
    expect(relay.status().agents[0]!.online).toBe(false);
  });
});

describe('short tokens', () => {
  it('stop the relay from starting, saying how to make a strong token', async () => {
    const port = await net.freePort();
    await expect(rf.relay({ agents: [agentPolicy('a1', 'short', port)] })).rejects.toThrow(
      /agent "a1" has a token shorter than 16 characters, which can be guessed — make one with `porthole relay --gen-token` \(or `openssl rand -hex 24`\)/,
    );
    await expect(rf.relay({ token: 'fifteen-chars-x', agents: [{ name: 'a1', ports: [], allowPorts: [] }, agentPolicy('a2', TOKEN, port)] })).rejects.toThrow(/agent "a1" has a token shorter/);
    await expect(net.connect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    // Sixteen characters are enough.
    await expect(rf.relay({ token: 'sixteen-chars-xx', agents: [{ name: 'a1', ports: [], allowPorts: [] }] })).resolves.toBeDefined();
  });

  it('stop `porthole relay` and `porthole agent` with a usage error naming the file; `porthole relay --gen-token` prints one', async () => {
    const dir = rf.dir();
    const server = join(dir, 'server.yaml');
    writeFileSync(server, 'bind: 127.0.0.1:9\ntoken: hunter2\nproxy:\n  - remote_name: lab\n    allow_ports: [20000]\n');
    await expect(cmdRelay(['--config', server, '--data-dir', dir])).rejects.toThrow(UsageError);
    await expect(cmdRelay(['--config', server, '--data-dir', dir])).rejects.toThrow(`${server}: agent "lab" has a token shorter than 16 characters`);
    const client = join(dir, 'client.yaml');
    writeFileSync(client, 'name: lab\nserver: 127.0.0.1:1\ntoken: hunter2\n');
    await expect(cmdAgent(['--config', client, '--data-dir', dir])).rejects.toThrow(`${client}: the token has 7 characters; Porthole's relay needs at least 16`);

    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    expect(await cmdRelay(['--gen-token'])).toBe(0);
    expect(await cmdRelay(['--gen-token'])).toBe(0);
    vi.restoreAllMocks();
    expect(out).toHaveLength(2);
    for (const line of out) expect(line).toMatch(/^[A-Za-z0-9_-]{32}\n$/);
    expect(out[0]).not.toBe(out[1]);
  });

  it('fail an agent at once with AUTH_FAILED, before it dials the relay', async () => {
    const relay = await rf.relay({ agents: [agentPolicy('a1', TOKEN, 1)] });
    const tap = await rf.tap(relay.address!);
    const agent = rf.agent({ host: '127.0.0.1', port: tap.port }, { agent: 'a1', token: 'short' });
    await agentState(agent, 'failed');
    expect(agent.lastError?.code).toBe('AUTH_FAILED');
    expect(agent.lastError?.message).toMatch(/the token for agent "a1" has 5 characters; relays need at least 16 — make one with `porthole relay --gen-token`/);
    expect(tap.accepted).toBe(0);
  });
});
