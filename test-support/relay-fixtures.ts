// A relay and its agents on loopback for tests: a RelayServer with a fresh certificate in a temp
// data dir, agents pinned to it, and cleanup() that stops them all (call it in afterEach).
import { join } from 'node:path';
import { RelayAgent, type RelayAgentOptions } from '../src-main/relay/relay-agent';
import { loadOrCreateRelayIdentity, type RelayIdentity } from '../src-main/relay/relay-identity';
import { RelayPins } from '../src-main/relay/relay-pins';
import type { RelayPolicy } from '../src-main/relay/relay-policy';
import { RelayServer, type RelayServerOptions } from '../src-main/relay/relay-server';
import { tempDir } from './tmp';

export class RelayFixtures {
  private readonly dirs: Array<() => void> = [];
  private readonly relays = new Set<RelayServer>();
  private readonly agents = new Set<RelayAgent>();
  readonly logs: string[] = [];
  private identityCache: RelayIdentity | undefined;

  dir(): string {
    const t = tempDir('porthole-relay-');
    this.dirs.push(t.cleanup);
    return t.dir;
  }

  async identity(fresh = false): Promise<RelayIdentity> {
    if (!fresh && this.identityCache) return this.identityCache;
    const id = await loadOrCreateRelayIdentity(this.dir());
    if (!fresh) this.identityCache = id;
    return id;
  }

  async relay(policy: Partial<RelayPolicy> & Pick<RelayPolicy, 'agents'>, opts: Partial<RelayServerOptions> = {}): Promise<RelayServer> {
    const full: RelayPolicy = { bind: { host: '127.0.0.1', port: 0 }, ...policy };
    const relay = new RelayServer({
      policy: full,
      ...(full.tls === false ? {} : { identity: await this.identity() }),
      log: (level, m) => this.logs.push(`relay ${level}: ${m}`),
      ...opts,
    });
    this.relays.add(relay);
    await relay.start();
    return relay;
  }

  agent(relay: RelayServer | { host: string; port: number }, o: Partial<RelayAgentOptions> & Pick<RelayAgentOptions, 'agent' | 'token'>): RelayAgent {
    const address = relay instanceof RelayServer ? relay.address! : relay;
    const agent = new RelayAgent({
      relay: address,
      pins: new RelayPins(join(this.dir(), 'known_relays')),
      backoff: { initialMs: 100, maxMs: 500 },
      log: (level, m) => this.logs.push(`agent ${level}: ${m}`),
      ...o,
    });
    this.agents.add(agent);
    agent.start();
    return agent;
  }

  async stopRelay(relay: RelayServer): Promise<void> {
    this.relays.delete(relay);
    await relay.stop();
  }

  async cleanup(): Promise<void> {
    await Promise.all([...this.agents].map((a) => a.close()));
    await Promise.all([...this.relays].map((r) => r.stop()));
    this.agents.clear();
    this.relays.clear();
    for (const d of this.dirs.splice(0)) d();
  }
}
