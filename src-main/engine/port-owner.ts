import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { isIPv6 } from '../../src-shared/format/address';

// Who holds a port, for the PORT_IN_USE message. Linux exposes it through /proc: the socket's inode in
// /proc/net/{tcp,tcp6,udp,udp6}, then the process whose fd links to `socket:[inode]`. Best effort: other
// systems, or processes of other users, simply yield nothing.

export interface PortOwner {
  pid: number;
  name: string;
}

const TCP_LISTEN = '0A';

function inodesOnPort(protocol: 'tcp' | 'udp', port: number): Set<string> {
  const inodes = new Set<string>();
  for (const file of [`/proc/net/${protocol}`, `/proc/net/${protocol}6`]) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      const local = f[1];
      const state = f[3];
      const inode = f[9];
      if (!local || !inode || inode === '0') continue;
      if (parseInt(local.slice(local.lastIndexOf(':') + 1), 16) !== port) continue;
      if (protocol === 'tcp' && state !== TCP_LISTEN) continue;
      inodes.add(inode);
    }
  }
  return inodes;
}

export function findPortOwner(protocol: 'tcp' | 'udp', port: number): PortOwner | undefined {
  if (process.platform !== 'linux') return undefined;
  const inodes = inodesOnPort(protocol, port);
  if (inodes.size === 0) return undefined;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m && inodes.has(m[1]!)) {
        let name = 'unknown';
        try {
          name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        } catch {
          /* process just exited */
        }
        return { pid: Number(pid), name };
      }
    }
  }
  return undefined;
}

function canBind(protocol: 'tcp' | 'udp', host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (protocol === 'tcp') {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen({ host, port, exclusive: true }, () => s.close(() => resolve(true)));
    } else {
      const s = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
      s.once('error', () => {
        s.close();
        resolve(false);
      });
      s.bind({ address: host, port, exclusive: true }, () => s.close(() => resolve(true)));
    }
  });
}

/** The first port after `port` (within 20) that can be bound on `host` right now. */
export async function suggestFreePort(protocol: 'tcp' | 'udp', host: string, port: number): Promise<number | undefined> {
  for (let p = port + 1; p <= Math.min(65535, port + 20); p++) {
    if (await canBind(protocol, host, p)) return p;
  }
  return undefined;
}

/** Where describePortInUse learns who holds the port and which one is free: this machine, unless a test fixes them. */
export interface PortProbe {
  owner(protocol: 'tcp' | 'udp', port: number): PortOwner | undefined;
  free(protocol: 'tcp' | 'udp', host: string, port: number): Promise<number | undefined>;
}

const LIVE_PROBE: PortProbe = { owner: findPortOwner, free: suggestFreePort };

/** `already in use by nginx (pid 1234) — choose another listen port, e.g. 8081`. */
export async function describePortInUse(protocol: 'tcp' | 'udp', host: string, port: number, probe: PortProbe = LIVE_PROBE): Promise<string> {
  const owner = probe.owner(protocol, port);
  const who = owner ? (owner.pid === process.pid ? ' by Porthole itself (another mapping or program in this process)' : ` by ${owner.name} (pid ${owner.pid})`) : '';
  const free = await probe.free(protocol, host, port);
  const hint = free ? `choose another listen port, e.g. ${free}` : 'choose another listen port';
  return `${protocol.toUpperCase()} port ${port} on ${host} is already in use${who} — ${hint}`;
}
