import { performServerHandshake, type ServerHttp2Stream } from 'node:http2';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { NetFixtures, waitFor } from '../../test-support/net-fixtures';
import { agentPolicy, agentState, bound, RelayFixtures, refused } from '../../test-support/relay-fixtures';
import { agentHandshake } from './handshake';
import { type AgentMessage, checkRelayMessage, encodeLine, LineSplitter, PATH_CONTROL, parseLine, type RelayMessage } from './protocol';
import type { Exposure } from './relay-agent';
import type { RelayServer } from './relay-server';

// One exposure, one public port per session: the agent asks for it once (its 'welcome' handler asks for
// every exposure), and the relay opens one port for a ref however often it is asked (an older or hostile
// agent may ask twice before the first port is open) and closes it when an unexpose follows at once.

const net = new NetFixtures();
const rf = new RelayFixtures();
afterEach(async () => {
  await rf.cleanup();
  await net.cleanup();
});

const TOKEN = 'secret-token-for-tests';
type ExposeMessage = Extract<AgentMessage, { t: 'expose' }>;
const expose = (ref: string, remotePort: number): ExposeMessage => ({ t: 'expose', ref, protocol: 'tcp', kind: 'tcp', remotePort });

async function refusedConnect(port: number): Promise<void> {
  await expect(net.connect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
}

/** An agent speaking the control protocol by hand: what it writes goes out in one write, as it is. */
interface RawAgent {
  send(...msgs: AgentMessage[]): void;
  /** The relay's control messages, in order. */
  answers: RelayMessage[];
}

async function rawAgent(relay: RelayServer, name: string): Promise<RawAgent> {
  const socket = await new Promise<TLSSocket>((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port: relay.address!.port, rejectUnauthorized: false, ALPNProtocols: ['porthole-relay/1'] }, () => resolve(s));
    net.socket(s);
    s.once('error', reject);
  });
  await agentHandshake(socket, { agent: name, token: TOKEN, assigned: false });
  const h2 = performServerHandshake(socket);
  h2.on('error', () => undefined);
  const answers: RelayMessage[] = [];
  const control = await new Promise<ServerHttp2Stream>((resolve) => {
    h2.on('stream', (stream, headers) => {
      stream.on('error', () => undefined);
      if (headers[':path'] !== PATH_CONTROL) return void stream.close();
      stream.respond({ ':status': 200 });
      const lines = new LineSplitter();
      stream.on('data', (chunk: Buffer) => {
        for (const line of lines.push(chunk)) answers.push(parseLine(checkRelayMessage, line));
      });
      resolve(stream);
    });
  });
  return { answers, send: (...msgs) => void control.write(msgs.map(encodeLine).join('')) };
}

/** The relay's answers about `ref` (not the welcome), once there are `n` of them. */
function answersFor(agent: RawAgent, ref: string, n: number): Promise<RelayMessage[]> {
  const about = () => agent.answers.filter((m) => 'ref' in m && m.ref === ref);
  return waitFor(() => about().length >= n && about(), `${n} answers about ${ref} (have ${JSON.stringify(about())})`);
}

describe('an exposure asked for while the agent reads the relay\'s welcome', () => {
  // Two points with no timing in them: `assignedTap` is called for each port the relay's config assigns
  // as the welcome is read, before it asks for the exposures (the control stream is open, the welcome not
  // yet taken in); 'ready' is emitted after. A rule switched on as the agent connects lands in either.
  it.each([
    ['assignedTap', 'a fixed port', 'before', 'fixed'],
    ['assignedTap', 'any port of a range', 'before', 'any'],
    ['the ready event', 'a fixed port', 'ready', 'fixed'],
    ['the ready event', 'any port of a range', 'ready', 'any'],
  ] as const)('is asked for once and bound once, added in %s, on %s', async (_at, _port, when, which) => {
    const base = await net.stablePort(10);
    const assigned = await net.freePort();
    const policy = { ...agentPolicy('a1', TOKEN, base, which === 'fixed' ? base : base + 9), ports: [{ type: 'tcp' as const, bind: { host: '127.0.0.1', port: assigned }, remotePort: 9 }] };
    const relay = await rf.relay({ agents: [policy] });
    const events: string[] = [];
    let exposure: Exposure | undefined;
    const add = () => {
      exposure = agent.expose({ ref: 'r1', protocol: 'tcp', kind: 'tcp', remotePort: which === 'fixed' ? base : 0, target: { host: '127.0.0.1', port: 9 } });
      exposure.on('bound', (info) => events.push(`bound ${info.publicPort}`));
      exposure.on('failed', (err) => events.push(`failed ${err.code}`));
    };
    const agent = rf.agent(relay, { agent: 'a1', token: TOKEN, acceptAssigned: true, ...(when === 'before' ? { assignedTap: () => void add() } : {}) });
    if (when === 'ready') agent.once('ready', add);
    await agentState(agent, 'ready');
    const info = await bound(exposure!);
    // The relay answers one line after another: once this refusal is back, every answer about r1 is too.
    await refused(agent.expose({ ref: 'barrier', protocol: 'tcp', kind: 'tcp', remotePort: 1, target: { host: '127.0.0.1', port: 9 } }));
    expect(events).toEqual([`bound ${info.publicPort}`]);
    expect(exposure!.lastError).toBeUndefined();
    if (which === 'fixed') expect(info.publicPort).toBe(base);
    const asked = relay.status().agents[0]!.exposures.filter((x) => x.source === 'agent');
    expect(asked.map((x) => x.publicAddress)).toEqual([`127.0.0.1:${info.publicPort}`]);
  });
});

describe('the relay, asked for the same exposure again in one session', () => {
  it.each([
    ['a fixed port', 'fixed'],
    ['any port of a range', 'any'],
  ] as const)('opens one port and answers both requests with it, on %s', async (_, which) => {
    const base = await net.stablePort(10);
    const relay = await rf.relay({ agents: [agentPolicy('a1', TOKEN, base, which === 'fixed' ? base : base + 9)] });
    const agent = await rawAgent(relay, 'a1');
    const msg = expose('r1', which === 'fixed' ? base : 0);
    // In one write: the second arrives while the first one's port is still being opened.
    agent.send(msg, msg);
    const [first, second] = await answersFor(agent, 'r1', 2);
    expect(first).toMatchObject({ t: 'exposed', ref: 'r1' });
    expect(second).toEqual(first);
    // And once it is open: the same answer again, still one port.
    agent.send(msg);
    const third = (await answersFor(agent, 'r1', 3))[2];
    expect(third).toEqual(first);
    expect(relay.status().agents[0]!.exposures).toHaveLength(1);
  });

  it('leaves no port open when an unexpose follows an expose whose port is still being opened', async () => {
    const port = await net.freePort();
    const relay = await rf.relay({ agents: [agentPolicy('a1', TOKEN, port)] });
    const agent = await rawAgent(relay, 'a1');
    agent.send(expose('r1', port), { t: 'unexpose', ref: 'r1' });
    const answers = await answersFor(agent, 'r1', 2);
    expect(relay.status().agents[0]!.exposures).toEqual([]);
    await refusedConnect(port);
    // Answered in the order asked, so the last word about r1 is that it is gone.
    expect(answers.map((m) => m.t)).toEqual(['exposed', 'unexposed']);
  });
});

describe('the relay\'s cap on exposures per agent', () => {
  it('holds for expose requests that arrive together, counting those whose ports are still being opened', async () => {
    const base = await net.stablePort(10);
    const relay = await rf.relay({ agents: [agentPolicy('a1', TOKEN, base, base + 9)] }, { maxExposuresPerAgent: 2 });
    const agent = await rawAgent(relay, 'a1');
    const refs = ['r1', 'r2', 'r3', 'r4', 'r5'];
    // In one write: every request is read before the first port is open.
    agent.send(...refs.map((ref) => expose(ref, 0)));
    const answers = (await Promise.all(refs.map((ref) => answersFor(agent, ref, 1)))).map(([m]) => m!);
    expect(answers.filter((m) => m.t === 'exposed')).toHaveLength(2);
    const failed = answers.filter((m) => m.t === 'expose-failed');
    expect(failed).toHaveLength(3);
    for (const m of failed) expect(m).toMatchObject({ code: 'RELAY_REJECTED', message: 'agent "a1" already has 2 ports, the most this relay allows' });
    expect(relay.status().agents[0]!.exposures).toHaveLength(2);
  });
});

describe('the relay, asked for any port and for fixed ports together', () => {
  it('leaves the fixed ports asked for with it to their requests', async () => {
    // Below the ephemeral range: the agent's own connection could take base + 1 as its source port.
    const base = await net.stablePort(2);
    const relay = await rf.relay({ agents: [agentPolicy('a1', TOKEN, base, base + 1)] });
    const agent = await rawAgent(relay, 'a1');
    // In one write, any port first: it is read, and its port chosen, before the fixed ones are open.
    agent.send(expose('any', 0), expose('low', base), expose('high', base + 1));
    const [low, high, any] = (await Promise.all(['low', 'high', 'any'].map((ref) => answersFor(agent, ref, 1)))).map(([m]) => m);
    expect(low).toMatchObject({ t: 'exposed', exposure: { publicPort: base } });
    expect(high).toMatchObject({ t: 'exposed', exposure: { publicPort: base + 1 } });
    expect(any).toMatchObject({ t: 'expose-failed', message: `no free port left in ${base}-${base + 1} on the relay` });
  });
});
