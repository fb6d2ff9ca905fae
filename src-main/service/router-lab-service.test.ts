import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RuleEntry } from '../../src-shared/api/contract';
import type { RelayServerStatus } from '../../src-shared/model/relay';
import type { RuleStatus } from '../../src-shared/model/status';
import { NsAgentClient } from '../../test-support/router-lab/agent-client';
import { describeRouterLab } from '../../test-support/router-lab/describe-lab';
import { ServiceDriverClient } from '../../test-support/router-lab/driver-client';
import { LAB, RouterLab } from '../../test-support/router-lab/topology';
import { tempDir, waitFor } from '../../test-support/tmp';

// Rules with "Open on router" in a real Porthole host (store → service → API) inside the LAN namespace
// of the router lab: mapped while running, unmapped on every way a rule stops.

const MiB = 1024 * 1024;

describeRouterLab('rules with "Open on router" in the service, against miniupnpd', () => {
  let lab: RouterLab;
  let lan: NsAgentClient;
  let wan: NsAgentClient;
  let host: ServiceDriverClient;
  let source: { port: number; sha256: string };
  let echo: { port: number };
  let data: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    data = tempDir('porthole-lab-service-');
    lab = await RouterLab.start();
    [lan, wan] = await Promise.all([NsAgentClient.start(lab, lab.ns.lan), NsAgentClient.start(lab, lab.ns.wan)]);
    source = await lan.tcpSource('127.0.0.1', 0, 16 * MiB, 7);
    echo = await lan.udpEcho('127.0.0.1', 0);
    host = await ServiceDriverClient.start(lab, data.dir);
  }, 30_000);

  afterAll(async () => {
    await host?.stop();
    await Promise.all([lan?.stop(), wan?.stop()]);
    await lab?.close();
    data?.cleanup();
  });

  const tcpRule = (router: object) => ({
    type: 'tcp-forward',
    name: 'game server',
    enabled: true,
    listen: { host: '0.0.0.0', port: 8100 },
    target: { host: '127.0.0.1', port: source.port },
    router,
  });
  const mapped = (id: string) => (s: RuleStatus) => s.id === id && s.router?.state === 'mapped';
  const unmapped = (id: string, state: RuleStatus['state']) => (s: RuleStatus) => s.id === id && s.state === state && s.router === undefined;
  const forwards = (port: number) => new RegExp(`dport ${port} dnat`).test(lab.routerRules());
  const refused = async (port: number) => expect((await wan.tcpFetch(LAB.routerWan, port, 1500)).error).toMatch(/ECONNREFUSED|ETIMEDOUT/);

  it('maps a running rule and shows what the router granted; switching it off, turning the option off and deleting it each unmap it', async () => {
    const created = await host.call<RuleEntry>('rules.create', tcpRule({ enabled: true, externalPort: 18100 }));
    const id = created.rule.id;
    const s = await host.waitForState(mapped(id), 'router.state mapped');
    expect(s.state).toBe('running');
    expect(s.router).toMatchObject({
      method: 'upnp',
      gateway: LAB.routerLan,
      externalAddress: LAB.routerWan,
      externalPort: 18100,
      // Listening on all interfaces: the address that faces the router is the one mapped.
      internalAddress: LAB.host,
      internalPort: 8100,
      protocol: 'tcp',
      leaseSeconds: 3600,
      warning: { code: 'DOUBLE_NAT' },
    });
    expect(s.router!.renewAt! - Date.now()).toBeGreaterThan(1700_000);
    const listed = await host.call<RuleEntry[]>('rules.list');
    expect(listed.find((e) => e.rule.id === id)?.status.router?.externalPort).toBe(18100);
    expect(await wan.tcpFetch(LAB.routerWan, 18100, 20_000)).toEqual({ bytes: 16 * MiB, sha256: source.sha256 });

    let seen = host.states().length;
    await host.call('rules.setEnabled', { id, enabled: false });
    await host.waitForState(unmapped(id, 'stopped'), 'stopped without router status', 10_000, seen);
    await waitFor(() => !forwards(18100), 'the switched-off rule unmapped on the router', 10_000);
    await refused(18100);

    seen = host.states().length;
    await host.call('rules.setEnabled', { id, enabled: true });
    await host.waitForState(mapped(id), 'mapped again', 10_000, seen);
    expect(forwards(18100)).toBe(true);

    seen = host.states().length;
    await host.call('rules.update', { id, rule: tcpRule({ enabled: false, externalPort: 18100 }) });
    await host.waitForState(unmapped(id, 'running'), 'running without the router', 10_000, seen);
    await waitFor(() => !forwards(18100), 'the option switched off unmapped on the router', 10_000);

    seen = host.states().length;
    await host.call('rules.update', { id, rule: tcpRule({ enabled: true, externalPort: 18101, protocol: 'natpmp' }) });
    const viaPmp = await host.waitForState(mapped(id), 'mapped by NAT-PMP', 10_000, seen);
    expect(viaPmp.router).toMatchObject({ method: 'natpmp', externalPort: 18101, externalAddress: LAB.routerWan });
    expect((await wan.tcpFetch(LAB.routerWan, 18101, 20_000)).sha256).toBe(source.sha256);

    await host.call('rules.remove', { id });
    await waitFor(() => !forwards(18101), 'the deleted rule unmapped on the router', 10_000);
    await refused(18101);
    // Log lines arrive in batches: wait for the one that says so.
    await waitFor(() => /Closed TCP port 18101 on the router \(NAT-PMP/.test(host.logText()), 'the unmap in the rule log', 5000);
  });

  it('a host killed with SIGKILL leaves its mapping; the next start removes it for a rule that comes up switched off', async () => {
    const dir = `${data.dir}/killed`;
    const first = await ServiceDriverClient.start(lab, dir);
    try {
      const made = await first.call<RuleEntry>('rules.create', { ...tcpRule({ enabled: true, externalPort: 18110 }), listen: { host: '0.0.0.0', port: 8110 }, autoStart: false });
      await first.waitForState(mapped(made.rule.id), 'mapped before the kill');
      await first.kill();
      expect(forwards(18110), 'a killed host cannot unmap').toBe(true);
      const next = await ServiceDriverClient.start(lab, dir);
      try {
        await waitFor(() => !forwards(18110), 'the stale mapping removed at start', 10_000);
        await waitFor(() => /Removed a stale TCP mapping of port 18110 left on the router by an earlier run/.test(next.logText()), 'the removal in the log', 5000);
        expect((await next.call<RuleEntry[]>('rules.list')).find((e) => e.rule.id === made.rule.id)?.status.state).toBe('stopped');
      } finally {
        await next.quit();
      }
    } finally {
      await first.stop();
    }
  });

  it('a loopback rule runs but reports LISTEN_ON_LOOPBACK; UDP and SOCKS rules map; quitting unmaps everything', async () => {
    const loop = await host.call<RuleEntry>('rules.create', { ...tcpRule({ enabled: true }), name: 'local only', listen: { host: '127.0.0.1', port: 8102 } });
    const l = await host.waitForState((s) => s.id === loop.rule.id && s.router?.state === 'failed', 'router.state failed');
    expect(l.state).toBe('running');
    expect(l.router?.error).toMatchObject({ code: 'LISTEN_ON_LOOPBACK' });
    expect(l.router?.error?.message).toMatch(/LAN address \(10\.77\.1\.10, 10\.77\.1\.11\)/);

    const udp = await host.call<RuleEntry>('rules.create', {
      type: 'udp-forward',
      name: 'voice',
      enabled: true,
      listen: { host: LAB.host, port: 8103 },
      target: { host: '127.0.0.1', port: echo.port },
      router: { enabled: true, protocol: 'natpmp' },
    });
    const socks = await host.call<RuleEntry>('rules.create', {
      type: 'socks',
      name: 'proxy',
      enabled: true,
      listen: { host: LAB.host, port: 8104 },
      router: { enabled: true, externalPort: 18104 },
    });
    const u = await host.waitForState(mapped(udp.rule.id), 'the UDP rule mapped');
    expect(u.router).toMatchObject({ method: 'natpmp', protocol: 'udp', externalPort: 8103, internalAddress: LAB.host });
    await host.waitForState(mapped(socks.rule.id), 'the SOCKS rule mapped');
    const got = await wan.udpAsk(LAB.routerWan, 8103, 10, 3000);
    expect(got.received).toHaveLength(10);
    expect(forwards(18104)).toBe(true);

    await host.quit();
    expect(forwards(8103)).toBe(false);
    expect(forwards(18104)).toBe(false);
    expect(host.logText()).toMatch(/Closed UDP port 8103 on the router/);
    expect(host.logText()).toMatch(/Closed TCP port 18104 on the router/);
  });

  it('the in-app relay with "Open on router": its agent port and the ports an agent asks for are reached from the WAN through the router; an agent leaving and the relay stopping unmap them; a killed host\'s are removed at the next start', async () => {
    const dir = `${data.dir}/relay`;
    const token = 'lab-relay-token-0123456789';
    const config = (bindHost: string) => ({
      config: { bind: { host: bindHost, port: 9015 }, publicHost: '0.0.0.0', tls: true, agents: [{ name: 'laptop', allowPorts: '20200-20210' }], router: { enabled: true } },
      tokens: { laptop: token },
    });
    const ports = (s: RelayServerStatus) => (s.router ?? []).map((p) => [p.role, p.agent, p.protocol, p.port, p.mapping.state, p.mapping.externalPort]);
    // The agent's targets are on the WAN namespace's loopback: only the agent itself reaches them.
    const target = await wan.tcpSource('127.0.0.1', 0, 4 * MiB, 21);
    const udpTarget = await wan.udpEcho('127.0.0.1', 0);
    const relay = await ServiceDriverClient.start(lab, dir);
    try {
      await relay.call('relayServer.configure', config('127.0.0.1'));
      await relay.call('relayServer.start');
      const loop = await relay.waitForRelay((s) => s.router?.[0]?.mapping.state === 'failed', 'the loopback agent port refused');
      expect(loop.router![0]).toMatchObject({ role: 'agent-port', port: 9015, mapping: { error: { code: 'LISTEN_ON_LOOPBACK' } } });

      let seen = relay.relayStatuses().length;
      await relay.call('relayServer.configure', config('0.0.0.0'));
      const up = await relay.waitForRelay((s) => s.running && s.router?.[0]?.mapping.state === 'mapped', 'the agent port mapped', 10_000, seen);
      expect(up.router![0]!.mapping).toMatchObject({ method: 'upnp', externalAddress: LAB.routerWan, externalPort: 9015, internalAddress: LAB.host, internalPort: 9015, warning: { code: 'DOUBLE_NAT' } });

      // The agent on the WAN side reaches the relay only through the router's mapping of the agent port.
      const agentConf = `${data.dir}/agent.yaml`;
      writeFileSync(agentConf, `name: laptop\nserver: ${LAB.routerWan}:9015\ntoken: ${token}\nexpose:\n  - { local: "127.0.0.1:${target.port}", remote: 20201 }\n  - { local: "127.0.0.1:${udpTarget.port}", remote: 20202, type: udp }\n`);
      const agent = lab.spawnLine(lab.ns.wan, [process.execPath, lab.bundle.cli, 'agent', '--config', agentConf, '--data-dir', `${dir}-agent`]);
      await agent.waitForLine(/exposed udp \S+ as \S+:20202 on the relay/, 15_000, 'the agent');
      const all = await relay.waitForRelay((s) => ports(s).length === 3 && ports(s).every((p) => p[4] === 'mapped'), 'three ports mapped');
      expect(ports(all)).toEqual([
        ['agent-port', undefined, 'tcp', 9015, 'mapped', 9015],
        ['public', 'laptop', 'tcp', 20201, 'mapped', 20201],
        ['public', 'laptop', 'udp', 20202, 'mapped', 20202],
      ]);
      expect(await wan.tcpFetch(LAB.routerWan, 20201, 20_000)).toEqual({ bytes: 4 * MiB, sha256: target.sha256 });
      expect((await wan.udpAsk(LAB.routerWan, 20202, 5, 3000)).received.sort()).toEqual(Array.from({ length: 5 }, (_, i) => `echo:datagram-${i}`));

      await agent.stop();
      await waitFor(() => !forwards(20201) && !forwards(20202), 'the public ports unmapped once the agent left', 10_000);
      expect(forwards(9015)).toBe(true);
      seen = relay.relayStatuses().length;
      await relay.call('relayServer.stop');
      expect(forwards(9015), 'Stop resolves once the router was told').toBe(false);
      await refused(9015);
      await waitFor(() => /Relay agent port: Closed TCP port 9015 on the router/.test(relay.logText()), 'the unmap in the log', 5000);
      expect((await relay.waitForRelay((s) => !s.running && s.router === undefined, 'stopped without router ports', 5000, seen)).running).toBe(false);

      // Killed while mapped: the next start of Porthole (relay not started) removes it.
      seen = relay.relayStatuses().length;
      await relay.call('relayServer.start');
      await relay.waitForRelay((s) => s.router?.[0]?.mapping.state === 'mapped', 'mapped again', 10_000, seen);
      await relay.kill();
      expect(forwards(9015), 'a killed host cannot unmap').toBe(true);
      const next = await ServiceDriverClient.start(lab, dir);
      try {
        await waitFor(() => !forwards(9015), 'the stale relay mapping removed at start', 10_000);
        await waitFor(() => /Relay agent port: Removed a stale TCP mapping of port 9015/.test(next.logText()), 'the removal in the log', 5000);
      } finally {
        await next.quit();
      }
    } finally {
      await relay.stop();
    }
  });
});
