import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { isLoopbackHost } from '../../src-shared/format/address';
import { MIN_TOKEN_LENGTH } from '../../src-shared/model/relay';
import type { ImportBundle } from './import-bundle';
import { ProfileError } from './profile-error';

// A way off frp and rathole: Porthole's agent talks only to a Porthole relay, so the machine that ran
// frps (or rathole's server) runs `porthole relay` instead. This writes that relay's config, in the
// port-proxy YAML shape `porthole relay --config` reads: the same listening port, one agent with the
// imported agent name and token, and the public ports the imported proxies ask for as its allow_ports.

/** Ports a proxy with remote port 0 ("the server picks") may be given; frps has no such list to copy. */
export const PICKED_PORTS = { from: 30000, to: 30099 };

export interface RelayConfigExport {
  yaml: string;
  /** The agent token in the config: the file's own, or a new one when it had none or a short one. */
  token: string;
  generated: boolean;
  /** The ref of the imported relay the config is for (its token must match `token`). */
  relayRef?: string;
  notes: string[];
}

function ranges(ports: number[]): Array<number | string> {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  const out: Array<number | string> = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(i === j ? sorted[i]! : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return out;
}

/** The relay config matching an imported frpc / rathole profile; a ProfileError when the profile has no such server side. */
export function relayConfigFor(b: ImportBundle, madeBefore?: string): RelayConfigExport {
  const notes: string[] = [];
  const server = b.relayServer;
  if (b.format === 'port-proxy-server' || b.format === 'porthole-yaml' || b.format === 'porthole-json' || b.format === 'ssh-config' || b.format === 'port-proxy-client') {
    throw new ProfileError(`${b.source}: --relay-config is for frpc and rathole configs (their server side becomes a Porthole relay); this is ${b.format === 'port-proxy-server' ? 'already a relay config: run it with porthole relay --config' : `a ${b.format} file`}`);
  }
  if (b.relays.length > 1) throw new ProfileError(`${b.source}: the profile names ${b.relays.length} servers; --relay-config writes the config of one`);
  const relay = b.relays[0];
  if (!relay && !server) throw new ProfileError(`${b.source}: no server to write a relay config for`);

  let token = relay?.token ?? server?.token;
  let generated = false;
  if (token === undefined || token.length < MIN_TOKEN_LENGTH) {
    notes.push(
      // Not named by b.source: pasted text has no file name worth repeating.
      token === undefined
        ? 'there is no token in it, and Porthole\'s relay needs one: the relay config has a new one'
        : `its token has ${token.length} characters and Porthole's relay needs at least ${MIN_TOKEN_LENGTH}: the relay config has a new one`,
    );
    // The same new token each time this profile's config is written (the saved relay must match it).
    token = madeBefore ?? randomBytes(24).toString('base64url');
    generated = true;
  }
  const agentName = relay?.agentName ?? server?.agents[0]?.name ?? 'agent';
  const rules = b.rules.filter((r) => r.type === 'relay-expose' && (!relay || r.relay === relay.ref));
  const wanted = rules.flatMap((r) => (r.type === 'relay-expose' && r.remotePort !== 0 ? [r.remotePort] : []));
  const picked = rules.some((r) => r.type === 'relay-expose' && r.remotePort === 0);
  const serverRanges = server ? server.agents.flatMap((a) => a.allowPorts) : [];
  const singles = [...wanted, ...serverRanges.filter((p) => p.from === p.to).map((p) => p.from)];
  const allowed: Array<number | string> = [...ranges(singles), ...serverRanges.filter((p) => p.from !== p.to).map((p) => `${p.from}-${p.to}`)];
  if (picked) {
    allowed.push(`${PICKED_PORTS.from}-${PICKED_PORTS.to}`);
    notes.push(`mappings without a public port get one the relay picks from ${PICKED_PORTS.from}-${PICKED_PORTS.to} (allow_ports in the relay config)`);
  }
  // Where frps / rathole's server listened: every interface, unless it was on this machine's loopback.
  const local = relay !== undefined && isLoopbackHost(relay.host);
  const bindHost = server?.bind.host ?? (local ? relay.host : '0.0.0.0');
  const bindPort = server?.bind.port ?? relay!.port;
  const publicHost = server?.publicHost ?? (local ? relay.host : '0.0.0.0');
  const doc = {
    bind: `${bindHost.includes(':') ? `[${bindHost}]` : bindHost}:${bindPort}`,
    tls: true,
    public_host: publicHost,
    proxy: [{ remote_name: agentName, token, allow_ports: allowed }],
  };
  const header = [
    `Porthole relay config for the agent imported from ${b.source}.`,
    `Run it where ${b.format === 'rathole-client' || b.format === 'rathole-server' ? "rathole's server" : 'frps'} ran: porthole relay --config <this file>`,
    'It holds the agent token: keep it private.',
  ];
  const yaml = `${header.map((l) => `# ${l}`).join('\n')}\n${stringify(doc, { lineWidth: 0 })}`;
  return { yaml, token, generated, ...(relay ? { relayRef: relay.ref } : {}), notes };
}
