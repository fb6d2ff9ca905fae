import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { NetFixtures, readToEnd, sha256, waitFor } from '../../test-support/net-fixtures';
import { RelayFixtures } from '../../test-support/relay-fixtures';

const net = new NetFixtures();
const rf = new RelayFixtures();
afterEach(async () => {
  await rf.cleanup();
  await net.cleanup();
});

const agentPolicy = (name: string, token: string, from: number, to: number) => ({ name, token, ports: [], allowPorts: [{ from, to }] });

describe('relay + agent end to end', () => {
  it('carries 16 MiB intact both ways through TLS and HTTP/2, with half-close', async () => {
    const payloadUp = randomBytes(16 * 1024 * 1024);
    const payloadDown = randomBytes(16 * 1024 * 1024);
    let gotUp: Promise<{ sha256: string; bytes: number }> | undefined;
    const target = await net.server((s) => {
      gotUp = readToEnd(s);
      s.end(payloadDown);
    });
    const port = await net.freePort();
    const relay = await rf.relay({ agents: [agentPolicy('a1', 'secret-token-for-tests', port, port)] });
    const agent = rf.agent(relay, { agent: 'a1', token: 'secret-token-for-tests' });
    const exposure = agent.expose({ ref: 'r1', protocol: 'tcp', kind: 'tcp', remotePort: port, target: { host: '127.0.0.1', port: target.port } });
    const info = await new Promise<{ publicPort: number }>((resolve, reject) => {
      exposure.once('bound', resolve);
      exposure.once('failed', reject);
    });
    expect(info.publicPort).toBe(port);
    expect(agent.tls).toBe('TLSv1.3 TLS_AES_128_GCM_SHA256');
    const client = await net.connect(port, { allowHalfOpen: true });
    const down = readToEnd(client);
    client.end(payloadUp);
    const d = await down;
    expect(d.bytes).toBe(payloadDown.length);
    expect(d.sha256).toBe(sha256(payloadDown));
    const u = await waitFor(() => gotUp, 'target accepted');
    expect((await u).sha256).toBe(sha256(payloadUp));
    await waitFor(() => exposure.meter.activeConnections === 0, 'connection closed on the agent');
    expect(exposure.meter.bytesIn).toBe(payloadUp.length);
    expect(exposure.meter.bytesOut).toBe(payloadDown.length);
    const st = relay.status().agents[0]!;
    expect(st.online).toBe(true);
    expect(st.exposures[0]!.bytesIn).toBe(payloadUp.length);
  }, 30_000);
});
