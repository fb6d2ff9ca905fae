import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LabBundle, buildLabBundle } from './lab-bundle';
import { LineChild } from './line-child';

// A home network in three network namespaces, with a real UPnP IGD + NAT-PMP router (miniupnpd,
// nftables backend) in the middle:
//
//   LAN host ns   10.77.1.10 (+ .11)  ──veth──  10.77.1.1  router ns  10.77.2.1  ──veth──  10.77.2.2 (+ .3)  WAN ns
//                 default via .1                 miniupnpd, nftables            tiny STUN server
//
// Both ends of each veth pair are created inside the namespaces, and the router and WAN namespaces have
// no default route: nothing can leave. All addresses are private, so miniupnpd learns its external
// address by STUN (without it, 2.3.1 refuses every mapping on a private WAN address).

export const LAB = {
  host: '10.77.1.10',
  /** A second LAN address on the host namespace: "another computer" holding a port. */
  host2: '10.77.1.11',
  routerLan: '10.77.1.1',
  routerWan: '10.77.2.1',
  wan: '10.77.2.2',
  wan2: '10.77.2.3',
  upnpPort: 5000,
  stunPorts: [3478, 3479] as const,
  /** miniupnpd refuses (deny rule) any UPnP mapping of these external ports (NAT-PMP offers another). */
  deniedPorts: [20000, 20099] as const,
};

/** Why the lab cannot run here, or undefined when it can. Under CI=true the caller fails instead of skipping. */
export function labUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'not root: creating network namespaces needs root (CI runs as root)';
  for (const [cmd, pkg] of [['ip', 'iproute2'], ['nft', 'nftables'], ['miniupnpd', 'miniupnpd-nftables']] as const) {
    if (spawnSync('sh', ['-c', `command -v ${cmd} || test -x /usr/sbin/${cmd}`]).status !== 0) return `${cmd} not found (apt-get install -y ${pkg})`;
  }
  const probe = `phprobe${randomBytes(3).toString('hex')}`;
  const r = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (r.status !== 0) return `ip netns add failed: ${(r.stderr || '').trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return undefined;
}

function sh(args: string[], input?: string): string {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', input, timeout: 10_000 });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

function nftRuleset(): string {
  return `table inet filter {
  chain forward { type filter hook forward priority 0; policy drop;
    ct state established,related accept
    iifname "lanR" accept
    jump miniupnpd
  }
  chain prerouting { type nat hook prerouting priority -100; policy accept; jump prerouting_miniupnpd; }
  chain postrouting { type nat hook postrouting priority 100; policy accept; jump postrouting_miniupnpd; }
  chain miniupnpd { }
  chain prerouting_miniupnpd { }
  chain postrouting_miniupnpd { }
}
`;
}

function miniupnpdConf(extra: string[]): string {
  return [
    'ext_ifname=wanR',
    'listening_ip=lanR',
    `port=${LAB.upnpPort}`,
    'enable_upnp=yes',
    'enable_natpmp=yes',
    'secure_mode=yes',
    'system_uptime=yes',
    'ext_perform_stun=yes',
    `ext_stun_host=${LAB.wan}`,
    `ext_stun_port=${LAB.stunPorts[0]}`,
    // The nftables objects miniupnpd fills (it creates none itself): see nftRuleset().
    'upnp_table_name=filter',
    'upnp_nat_table_name=filter',
    'upnp_forward_chain=miniupnpd',
    'upnp_nat_chain=prerouting_miniupnpd',
    'upnp_nat_postrouting_chain=postrouting_miniupnpd',
    'uuid=7f1d2a34-5b6c-4d7e-8f90-a1b2c3d4e5f6',
    ...extra,
    `deny ${LAB.deniedPorts[0]}-${LAB.deniedPorts[1]} 0.0.0.0/0 0-65535`,
    'allow 1024-65535 10.77.1.0/24 1024-65535',
    'deny 0-65535 0.0.0.0/0 0-65535',
    '',
  ].join('\n');
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export class RouterLab {
  readonly ns: { lan: string; router: string; wan: string };
  private readonly children = new Set<LineChild>();
  private readonly dir = mkdtempSync(join(tmpdir(), 'porthole-lab-state-'));
  private miniupnpd: LineChild | undefined;

  private constructor(readonly bundle: LabBundle) {
    const id = randomBytes(3).toString('hex');
    this.ns = { lan: `phlan${id}`, router: `phrtr${id}`, wan: `phwan${id}` };
  }

  static async start(): Promise<RouterLab> {
    const lab = new RouterLab(await buildLabBundle());
    try {
      lab.build();
      await lab.startDaemons();
    } catch (err) {
      await lab.close();
      throw err;
    }
    return lab;
  }

  private build(): void {
    const { lan, router, wan } = this.ns;
    for (const ns of [lan, router, wan]) {
      sh(['ip', 'netns', 'add', ns]);
      sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    }
    sh(['ip', 'link', 'add', 'lanH', 'netns', lan, 'type', 'veth', 'peer', 'name', 'lanR', 'netns', router]);
    sh(['ip', 'link', 'add', 'wanW', 'netns', wan, 'type', 'veth', 'peer', 'name', 'wanR', 'netns', router]);
    sh(['ip', '-n', lan, 'addr', 'add', `${LAB.host}/24`, 'dev', 'lanH']);
    sh(['ip', '-n', lan, 'addr', 'add', `${LAB.host2}/24`, 'dev', 'lanH']);
    sh(['ip', '-n', lan, 'link', 'set', 'lanH', 'up']);
    sh(['ip', '-n', lan, 'route', 'add', 'default', 'via', LAB.routerLan]);
    sh(['ip', '-n', router, 'addr', 'add', `${LAB.routerLan}/24`, 'dev', 'lanR']);
    sh(['ip', '-n', router, 'addr', 'add', `${LAB.routerWan}/24`, 'dev', 'wanR']);
    sh(['ip', '-n', router, 'link', 'set', 'lanR', 'up']);
    sh(['ip', '-n', router, 'link', 'set', 'wanR', 'up']);
    sh(['ip', 'netns', 'exec', router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    sh(['ip', '-n', wan, 'addr', 'add', `${LAB.wan}/24`, 'dev', 'wanW']);
    sh(['ip', '-n', wan, 'addr', 'add', `${LAB.wan2}/24`, 'dev', 'wanW']);
    sh(['ip', '-n', wan, 'link', 'set', 'wanW', 'up']);
    sh(['ip', 'netns', 'exec', router, 'nft', '-f', '-'], nftRuleset());
  }

  private async startDaemons(): Promise<void> {
    const stun = this.spawnLine(this.ns.wan, [process.execPath, this.bundle.lab, 'stun', LAB.wan, LAB.wan2, ...LAB.stunPorts.map(String)]);
    await stun.waitForLine(/stun ready/, 5000, 'the STUN server in the WAN namespace');
    await this.startMiniupnpd();
  }

  /**
   * Makes the router fail to install mappings (its DNAT chain renamed away, as if its firewall broke)
   * or repairs it. The only quick way to get a NAT-PMP refusal out of miniupnpd: a deny rule makes it
   * search all 65535 ports for an allowed one, which takes it tens of seconds.
   */
  breakRouterFirewall(broken: boolean): void {
    const [from, to] = broken ? ['prerouting_miniupnpd', 'prerouting_broken'] : ['prerouting_broken', 'prerouting_miniupnpd'];
    sh(['ip', 'netns', 'exec', this.ns.router, 'nft', 'rename', 'chain', 'inet', 'filter', from, to]);
  }

  /**
   * Makes the router deaf to UPnP (SSDP and its HTTP port) and/or NAT-PMP (version 0 datagrams on 5351,
   * so PCP, version 2, still gets through) — a router that speaks only what is left. [] restores it.
   */
  silenceRouter(which: ReadonlyArray<'upnp' | 'natpmp'>): void {
    const rules = [
      ...(which.includes('upnp') ? ['udp dport 1900 drop', `tcp dport ${LAB.upnpPort} drop`] : []),
      // The first byte after the 8-byte UDP header is the version: 0 NAT-PMP, 2 PCP.
      ...(which.includes('natpmp') ? ['udp dport 5351 @th,64,8 0 drop'] : []),
    ];
    const table = rules.length > 0 ? `table inet lab_silence {\n  chain input { type filter hook input priority -10; policy accept;\n    ${rules.join('\n    ')}\n  }\n}\n` : '';
    // "table; delete table" removes it whether it was there or not.
    sh(['ip', 'netns', 'exec', this.ns.router, 'nft', '-f', '-'], `table inet lab_silence\ndelete table inet lab_silence\n${table}`);
  }

  /** (Re)starts miniupnpd; resolves once it has enabled port forwarding (its STUN check passed). */
  async startMiniupnpd(extraConf: string[] = []): Promise<void> {
    await this.stopMiniupnpd();
    const conf = join(this.dir, 'miniupnpd.conf');
    writeFileSync(conf, miniupnpdConf(extraConf));
    this.miniupnpd = this.spawnLine(this.ns.router, ['miniupnpd', '-d', '-f', conf, '-P', join(this.dir, 'miniupnpd.pid')]);
    await this.miniupnpd.waitForLine(/Port forwarding is now enabled/, 10_000, 'miniupnpd');
    await this.miniupnpd.waitForLine(/HTTP listening on port/, 5000, 'miniupnpd HTTP');
  }

  async stopMiniupnpd(): Promise<void> {
    const m = this.miniupnpd;
    this.miniupnpd = undefined;
    if (m) await m.stop();
  }

  /** What miniupnpd logged so far (for failure messages). */
  routerLog(): string {
    return this.miniupnpd?.output() ?? '';
  }

  /** The DNAT rules miniupnpd has installed right now, as `nft` prints them. */
  routerRules(): string {
    return sh(['ip', 'netns', 'exec', this.ns.router, 'nft', 'list', 'chain', 'inet', 'filter', 'prerouting_miniupnpd']);
  }

  /** A process inside a namespace whose stdout/stderr lines can be awaited. */
  spawnLine(ns: string, argv: string[], env: Record<string, string> = {}): LineChild {
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const lc = new LineChild(child);
    this.children.add(lc);
    child.once('close', () => this.children.delete(lc));
    return lc;
  }

  /** `porthole …` inside the LAN namespace, left running. */
  porthole(args: string[]): LineChild {
    return this.spawnLine(this.ns.lan, [process.execPath, this.bundle.cli, ...args]);
  }

  /** `porthole …` inside the LAN namespace, to completion. */
  async portholeRun(args: string[], timeoutMs = 15_000): Promise<RunResult> {
    const c = this.porthole(args);
    const code = await c.exited(timeoutMs);
    return { code, stdout: c.stdout(), stderr: c.stderr() };
  }

  async close(): Promise<void> {
    await Promise.all([...this.children].map((c) => c.stop()));
    for (const ns of Object.values(this.ns)) {
      // Anything still running in a namespace this lab made was started by it.
      const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
      for (const pid of pids) spawnSync('kill', ['-9', pid]);
      spawnSync('ip', ['netns', 'del', ns]);
    }
    rmSync(this.dir, { recursive: true, force: true });
    this.bundle.cleanup();
  }
}
