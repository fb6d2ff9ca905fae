import { performServerHandshake, type ServerHttp2Stream } from 'node:http2';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { NetFixtures, waitFor } from '../../test-support/net-fixtures';
import { agentPolicy, RelayFixtures } from '../../test-support/relay-fixtures';
import { agentHandshake } from './handshake';
import { type AgentMessage, checkRelayMessage, encodeLine, LineSplitter, PATH_CONTROL, parseLine, type RelayMessage } from './protocol';
import type { RelayServer } from './relay-server';

// One exposure, one public port per session: the relay opens one port for a ref however often it is
// asked (an older or hostile agent may ask twice before the first port is open) and closes it when an
// unexpose follows at once.

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

describe('the relay, asked for the same exposure again in one session', () => {
  it.each([
    ['a fixed port', 'fixed'],
    ['any port of a range', 'any'],
  ] as const)('opens one port and answers both requests with it, on %s', async (_, which) => {
    const base = await net.freePort();
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
