import { randomBytes } from 'node:crypto';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { NetFixtures, readToEnd, sha256, waitFor } from '../../test-support/net-fixtures';
import { agentPolicy, agentState, bound, RelayFixtures, refused } from '../../test-support/relay-fixtures';

const net = new NetFixtures();
const rf = new RelayFixtures();
afterEach(async () => {
  await rf.cleanup();
  await net.cleanup();
});

/** Every form a token could be leaked in: its text, hex and base64. */
function tokenForms(token: string): Buffer[] {
  const raw = Buffer.from(token, 'utf8');
  return [raw, Buffer.from(raw.toString('hex')), Buffer.from(raw.toString('base64'))];
}

const HANDSHAKE = 22;
const APPLICATION_DATA = 23;

/** Content types of the TLS records in a byte stream (TLS 1.3 wraps everything after the hellos as 23). */
function tlsRecordTypes(bytes: Buffer): number[] {
  const types: number[] = [];
  for (let at = 0; at + 5 <= bytes.length; at += 5 + bytes.readUInt16BE(at + 3)) types.push(bytes[at]!);
  return types;
}

async function refusedConnect(port: number): Promise<void> {
  await expect(net.connect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
}

describe('relay authentication', () => {
  it('fails a wrong token with AUTH_FAILED naming the agent, opens no port, stops retrying and never puts the token on the wire', async () => {
    const port = await net.freePort();
    const relay = await rf.relay({ tls: false, agents: [agentPolicy('agent-7', `right-${randomBytes(12).toString('hex')}`, port)] });
    // Plain TCP (the explicit insecure mode) so that the tap sees the agent's bytes in the clear.
    const tap = await rf.tap(relay.address!);
    const wrong = `wrong-${randomBytes(12).toString('hex')}`;
    const agent = rf.agent({ host: '127.0.0.1', port: tap.port }, { agent: 'agent-7', token: wrong, tls: false });
    agent.expose({ ref: 'r1', protocol: 'tcp', kind: 'tcp', remotePort: port, target: { host: '127.0.0.1', port: 9 } });

    await agentState(agent, 'failed');
    expect(agent.lastError?.code).toBe('AUTH_FAILED');
    expect(agent.lastError?.message).toContain('"agent-7"');
    expect(agent.nextRetryAt).toBeUndefined();
    await refusedConnect(port);
    expect(relay.status().agents[0]).toMatchObject({ online: false, exposures: [] });
    expect(relay.handshakeFailures).toBe(1);
    expect(relay.sessionsAccepted).toBe(0);
    expect(tap.accepted).toBe(1);

    const sent = tap.upstream();
    expect(sent.subarray(0, 8).toString('latin1')).toBe('PHRELAY\0');
    expect(sent.includes(Buffer.from('agent-7'))).toBe(true);
    for (const form of tokenForms(wrong)) expect(sent.includes(form)).toBe(false);
  });

  it('never puts the token on the wire in a successful session either', async () => {
    const token = `tok-${randomBytes(12).toString('hex')}`;
    const echo = await net.echoServer();
    const port = await net.freePort();
    const relay = await rf.relay({ tls: false, agents: [agentPolicy('a1', token, port)] });
    const tap = await rf.tap(relay.address!);
    const agent = rf.agent({ host: '127.0.0.1', port: tap.port }, { agent: 'a1', token, tls: false });
    const exposure = agent.expose({ ref: 'r1', protocol: 'tcp', kind: 'tcp', remotePort: port, target: { host: '127.0.0.1', port: echo.port } });
    await bound(exposure);
    const payload = randomBytes(100_000);
    const client = await net.connect(port);
    const got = readToEnd(client);
    client.end(payload);
    expect((await got).sha256).toBe(sha256(payload));

    const sent = tap.upstream();
    expect(sent.length).toBeGreaterThan(payload.length);
    for (const form of tokenForms(token)) expect(sent.includes(form)).toBe(false);
  });

  it('fails an agent name the relay does not know with AUTH_FAILED', async () => {
    const port = await net.freePort();
    const relay = await rf.relay({ agents: [agentPolicy('a1', 'secret-token-for-tests', port)] });
    const agent = rf.agent(relay, { agent: 'stranger', token: 'secret-token-for-tests' });
    await agentState(agent, 'failed');
    expect(agent.lastError?.code).toBe('AUTH_FAILED');
    expect(agent.lastError?.message).toContain('"stranger"');
    expect(relay.sessionsAccepted).toBe(0);
    expect(relay.status().agents.map((a) => a.online)).toEqual([false]);
  });
});

describe('relay certificate checks', () => {
  it('fails with RELAY_CERT_CHANGED when the relay is not the configured fingerprint, and sends it nothing after TLS', async () => {
    const port = await net.freePort();
    const relay = await rf.relay({ agents: [agentPolicy('a1', 'secret-token-for-tests', port)] });
    const tap = await rf.tap(relay.address!);
    const other = await rf.identity(true);
    const real = (await rf.identity()).fingerprint;
    expect(other.fingerprint).not.toBe(real);
    const agent = rf.agent({ host: '127.0.0.1', port: tap.port }, { agent: 'a1', token: 'secret-token-for-tests', fingerprint: other.fingerprint });
    agent.expose({ ref: 'r1', protocol: 'tcp', kind: 'tcp', remotePort: port, target: { host: '127.0.0.1', port: 9 } });

    await agentState(agent, 'failed');
    expect(agent.lastError?.code).toBe('RELAY_CERT_CHANGED');
    expect(agent.lastError?.message).toContain(other.fingerprint);
    expect(agent.fingerprint).toBe(real);
    expect(relay.sessionsAccepted).toBe(0);
    await refusedConnect(port);
    // What the agent sent is its ClientHello and at most its TLS 1.3 Finished (one encrypted record;
    // here it is usually dropped with the socket): no record carrying the handshake's magic, name or nonce.
    const records = tlsRecordTypes(tap.upstream());
    expect(records[0]).toBe(HANDSHAKE);
    expect(records.filter((t) => t === APPLICATION_DATA).length).toBeLessThanOrEqual(1);
    // The relay counts one failed connection: a TLS-level abort, or a connection that closed before a
    // single handshake byte (not a bad magic or a timeout).
    await waitFor(() => relay.handshakeFailures === 1, 'the relay to count the failed connection');
    for (const line of rf.logs.filter((l) => l.includes('handshake from'))) expect(line).toContain('failed: the peer closed the connection during the handshake');

    // The same count for an agent given the right fingerprint shows the handshake does show up there.
    const before = tap.upstream().length;
    const good = rf.agent({ host: '127.0.0.1', port: tap.port }, { agent: 'a1', token: 'secret-token-for-tests', fingerprint: real });
    await agentState(good, 'ready');
    expect(tlsRecordTypes(tap.upstream().subarray(before)).filter((t) => t === APPLICATION_DATA).length).toBeGreaterThan(2);
  });

  it('resumes no TLS session: a client offering the session of its last connection gets a full handshake', async () => {
    const relay = await rf.relay({ agents: [agentPolicy('a1', 'secret-token-for-tests', await net.freePort())] });
    const { host, port } = relay.address!;
    const open = (session?: Buffer) =>
      new Promise<{ reused: boolean; session: Buffer }>((resolve, reject) => {
        const s = tlsConnect({ host, port, rejectUnauthorized: false, ALPNProtocols: ['porthole-relay/1'], ...(session ? { session } : {}) });
        s.once('error', reject);
        // TLS 1.3 sends its tickets after the handshake: wait for one, so that there is a session to offer.
        s.once('session', (next: Buffer) => {
          resolve({ reused: s.isSessionReused(), session: next });
          s.destroy();
        });
      });
    const first = await open();
    expect(first.reused).toBe(false);
    // Without SSL_OP_NO_TICKET on the relay's server this second connection is resumed.
    expect((await open(first.session)).reused).toBe(false);
  });

  it('pins the relay on first use and fails with RELAY_CERT_CHANGED when the relay on that address later shows another certificate', async () => {
    const echo = await net.echoServer();
    const port = await net.freePort();
    const agents = [agentPolicy('a1', 'secret-token-for-tests', port)];
    const first = await rf.relay({ agents });
    const relayPort = first.address!.port;
    const pins = rf.pins();
    const pinned: string[] = [];
    expect(pins.get('127.0.0.1', relayPort)).toBeUndefined();
    const agent = rf.agent(first, { agent: 'a1', token: 'secret-token-for-tests', pins, onPinned: (fp) => pinned.push(fp) });
    const exposure = agent.expose({ ref: 'r1', protocol: 'tcp', kind: 'tcp', remotePort: port, target: { host: '127.0.0.1', port: echo.port } });
    await bound(exposure);
    const original = (await rf.identity()).fingerprint;
    expect(pins.get('127.0.0.1', relayPort)).toBe(original);
    expect(pinned).toEqual([original]);
    expect(rf.logs.some((l) => l.includes('pinned its certificate'))).toBe(true);

    await rf.stopRelay(first);
    const renewed = await rf.identity(true);
    const second = await rf.relay({ bind: { host: '127.0.0.1', port: relayPort }, agents }, { identity: renewed });
    await agentState(agent, 'failed');
    expect(agent.lastError?.code).toBe('RELAY_CERT_CHANGED');
    expect(agent.lastError?.message).toContain(renewed.fingerprint);
    expect(agent.lastError?.message).toContain(original);
    expect(pins.get('127.0.0.1', relayPort)).toBe(original);
    expect(second.sessionsAccepted).toBe(0);
    expect(pinned).toHaveLength(1);
    await refusedConnect(port);
  });
});

describe('relay policy', () => {
  it('refuses a port outside allow_ports with RELAY_REJECTED naming the ranges and opens nothing, while the agent stays up', async () => {
    const base = await net.stablePort(5);
    const lone = await net.freePort();
    const outside = await net.freePort();
    const relay = await rf.relay({ agents: [{ name: 'a1', token: 'secret-token-for-tests', ports: [], allowPorts: [{ from: base, to: base + 4 }, { from: lone, to: lone }] }] });
    const agent = rf.agent(relay, { agent: 'a1', token: 'secret-token-for-tests' });
    const exposure = agent.expose({ ref: 'r1', protocol: 'tcp', kind: 'tcp', remotePort: outside, target: { host: '127.0.0.1', port: 9 } });
    const err = await refused(exposure);
    expect(err.code).toBe('RELAY_REJECTED');
    expect(err.message).toContain(`port ${outside}`);
    expect(err.message).toContain(`${base}-${base + 4}, ${lone}`);
    expect(exposure.info).toBeUndefined();
    await refusedConnect(outside);
    expect(agent.state).toBe('ready');
    expect(relay.status().agents[0]).toMatchObject({ online: true, exposures: [] });
  });

  it('picks a port inside the allowed range for remotePort 0, and it carries traffic', async () => {
    const echo = await net.echoServer();
    const base = await net.stablePort(10);
    const relay = await rf.relay({ agents: [agentPolicy('a1', 'secret-token-for-tests', base, base + 9)] });
    const agent = rf.agent(relay, { agent: 'a1', token: 'secret-token-for-tests' });
    const exposures = [1, 2, 3].map((i) => agent.expose({ ref: `r${i}`, protocol: 'tcp', kind: 'tcp', remotePort: 0, target: { host: '127.0.0.1', port: echo.port } }));
    const ports = (await Promise.all(exposures.map((e) => bound(e)))).map((i) => i.publicPort);
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(base);
      expect(p).toBeLessThanOrEqual(base + 9);
    }
    expect(new Set(ports).size).toBe(3);
    const client = await net.connect(ports[2]!);
    const got = readToEnd(client);
    client.end('hello');
    expect((await got).text).toBe('hello');
  });
});
