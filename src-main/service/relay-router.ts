import { parseHostPort } from '../../src-shared/format/address';
import { type LineLog, type LogLine, said } from '../../src-shared/model/log-text';
import type { LocalRelayRouterOption, RelayRouterPort, RelayServerStatus } from '../../src-shared/model/relay';
import type { RouterMappingStatus } from '../../src-shared/model/router';
import { type MappingRequest, RouterMappings, type RouterMappingsOptions } from '../router/router-mappings';

// "Open on router" for the in-app relay: its agent port, and each public port it opens for an agent,
// mapped on the home router while the relay runs with the option on. Driven only by the relay server's
// public status (on its 'changed' event and the status ticks), so the relay's internals know nothing of
// it; the router work is router-mappings.ts, as for rules, with its own journal and owners:
// `relay-agent` and `relay-<tcp|udp>-<port>` (description "Porthole relay-…" on the router).

export const RELAY_AGENT_OWNER = 'relay-agent';

interface Wanted {
  req: MappingRequest;
  port: Omit<RelayRouterPort, 'mapping'>;
}

export interface RelayRouterOptions extends Pick<RouterMappingsOptions, 'discoveryTimeoutMs' | 'retryMs'> {
  /** Where its journal lives (`<data dir>/router-mappings/relay`); undefined: none. */
  journalDir?: string;
  log: LineLog;
  /** A port was granted, renewed, refused or released: the relay's status should be sent again. */
  onChange(): void;
}

function endpoint(address: string | undefined): { host: string; port: number } | undefined {
  if (!address) return undefined;
  const r = parseHostPort(address);
  return r.ok ? r.value : undefined;
}

/** What the relay's status says should be open on the router now, by owner id. */
export function wantedPorts(status: RelayServerStatus, option: LocalRelayRouterOption): Map<string, Wanted> {
  const out = new Map<string, Wanted>();
  const routerOption = { ...option, enabled: true };
  const agentPort = endpoint(status.listening);
  if (agentPort) {
    out.set(RELAY_AGENT_OWNER, {
      req: { ownerId: RELAY_AGENT_OWNER, protocol: 'tcp', listenHost: agentPort.host, listenPort: agentPort.port, option: routerOption },
      port: { role: 'agent-port', protocol: 'tcp', port: agentPort.port },
    });
  }
  for (const a of status.agents) {
    for (const x of a.exposures) {
      const e = endpoint(x.publicAddress);
      if (!e) continue;
      const ownerId = `relay-${x.protocol}-${e.port}`;
      out.set(ownerId, {
        req: { ownerId, protocol: x.protocol, listenHost: e.host, listenPort: e.port, option: routerOption },
        port: { role: 'public', agent: a.name, ...(x.name ? { name: x.name } : {}), protocol: x.protocol, port: e.port },
      });
    }
  }
  return out;
}

export class RelayRouter {
  private readonly mappings: RouterMappings;
  private wanted = new Map<string, Wanted>();
  /** Stale mappings of an earlier run are removed before this run maps anything (same owners). */
  private swept: Promise<void> | undefined;

  constructor(private readonly opts: RelayRouterOptions) {
    this.mappings = new RouterMappings({
      ...(opts.journalDir ? { journalDir: opts.journalDir } : {}),
      ...(opts.discoveryTimeoutMs !== undefined ? { discoveryTimeoutMs: opts.discoveryTimeoutMs } : {}),
      ...(opts.retryMs !== undefined ? { retryMs: opts.retryMs } : {}),
      log: (level, _message, ownerId, _code, line) => opts.log(level, ...this.about(ownerId, line)),
      onChange: () => opts.onChange(),
    });
  }

  /** Removes what an earlier run (killed before it could unmap) left on the router; once, never throws. */
  sweep(): Promise<void> {
    this.swept ??= this.mappings.sweep();
    return this.swept;
  }

  /**
   * Follows the relay: maps what its status shows (agent port, agents' public ports) and releases
   * what it no longer shows. `option` undefined or off, or the relay stopped: everything is released.
   */
  sync(status: RelayServerStatus, option: LocalRelayRouterOption | undefined): void {
    const next = option?.enabled && status.running ? wantedPorts(status, option) : new Map<string, Wanted>();
    const before = this.wanted;
    this.wanted = next;
    for (const id of before.keys()) if (!next.has(id)) void this.mappings.release(id);
    const fresh = [...next].filter(([id, w]) => JSON.stringify(before.get(id)?.req) !== JSON.stringify(w.req));
    if (fresh.length === 0) return;
    void this.sweep().then(() => {
      // Only what is still wanted once the sweep is done (the relay may have stopped meanwhile).
      for (const [id, w] of fresh) if (this.wanted.get(id) === w) this.mappings.ensure(w.req);
    });
  }

  /** One entry per port asked for, in the order agent port, then public ports by port. */
  status(): RelayRouterPort[] | undefined {
    if (this.wanted.size === 0) return undefined;
    const rows = [...this.wanted].map(([id, w]) => {
      const mapping: RouterMappingStatus = this.mappings.status(id) ?? { state: 'mapping', protocol: w.req.protocol };
      return { ...w.port, mapping };
    });
    return rows.sort((a, b) => Number(b.role === 'agent-port') - Number(a.role === 'agent-port') || a.port - b.port || a.protocol.localeCompare(b.protocol));
  }

  /** Releases every port (the relay stopped or Porthole quits); resolves once the router was told. */
  async stop(): Promise<void> {
    this.wanted = new Map();
    await this.swept;
    await this.mappings.releaseAll();
  }

  /** A router line about one of the relay's ports: `Relay public TCP port 8080 (agent "laptop"): …`. */
  private about(ownerId: string, line: LogLine): [string, LogLine] {
    const w = this.wanted.get(ownerId);
    if (ownerId === RELAY_AGENT_OWNER) return said('relayRouterAgentPort', {}, line);
    const m = /^relay-(tcp|udp)-(\d+)$/.exec(ownerId);
    const agent = w?.port.agent;
    if (!m) return said('relayRouterOwner', { owner: agent ? `${ownerId} (agent "${agent}")` : ownerId }, line);
    const port = { protocol: m[1]!.toUpperCase(), port: m[2]! };
    return agent ? said('relayRouterPublicAgent', { ...port, agent }, line) : said('relayRouterPublic', port, line);
  }
}
