import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NsAgentClient } from '../../test-support/router-lab/agent-client';
import { describeRouterLab } from '../../test-support/router-lab/describe-lab';
import type { LineChild } from '../../test-support/router-lab/line-child';
import { LAB, RouterLab } from '../../test-support/router-lab/topology';
import { tempDir } from '../../test-support/tmp';

// `porthole forward --upnp` against a real router (miniupnpd in network namespaces): a real CLI
// process in the LAN namespace, a client in the WAN namespace that can only reach the LAN through a
// mapping on the router's WAN address.

const MiB = 1024 * 1024;
const REACHABLE = /Reachable from the internet at ([\d.]+):(\d+) via (UPnP|NAT-PMP|PCP)/;

describeRouterLab('porthole forward --upnp against miniupnpd', () => {
  let lab: RouterLab;
  let lan: NsAgentClient;
  let wan: NsAgentClient;
  let source: { port: number; sha256: string };
  let echo: { port: number };
  let data: ReturnType<typeof tempDir>;
  const dd = (name: string) => ['--data-dir', `${data.dir}/${name}`];

  beforeAll(async () => {
    data = tempDir('porthole-lab-data-');
    lab = await RouterLab.start();
    [lan, wan] = await Promise.all([NsAgentClient.start(lab, lab.ns.lan), NsAgentClient.start(lab, lab.ns.wan)]);
    // The targets live on the LAN host's loopback: only Porthole can bring the WAN side to them.
    source = await lan.tcpSource('127.0.0.1', 0, 16 * MiB, 16);
    echo = await lan.udpEcho('127.0.0.1', 0);
  }, 30_000);

  afterAll(async () => {
    await Promise.all([lan?.stop(), wan?.stop()]);
    await lab?.close();
    data?.cleanup();
  });

  const forward = (args: string[]) => lab.porthole(['forward', ...args]);
  const granted = async (p: LineChild) => {
    const m = await p.waitForLine(REACHABLE, 8000, 'porthole forward --upnp');
    return { address: m[1], port: Number(m[2]), method: m[3] };
  };
  const status = async () => {
    const r = await lab.portholeRun(['upnp', 'status', '--json']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { externalAddress: string; doubleNat: boolean; mappings: { externalPort: number; protocol: string; internalClient: string; internalPort: number; description: string }[] };
  };

  it('UPnP: the WAN side gets 16 MiB through the router and Porthole intact; Ctrl-C closes the port on the router', async () => {
    const p = forward(['--upnp=18080', ...dd('a'), `${LAB.host}:8080`, `127.0.0.1:${source.port}`]);
    expect(await granted(p)).toEqual({ address: LAB.routerWan, port: 18080, method: 'UPnP' });
    // All-private lab: the router's own address is private, so the warning must be there.
    await p.waitForLine(/warning: .*private.*relay.*\[DOUBLE_NAT\]/, 2000, 'the double-NAT warning');
    const s = await status();
    expect(s).toMatchObject({ externalAddress: LAB.routerWan, doubleNat: true });
    expect(s.mappings).toEqual([expect.objectContaining({ externalPort: 18080, protocol: 'TCP', internalClient: LAB.host, internalPort: 8080, description: 'Porthole forward-tcp-10-77-1-10-8080' })]);

    const t0 = Date.now();
    const got = await wan.tcpFetch(LAB.routerWan, 18080, 20_000);
    process.stdout.write(`router lab: 16 MiB WAN → router → Porthole → target in ${Date.now() - t0} ms\n`);
    expect(got).toEqual({ bytes: 16 * MiB, sha256: source.sha256 });

    p.kill('SIGINT');
    expect(await p.exited(8000)).toBe(0);
    expect(p.stdout()).toMatch(/Closed TCP port 18080 on the router/);
    expect((await status()).mappings).toEqual([]);
    expect((await wan.tcpFetch(LAB.routerWan, 18080, 1500)).error).toMatch(/ECONNREFUSED|ETIMEDOUT/);
  });

  it('NAT-PMP: UDP datagrams from the WAN side reach the target and come back; SIGTERM closes the port', async () => {
    const p = forward(['--udp', '--upnp=18081', '--upnp-protocol=natpmp', ...dd('b'), `${LAB.host}:8081`, `127.0.0.1:${echo.port}`]);
    expect(await granted(p)).toEqual({ address: LAB.routerWan, port: 18081, method: 'NAT-PMP' });
    const r = await wan.udpAsk(LAB.routerWan, 18081, 20, 3000);
    expect(r.received.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `echo:datagram-${i}`).sort());
    p.kill('SIGTERM');
    expect(await p.exited(8000)).toBe(0);
    expect(p.stdout()).toMatch(/Closed UDP port 18081 on the router \(NAT-PMP/);
    expect(lab.routerRules()).not.toMatch(/dport 18081/);
    expect((await wan.udpAsk(LAB.routerWan, 18081, 3, 800)).received).toEqual([]);
  });

  it('a run killed with SIGKILL leaves its mapping; the next run removes it (UPnP by description, NAT-PMP by journal)', async () => {
    for (const [method, first, second, listen] of [['upnp', 18082, 18083, 8082], ['natpmp', 18084, 18085, 8083]] as const) {
      const args = (ext: number) => [`--upnp=${ext}`, `--upnp-protocol=${method}`, ...dd(`c-${method}`), `${LAB.host}:${listen}`, `127.0.0.1:${source.port}`];
      const killed = forward(args(first));
      expect((await granted(killed)).port).toBe(first);
      killed.kill('SIGKILL');
      await killed.exited(5000);
      expect(lab.routerRules(), 'the killed run could not unmap').toMatch(new RegExp(`dport ${first} `));

      const next = forward(args(second));
      expect((await granted(next)).port).toBe(second);
      expect(next.stdout()).toMatch(new RegExp(`Removed a stale TCP mapping of port ${first} left on the router by an earlier run`));
      const rules = lab.routerRules();
      expect(rules).not.toMatch(new RegExp(`dport ${first} `));
      expect(rules).toMatch(new RegExp(`dport ${second} dnat ip to ${LAB.host.replace(/\./g, '\\.')}:${listen}`));
      expect((await wan.tcpFetch(LAB.routerWan, first, 1500)).error).toMatch(/ECONNREFUSED|ETIMEDOUT/);
      next.kill('SIGTERM');
      expect(await next.exited(8000)).toBe(0);
    }
  });

  it('a short lease is renewed before it ends, so the mapping stays; without renewal it expires', async () => {
    const runs = (['upnp', 'natpmp'] as const).map((method, i) =>
      forward([`--upnp=${18086 + i}`, `--upnp-protocol=${method}`, '--upnp-lease=3', ...dd(`d-${method}`), `${LAB.host}:${8086 + i}`, `127.0.0.1:${source.port}`]),
    );
    for (const p of runs) await granted(p);
    // Wait (on the router's own log) for three renewals of each: more than two 3 s leases have passed.
    const renewals = () => ({
      upnp: lab.routerLog().match(/AddPortMapping: ext port 18086 to /g)?.length ?? 0,
      natpmp: lab.routerLog().match(/NAT-PMP port mapping request : 18087->10\.77\.1\.10:8087 tcp lifetime=3s/g)?.length ?? 0,
    });
    const t0 = Date.now();
    while (Math.min(renewals().upnp, renewals().natpmp) < 4) {
      if (Date.now() - t0 > 12_000) throw new Error(`renewals seen: ${JSON.stringify(renewals())}\n${lab.routerLog().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(Date.now() - t0).toBeGreaterThan(3000);
    expect(lab.routerRules()).toMatch(/dport 18086 /);
    expect(lab.routerRules()).toMatch(/dport 18087 /);
    expect((await wan.tcpFetch(LAB.routerWan, 18086, 20_000)).sha256).toBe(source.sha256);
    expect((await wan.tcpFetch(LAB.routerWan, 18087, 20_000)).sha256).toBe(source.sha256);
    // The lease is real: killed (no renewal, no unmap), both mappings end on their own.
    for (const p of runs) {
      p.kill('SIGKILL');
      await p.exited(5000);
    }
    const killedAt = Date.now();
    while (/dport 1808[67] /.test(lab.routerRules())) {
      if (Date.now() - killedAt > 10_000) throw new Error(`mappings outlived their lease:\n${lab.routerRules()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('the router refusing gives ROUTER_REFUSED with its own code (UPnP deny rule: 606; NAT-PMP failure: result 3)', async () => {
    const upnp = await lab.portholeRun(['forward', `--upnp=${LAB.deniedPorts[0] + 1}`, ...dd('e'), `${LAB.host}:8090`, `127.0.0.1:${source.port}`]);
    expect(upnp.code).toBe(1);
    expect(upnp.stderr).toMatch(/router: .*AddPortMapping TCP 20001 → 10\.77\.1\.10:8090: UPnP error 606 \(not authorised.*\) \[ROUTER_REFUSED, router code 606\]/);
    // miniupnpd answers a denied NAT-PMP request by offering another port (see the EXTERNAL_PORT_TAKEN
    // case); a router that cannot install the mapping answers with a result code instead.
    lab.breakRouterFirewall(true);
    try {
      const natpmp = await lab.portholeRun(['forward', '--upnp', '--upnp-protocol=natpmp', ...dd('e'), `${LAB.host}:8091`, `127.0.0.1:${source.port}`]);
      expect(natpmp.code).toBe(1);
      expect(natpmp.stderr).toMatch(/router: NAT-PMP at 10\.77\.1\.1:5351: .*refused: result 3 \(network failure.*\) \[ROUTER_REFUSED, router code 3\]/);
    } finally {
      lab.breakRouterFirewall(false);
    }
  });

  it('an external port another host holds gives EXTERNAL_PORT_TAKEN naming the holder (UPnP) or the port offered (NAT-PMP)', async () => {
    const holder = forward(['--upnp=18095', ...dd('f-holder'), `${LAB.host2}:8095`, `127.0.0.1:${source.port}`]);
    await granted(holder);
    const upnp = await lab.portholeRun(['forward', '--upnp=18095', ...dd('f'), `${LAB.host}:8096`, `127.0.0.1:${source.port}`]);
    expect(upnp.code).toBe(1);
    expect(upnp.stderr).toMatch(/external port 18095\/TCP on the router is already forwarded to 10\.77\.1\.11:8095 \("Porthole forward-tcp-10-77-1-11-8095"\) \[EXTERNAL_PORT_TAKEN, router code 718\]/);
    const natpmp = await lab.portholeRun(['forward', '--upnp=18095', '--upnp-protocol=natpmp', ...dd('f'), `${LAB.host}:8096`, `127.0.0.1:${source.port}`]);
    expect(natpmp.code).toBe(1);
    expect(natpmp.stderr).toMatch(/offered external port \d+ instead of 18095, which is taken \[EXTERNAL_PORT_TAKEN\]/);
    // The port NAT-PMP offered instead was given back, and the holder's mapping is untouched.
    expect(lab.routerRules().match(/dnat/g)).toHaveLength(1);
    expect((await wan.tcpFetch(LAB.routerWan, 18095, 20_000)).sha256).toBe(source.sha256);
    await holder.stop();
  });

  it('a loopback listen address cannot be mapped: LISTEN_ON_LOOPBACK names the LAN addresses to use', async () => {
    const r = await lab.portholeRun(['forward', '--upnp', ...dd('g'), '8097', `127.0.0.1:${source.port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/listens on 127\.0\.0\.1, which the router cannot reach — listen on this computer's LAN address \(10\.77\.1\.10, 10\.77\.1\.11\).*\[LISTEN_ON_LOOPBACK\]/);
  });

  it('PCP: --upnp-protocol=pcp maps TCP with a MAP request, follows the lease the router grants (120 s for 3 asked) and deletes it with its nonce on SIGTERM', async () => {
    const p = forward(['--upnp=18120', '--upnp-protocol=pcp', '--upnp-lease=3', ...dd('p'), `${LAB.host}:8120`, `127.0.0.1:${source.port}`]);
    expect(await granted(p)).toEqual({ address: LAB.routerWan, port: 18120, method: 'PCP' });
    // miniupnpd raises PCP lifetimes to its min_lifetime (120 s): the renewal follows what it granted.
    expect(p.stdout()).toMatch(/via PCP → 10\.77\.1\.10:8120 TCP \(PCP at 10\.77\.1\.1:5351; lease 120 s, renewed every 60 s\)/);
    expect(lab.routerLog()).toMatch(/PCP MAP: added mapping TCP 18120->10\.77\.1\.10:8120 'PCP MAP [0-9a-f]{24}'/);
    expect((await wan.tcpFetch(LAB.routerWan, 18120, 20_000)).sha256).toBe(source.sha256);
    const status = await lab.portholeRun(['upnp', 'status', '--protocol', 'pcp']);
    expect(status.stdout).toMatch(/Gateway: PCP at 10\.77\.1\.1:5351 .*\nExternal address: \(PCP tells it only with a mapping\)\nMappings: PCP cannot list them/);
    p.kill('SIGTERM');
    expect(await p.exited(8000)).toBe(0);
    expect(p.stdout()).toMatch(/Closed TCP port 18120 on the router \(PCP at/);
    expect(lab.routerLog()).toMatch(/PCP: TCP port 18120 mapping removed/);
    expect(lab.routerRules()).not.toMatch(/dport 18120 /);
  });

  it('auto falls back to PCP on a router deaf to UPnP and NAT-PMP (UDP); a killed run is cleaned up with the nonce its journal kept; a router that cannot install it answers result 8', async () => {
    lab.silenceRouter(['upnp', 'natpmp']);
    try {
      const args = [...dd('q'), '--udp', `${LAB.host}:8121`, `127.0.0.1:${echo.port}`];
      const killed = forward(['--upnp=18121', ...args]);
      expect(await granted(killed)).toEqual({ address: LAB.routerWan, port: 18121, method: 'PCP' });
      expect((await wan.udpAsk(LAB.routerWan, 18121, 10, 3000)).received).toHaveLength(10);
      killed.kill('SIGKILL');
      await killed.exited(5000);
      expect(lab.routerRules(), 'the killed run could not unmap').toMatch(/dport 18121 /);
      // Same rule again: its journal holds the nonce, without which the router would not delete it.
      const next = forward(['--upnp=18121', ...args]);
      expect((await granted(next)).method).toBe('PCP');
      expect(next.stdout()).toMatch(/Removed a stale UDP mapping of port 18121 left on the router by an earlier run/);
      expect(lab.routerLog()).toMatch(/PCP: UDP port 18121 mapping removed/);
      expect(lab.routerRules().match(/dport 18121 /g)).toHaveLength(1);
      next.kill('SIGTERM');
      expect(await next.exited(8000)).toBe(0);
      expect(lab.routerRules()).not.toMatch(/dport 18121 /);

      lab.breakRouterFirewall(true);
      try {
        const r = await lab.portholeRun(['forward', '--upnp', ...dd('q2'), `${LAB.host}:8122`, `127.0.0.1:${source.port}`]);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/router: PCP at 10\.77\.1\.1:5351: MAP tcp 8122 → 10\.77\.1\.10:8122: PCP mapping request refused: result 8 \(out of resources.*\) \[ROUTER_REFUSED, router code 8\]/);
      } finally {
        lab.breakRouterFirewall(false);
      }
    } finally {
      lab.silenceRouter([]);
    }
  });

  it('porthole run --profile: a rule with the router option maps while it runs and unmaps on SIGTERM; its start leaves another live Porthole\'s mapping alone; a killed run\'s mapping goes at the next start', async () => {
    const profile = `${data.dir}/game.yaml`;
    writeFileSync(
      profile,
      `porthole: 1\nrules:\n  - type: tcp-forward\n    name: profile game\n    listen: { host: 0.0.0.0, port: 8130 }\n    target: { host: 127.0.0.1, port: ${source.port} }\n    router: { enabled: true, externalPort: 18130 }\n`,
    );
    // Another Porthole on the same data dir (as the app would be): its journal sits beside the run's.
    const other = forward(['--upnp=18131', ...dd('r'), `${LAB.host2}:8131`, `127.0.0.1:${source.port}`]);
    await granted(other);
    const run = () => lab.porthole(['run', '--profile', profile, ...dd('r')]);
    const kept = /Left the TCP mapping of port 18131 on the router alone: process \d+, another Porthole using this data dir, holds it|Removed a stale TCP mapping of port 18131/;
    const first = run();
    const m = await first.waitForLine(/INFO {2}\[profile game\] Reachable from the internet at ([\d.]+):(\d+) via UPnP/, 10_000, 'porthole run --profile');
    expect([m[1], Number(m[2])]).toEqual([LAB.routerWan, 18130]);
    expect((await first.waitForLine(kept, 5000, 'the start-up sweep'))[0]).toMatch(/^Left/);
    expect(await wan.tcpFetch(LAB.routerWan, 18130, 20_000)).toEqual({ bytes: 16 * MiB, sha256: source.sha256 });
    expect((await wan.tcpFetch(LAB.routerWan, 18131, 20_000)).sha256, 'the other Porthole still reachable').toBe(source.sha256);
    first.kill('SIGTERM');
    expect(await first.exited(8000)).toBe(0);
    expect(first.stdout()).toMatch(/\[profile game\] Closed TCP port 18130 on the router/);
    expect(lab.routerRules()).not.toMatch(/dport 18130 /);

    // Killed: nothing is unmapped, and the next run's rule has another id — only the sweep finds it.
    const killed = run();
    await killed.waitForLine(/Reachable from the internet at [\d.]+:18130/, 10_000, 'the second run');
    killed.kill('SIGKILL');
    await killed.exited(5000);
    expect(lab.routerRules()).toMatch(/dport 18130 /);
    const next = run();
    await next.waitForLine(/Removed a stale TCP mapping of port 18130 left on the router by an earlier run|Reachable from the internet at [\d.]+:18130/, 10_000, 'the third run');
    await next.waitForLine(/Reachable from the internet at [\d.]+:18130/, 10_000, 'the third run mapped');
    next.kill('SIGTERM');
    expect(await next.exited(8000)).toBe(0);
    expect(lab.routerRules()).not.toMatch(/dport 18130 /);
    expect(lab.routerRules(), 'the other Porthole kept its port throughout').toMatch(/dport 18131 /);
    await other.stop();
  });

  it('no router on the LAN gives GATEWAY_NOT_FOUND within a few seconds', async () => {
    await lab.stopMiniupnpd();
    const t0 = Date.now();
    const r = await lab.portholeRun(['forward', '--upnp', ...dd('h'), `${LAB.host}:8098`, `127.0.0.1:${source.port}`]);
    const ms = Date.now() - t0;
    process.stdout.write(`router lab: no gateway reported after ${ms} ms\n`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No router found: no UPnP IGD answered an SSDP search from 10\.77\.1\.10 within 2 s; NAT-PMP and PCP at 10\.77\.1\.1:5351 did not answer.*\[GATEWAY_NOT_FOUND\]/);
    expect(ms).toBeLessThan(5000);
  });
});
