import { randomBytes } from 'node:crypto';
import { performServerHandshake, type ServerHttp2Stream } from 'node:http2';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { closed, NetFixtures, waitFor } from '../../test-support/net-fixtures';
import { agentPolicy, RelayFixtures } from '../../test-support/relay-fixtures';
import { DATA_CAPABILITY, DATA_MAGIC, H_DATA, ticketMac } from './data-protocol';
import { agentHandshake, channelBinding } from './handshake';
import { encodeFrame, encodeLine, LineSplitter, PROTOCOL_VERSION } from './protocol';
import type { RelayServer } from './relay-server';

// The tickets of data connections, checked from the outside: an agent made by hand (handshake, HTTP/2,
// control stream) that collects the relay's tickets and dials data connections with chosen ones.

const net = new NetFixtures();
const rf = new RelayFixtures();
afterEach(async () => {
  await rf.cleanup();
  await net.cleanup();
});

function rawTls(port: number, localAddress?: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: ['porthole-relay/1'], ...(localAddress ? { localAddress } : {}) }, () => resolve(s));
    net.socket(s);
    s.once('error', reject);
  });
}

interface HandAgent {
  session: string;
  dataKey: Buffer;
  /** Every control line from the relay, in order. */
  lines: Array<{ t: string; ids?: number[]; exp?: number }>;
  tickets(): Array<{ id: number; exp: number }>;
  send(msg: object): void;
}

/** Authenticates as `name`, serves the relay's HTTP/2 session and answers its data offer when `accept`. */
async function handAgent(relay: RelayServer, name: string, accept: boolean): Promise<HandAgent> {
  const s = await rawTls(relay.address!.port);
  const { session, dataKey } = await agentHandshake(s, { agent: name, token: 'secret-token-for-tests', assigned: false });
  const h2 = performServerHandshake(s);
  h2.on('error', () => undefined);
  const lines: HandAgent['lines'] = [];
  let control: ServerHttp2Stream | undefined;
  h2.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    if (headers[':path'] !== '/control') return void stream.close();
    control = stream;
    expect(headers[H_DATA]).toBe(DATA_CAPABILITY);
    stream.respond({ ':status': 200, ...(accept ? { [H_DATA]: DATA_CAPABILITY } : {}) });
    const split = new LineSplitter();
    stream.on('data', (d: Buffer) => {
      for (const l of split.push(d)) lines.push(JSON.parse(l) as HandAgent['lines'][number]);
    });
  });
  await waitFor(() => lines.some((l) => l.t === 'welcome'), 'the welcome');
  return {
    session,
    dataKey,
    lines,
    tickets: () => lines.filter((l) => l.t === 'data-dial').flatMap((l) => l.ids!.map((id) => ({ id, exp: l.exp! }))),
    send: (msg) => control!.write(encodeLine(msg as never)),
  };
}

/** Dials a data connection presenting a ticket; `mac` picks the key and TLS binding it is made with. */
async function dialData(relay: RelayServer, t: { session: string; id: number; exp: number }, key: Buffer, binding: 'this' | 'other' = 'this', from?: string): Promise<TLSSocket> {
  const s = await rawTls(relay.address!.port, from);
  const b = binding === 'this' ? channelBinding(s) : channelBinding(await rawTls(relay.address!.port));
  s.write(Buffer.concat([DATA_MAGIC, Buffer.from([PROTOCOL_VERSION]), encodeFrame({ ...t, mac: ticketMac(key, t.session, t.id, t.exp, b) })]));
  return s;
}

/** The relay's refusal on a data connection: the error frame it sent before closing. */
async function refusal(s: TLSSocket): Promise<string> {
  const chunks: Buffer[] = [];
  s.on('data', (d: Buffer) => chunks.push(d));
  await closed(s);
  const all = Buffer.concat(chunks);
  expect(all.length).toBeGreaterThan(4);
  const body = JSON.parse(all.subarray(4, 4 + all.readUInt32BE(0)).toString('utf8')) as { error: { code: string; message: string } };
  expect(body.error.code).toBe('AUTH_FAILED');
  return body.error.message;
}

describe('data connection tickets', () => {
  it('admits a data connection once per ticket and refuses a replayed, forged, foreign-session or other-connection one, each a failed attempt', async () => {
    const relay = await rf.relay({ agents: [agentPolicy('h1', 'secret-token-for-tests', 1), agentPolicy('h2', 'secret-token-for-tests', 1)] });
    const a = await handAgent(relay, 'h1', true);
    const b = await handAgent(relay, 'h2', true);
    await waitFor(() => a.tickets().length >= 4 && b.tickets().length >= 4, 'tickets for both sessions');
    const [t1, t2, t3] = a.tickets();
    const mine = (t: { id: number; exp: number }) => ({ session: a.session, ...t });
    const failures = () => relay.handshakeFailures;
    const base = failures();

    const good = await dialData(relay, mine(t1!), a.dataKey);
    await waitFor(() => relay.dataPool('h1')?.ready === 1, 'the first data connection to join the pool');
    expect(failures()).toBe(base);
    expect(good.destroyed).toBe(false);

    expect(await refusal(await dialData(relay, mine(t1!), a.dataKey))).toMatch(/ticket \d+ is unknown or was already used/);
    expect(failures()).toBe(base + 1);
    expect(await refusal(await dialData(relay, mine(t2!), randomBytes(32)))).toMatch(/does not verify/);
    expect(failures()).toBe(base + 2);
    // The right key over another connection's TLS keying material: a ticket cannot be moved.
    expect(await refusal(await dialData(relay, mine(t3!), a.dataKey, 'other'))).toMatch(/does not verify/);
    // Another session's ticket and key, for an id this session also issued (and has not used): the MAC binds the session too.
    const theirs = b.tickets().find((t) => t.id === t3!.id)!;
    expect(await refusal(await dialData(relay, mine(theirs), b.dataKey))).toMatch(/does not verify/);
    expect(await refusal(await dialData(relay, { session: 'f'.repeat(16), ...t2! }, a.dataKey))).toMatch(/no such session/);
    expect(failures()).toBe(base + 5);
    // A forged MAC does not use the ticket up: the real one still gets in.
    await dialData(relay, mine(t2!), a.dataKey);
    await waitFor(() => relay.dataPool('h1')?.ready === 2, 'the second data connection to join the pool');
    expect(relay.status().agents.filter((x) => x.online).map((x) => x.name)).toEqual(['h1', 'h2']);
    // Logged once per burst from a source, not once per attempt (relay/burst-log.ts), like wrong tokens.
    expect(rf.logs.filter((l) => l.includes('data connection from') && l.includes('refused'))).toHaveLength(1);
    expect(relay.admissionStats().admitted).toBeGreaterThanOrEqual(4);
  });

  it('slows and then refuses a source that keeps presenting bad tickets, like a token guesser, while the agent keeps its data connections', async () => {
    const relay = await rf.relay({ agents: [agentPolicy('h1', 'secret-token-for-tests', 1)] }, { limits: { maxFailedHandshakes: 3, failureDelayMs: 100 } });
    const a = await handAgent(relay, 'h1', true);
    await waitFor(() => a.tickets().length >= 2, 'tickets');
    const [t1, t2] = a.tickets();
    const guess = (t: { id: number; exp: number }) => dialData(relay, { session: a.session, ...t }, randomBytes(32), 'this', '127.0.0.3');
    const started = Date.now();
    for (let i = 0; i < 3; i++) expect(await refusal(await guess(t1!))).toMatch(/does not verify/);
    // Each failure delays the source's next handshake (100, 200 ms: failure-limiter.ts) before it is read.
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await waitFor(() => relay.admissionStats().blocks === 1, 'the source to be refused');
    // Refused now at TCP accept, before TLS: the connection is reset.
    await expect(guess(t2!)).rejects.toThrow();
    expect(relay.admissionStats().refusedBlocked).toBeGreaterThanOrEqual(1);
    expect(rf.logs.some((l) => l.includes('3 failed handshakes from 127.0.0.3'))).toBe(true);
    // The agent's own source is not the guesser's: its data connection still gets in.
    await dialData(relay, { session: a.session, ...t1! }, a.dataKey);
    await waitFor(() => relay.dataPool('h1')?.ready === 1, 'the agent\'s data connection');
  });

  it('refuses an expired ticket', async () => {
    const relay = await rf.relay({ agents: [agentPolicy('h1', 'secret-token-for-tests', 1)] }, { dataConnections: { ticketTtlMs: 200 } });
    const a = await handAgent(relay, 'h1', true);
    await waitFor(() => a.tickets().length > 0, 'tickets');
    const t = a.tickets()[0]!;
    await waitFor(() => Date.now() > t.exp + 10, 'the ticket to expire');
    const base = relay.handshakeFailures;
    expect(await refusal(await dialData(relay, { session: a.session, ...t }, a.dataKey))).toMatch(/ticket \d+ expired/);
    expect(relay.handshakeFailures).toBe(base + 1);
  });

  it('sends no tickets to an agent that did not accept the offer, and carries its connections on streams', async () => {
    const port = await net.freePort();
    const relay = await rf.relay({ agents: [agentPolicy('old', 'secret-token-for-tests', port)] });
    const old = await handAgent(relay, 'old', false);
    old.send({ t: 'expose', ref: 'r1', protocol: 'tcp', kind: 'tcp', remotePort: port });
    // The relay handles the control stream's response before the expose that follows it on that stream.
    await waitFor(() => old.lines.some((l) => l.t === 'exposed'), 'the exposure');
    expect(old.lines.map((l) => l.t)).toEqual(['welcome', 'exposed']);
    expect(relay.dataPool('old')).toBeUndefined();
  });
});
