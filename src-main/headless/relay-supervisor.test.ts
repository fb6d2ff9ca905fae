import { get } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { NetFixtures, waitFor } from '../../test-support/net-fixtures';
import { MetricsServer } from '../relay/metrics-server';
import { RelayHost } from '../relay/relay-host';
import { RelayAgent } from '../relay/relay-agent';
import { superviseRelay, type Supervisor } from './relay-supervisor';

// `porthole relay`'s pieces around its relay thread: the supervisor that restarts a thread that died
// (or gives up, for the command to exit non-zero), and the metrics endpoint that asks the thread.

const TOKEN = 'relay-supervisor-token';

describe('porthole relay: the relay thread under its supervisor', () => {
  const net = new NetFixtures();
  let relay: RelayHost | undefined;
  let supervisor: Supervisor | undefined;
  let agent: RelayAgent | undefined;
  let metrics: MetricsServer | undefined;

  afterEach(async () => {
    supervisor?.dispose();
    await agent?.close();
    await metrics?.stop();
    await relay?.stop();
    await net.cleanup();
  });

  async function startRelay(publicPort: number): Promise<{ host: string; port: number }> {
    relay = new RelayHost({
      policy: { bind: { host: '127.0.0.1', port: 0 }, tls: false, agents: [{ name: 'a1', token: TOKEN, ports: [{ type: 'tcp', bind: { host: '127.0.0.1', port: publicPort }, remotePort: 1 }], allowPorts: [] }] },
    });
    return relay.start();
  }

  it('restarts a killed relay thread after its delay; the agent comes back and /metrics answers from the thread', async () => {
    const publicPort = await net.freePort();
    const bound = await startRelay(publicPort);
    const lines: string[] = [];
    supervisor = superviseRelay(relay!, { log: (level, m) => lines.push(`${level} ${m}`), delaysMs: [100] });
    agent = new RelayAgent({ relay: { host: '127.0.0.1', port: bound.port }, tls: false, agent: 'a1', token: TOKEN, backoff: { initialMs: 50, maxMs: 200 } });
    agent.start();
    await waitFor(() => relay!.status().agents[0]!.online, 'agent online');
    metrics = new MetricsServer(() => relay!.metricsText());
    const m = await metrics.start('127.0.0.1', 0);
    expect(await httpGet(m.port)).toMatch(/^porthole_relay_agents_online 1$/m);

    await relay!.kill();
    expect(relay!.status().running).toBe(false);
    expect(lines.at(-1)).toMatch(/^error The relay stopped: the relay's worker thread .* ended unexpectedly \(exit code 1: it was terminated\).* — restarting it in 0.1 s \(agents reconnect by themselves\)$/);
    await waitFor(() => supervisor!.restarts === 1 && relay!.status().agents[0]!.online, 'restarted with its agent');
    expect(relay!.address).toEqual(bound);
    expect(await httpGet(m.port)).toMatch(/^porthole_relay_sessions_total 1$/m);
  });

  it('gives up after maxCrashes within the window, with the reason (the command then exits 1)', async () => {
    await startRelay(await net.freePort());
    supervisor = superviseRelay(relay!, { log: () => undefined, delaysMs: [50], maxCrashes: 2 });
    await relay!.kill();
    await waitFor(() => supervisor!.restarts === 1, 'first restart');
    await relay!.kill();
    const why = await supervisor.fatal;
    expect(why).toMatch(/ended unexpectedly .*It stopped 2 times within 5 min, so it is not restarted again — look for errors above, then start porthole relay again$/);
  });
});

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}
