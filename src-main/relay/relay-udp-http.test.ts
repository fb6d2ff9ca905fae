import { once } from 'node:events';
import { Agent as HttpAgent, createServer as createHttpServer, request, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { NetFixtures, readToEnd, waitFor } from '../../test-support/net-fixtures';
import { agentPolicy, agentState, bound, RelayFixtures } from '../../test-support/relay-fixtures';
import { UdpFixtures } from '../../test-support/udp-fixtures';
import type { RelayPortAssignment } from './relay-policy';

const net = new NetFixtures();
const udp = new UdpFixtures();
const rf = new RelayFixtures();
const httpServers = new Set<HttpServer>();
afterEach(async () => {
  await rf.cleanup();
  for (const s of httpServers) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
  httpServers.clear();
  await udp.cleanup();
  await net.cleanup();
});

/** A relay whose config assigns `ports` to agent "a1", and that agent accepting them; resolves when it serves them. */
async function assigned(ports: RelayPortAssignment[]) {
  const relay = await rf.relay({ agents: [{ name: 'a1', token: 'secret-token-for-tests', ports, allowPorts: [] }] });
  const agent = rf.agent(relay, { agent: 'a1', token: 'secret-token-for-tests', acceptAssigned: true });
  await agentState(agent, 'ready');
  expect(agent.assigned()).toHaveLength(ports.length);
  return { relay, agent };
}

function get(port: number, method: string, path: string, agent: HttpAgent, body?: string): Promise<{ res: IncomingMessage; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ res, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('udp exposures', () => {
  it('carries datagrams both ways on a udp exposure the agent asks for', async () => {
    const target = await udp.echoServer();
    const publicPort = await udp.freePort();
    const relay = await rf.relay({ agents: [agentPolicy('a1', 'secret-token-for-tests', publicPort)] });
    const agent = rf.agent(relay, { agent: 'a1', token: 'secret-token-for-tests' });
    const exposure = agent.expose({ ref: 'u1', protocol: 'udp', kind: 'tcp', remotePort: publicPort, target: { host: '127.0.0.1', port: target.port } });
    expect((await bound(exposure)).protocol).toBe('udp');
    const client = await udp.client();
    for (let n = 1; n <= 5; n++) {
      client.socket.send(`datagram ${n}`, publicPort, '127.0.0.1');
      await client.inbox.until(n);
    }
    expect(client.inbox.messages.map(String)).toEqual([1, 2, 3, 4, 5].map((n) => `datagram ${n}`));
  });

  it('forgets a peer quiet for udp_idle_timeout, and drops datagrams of peers past the cap until one is forgotten', async () => {
    const target = await udp.echoServer();
    const publicPort = await udp.freePort();
    const relay = await rf.relay({ agents: [agentPolicy('a1', 'secret-token-for-tests', publicPort)] }, { limits: { udpIdleTimeoutMs: 600, maxUdpPeers: 2 } });
    const agent = rf.agent(relay, { agent: 'a1', token: 'secret-token-for-tests' });
    await bound(agent.expose({ ref: 'u1', protocol: 'udp', kind: 'tcp', remotePort: publicPort, target: { host: '127.0.0.1', port: target.port } }));
    const [a, b, c] = await Promise.all([udp.client(), udp.client(), udp.client()]);
    const active = () => relay.status().agents[0]!.exposures[0]!.activeConnections;
    a!.socket.send('a1', publicPort, '127.0.0.1');
    b!.socket.send('b1', publicPort, '127.0.0.1');
    await Promise.all([a!.inbox.until(1), b!.inbox.until(1)]);
    c!.socket.send('c1', publicPort, '127.0.0.1');
    // Whatever the relay did with c's datagram, it did before a's next one came back.
    a!.socket.send('a2', publicPort, '127.0.0.1');
    await a!.inbox.until(2);
    expect(c!.inbox.count).toBe(0);
    expect(active()).toBe(2);
    await waitFor(() => active() === 0, 'the relay to forget both quiet peers', 3000);
    c!.socket.send('c2', publicPort, '127.0.0.1');
    await c!.inbox.until(1);
    expect(c!.inbox.messages.map(String)).toEqual(['c2']);
    expect(target.inbox.messages.map(String)).not.toContain('c1');
  });
});

describe('ports the relay config assigns', () => {
  it('forwards a TCP port to 127.0.0.1:remotePort on the agent side', async () => {
    const echo = await net.echoServer();
    const publicPort = await net.freePort();
    const { relay, agent } = await assigned([{ type: 'tcp', bind: { host: '127.0.0.1', port: publicPort }, remotePort: echo.port }]);
    expect(agent.assigned()[0]!.spec.target).toEqual({ host: '127.0.0.1', port: echo.port });
    expect(relay.status().agents[0]!.exposures).toMatchObject([{ publicAddress: `127.0.0.1:${publicPort}`, source: 'config', localPort: echo.port }]);

    const client = await net.connect(publicPort);
    const got = readToEnd(client);
    client.end('through the assigned port');
    expect((await got).text).toBe('through the assigned port');
    expect(echo.accepted).toHaveLength(1);
  });

  it('serves a public connection that arrives while the session is still being set up', async () => {
    // The relay opens the assigned ports one by one and only then sends the welcome naming them, so a
    // client can connect to the first before the agent has heard of it: its stream must wait, not be
    // refused. Binding the later ports by name ('localhost', a DNS lookup each) holds the welcome back
    // for a few event-loop turns, long enough for the client to get in.
    const echo = await net.echoServer();
    const ports = await Promise.all(Array.from({ length: 10 }, () => net.freePort()));
    const assignments = ports.map((port, i) => ({ type: 'tcp' as const, bind: { host: i === 0 ? '127.0.0.1' : 'localhost', port }, remotePort: echo.port }));
    const relay = await rf.relay({ agents: [{ name: 'a1', token: 'secret-token-for-tests', allowPorts: [], ports: assignments }] });
    rf.agent(relay, { agent: 'a1', token: 'secret-token-for-tests', acceptAssigned: true });
    const deadline = Date.now() + 5000;
    let client;
    while (!client && Date.now() < deadline) client = await net.connect(ports[0]!).catch(() => undefined);
    expect(client).toBeDefined();
    const got = readToEnd(client!);
    client!.end('early bird');
    expect((await got).text).toBe('early bird');
  });

  it('carries datagrams both ways for 3 concurrent UDP clients, each getting only its own replies', async () => {
    const target = await udp.bind();
    target.socket.on('message', (msg, from) => target.socket.send(Buffer.concat([Buffer.from('re:'), msg]), from.port, from.address));
    const publicPort = await udp.freePort();
    const { relay, agent } = await assigned([{ type: 'udp', bind: { host: '127.0.0.1', port: publicPort }, remotePort: target.port }]);
    expect(relay.status().agents[0]!.exposures).toMatchObject([{ protocol: 'udp', publicAddress: `127.0.0.1:${publicPort}`, source: 'config' }]);

    const rounds = 20;
    const clients = await Promise.all([0, 1, 2].map(() => udp.client()));
    await Promise.all(
      clients.map(async (c, i) => {
        // One datagram in flight per client at a time (UDP may drop under a burst; this test is about routing).
        for (let n = 1; n <= rounds; n++) {
          c.socket.send(`client${i}:${n}`, publicPort, '127.0.0.1');
          await c.inbox.until(n, `reply ${n} for client ${i}`);
        }
      }),
    );
    clients.forEach((c, i) => {
      expect(c.inbox.messages.map(String)).toEqual(Array.from({ length: rounds }, (_, k) => `re:client${i}:${k + 1}`));
      expect(c.inbox.senders.every((s) => s.port === publicPort)).toBe(true);
    });
    expect(target.inbox.count).toBe(3 * rounds);
    // The agent gives each public peer a socket of its own towards the target.
    expect(new Set(target.inbox.senders.map((s) => s.port)).size).toBe(3);
    const exposure = agent.assigned()[0]!;
    expect(exposure.meter.activeConnections).toBe(3);
    const expectedBytes = clients.reduce((sum, _c, i) => sum + Array.from({ length: rounds }, (_, k) => `client${i}:${k + 1}`.length).reduce((a, b) => a + b, 0), 0);
    expect(exposure.meter.bytesIn).toBe(expectedBytes);
    expect(exposure.meter.bytesOut).toBe(expectedBytes + 3 * rounds * 3);
  });

  it('logs one line per HTTP request (method, path, status) on an http port, keep-alive included', async () => {
    const target = createHttpServer((req, res) => {
      if (req.url === '/missing') return void res.writeHead(404).end('not here');
      if (req.method === 'POST') {
        req.resume();
        return void req.on('end', () => res.writeHead(201, { 'content-type': 'text/plain' }).end('made'));
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`hello ${req.url}`);
    });
    httpServers.add(target);
    target.listen(0, '127.0.0.1');
    await once(target, 'listening');
    const targetPort = (target.address() as { port: number }).port;
    const publicPort = await net.freePort();
    await assigned([{ type: 'http', bind: { host: '127.0.0.1', port: publicPort }, remotePort: targetPort }]);

    const keepAlive = new HttpAgent({ keepAlive: true, maxSockets: 1 });
    try {
      const a = await get(publicPort, 'GET', '/index.html?x=1', keepAlive);
      const b = await get(publicPort, 'GET', '/missing', keepAlive);
      const c = await get(publicPort, 'POST', '/api/items', keepAlive, JSON.stringify({ name: 'x' }));
      expect([a.res.statusCode, b.res.statusCode, c.res.statusCode]).toEqual([200, 404, 201]);
      expect(a.body).toBe('hello /index.html?x=1');
      expect(c.body).toBe('made');
      // All three went over one kept-alive connection.
      expect(b.res.socket).toBe(a.res.socket);
      expect(c.res.socket).toBe(a.res.socket);

      const lines = () => rf.logs.filter((l) => l.startsWith(`relay info: a1 127.0.0.1:${publicPort} `));
      await waitFor(() => lines().length >= 3, 'three HTTP log lines');
      expect(lines()).toHaveLength(3);
      expect(lines()[0]).toMatch(/^relay info: a1 127\.0\.0\.1:\d+ 127\.0\.0\.1:\d+ GET \/index\.html\?x=1 → 200 \([\d.]+ ms\)$/);
      expect(lines()[1]).toMatch(/ GET \/missing → 404 /);
      expect(lines()[2]).toMatch(/ POST \/api\/items → 201 /);
    } finally {
      keepAlive.destroy();
    }
  });
});
