// A relay and its agents on loopback for tests: a RelayServer with a fresh certificate in a temp
// data dir, agents pinned to it, and cleanup() that stops them all (call it in afterEach).
import { join } from 'node:path';
import { createServer, type Server, type Socket, connect as netConnect } from 'node:net';
import type { EngineError } from '../src-main/engine/engine-error';
import type { ExposureInfo } from '../src-main/relay/protocol';
import { type Exposure, RelayAgent, type RelayAgentOptions, type RelayAgentState } from '../src-main/relay/relay-agent';
import { loadOrCreateRelayIdentity, type RelayIdentity } from '../src-main/relay/relay-identity';
import { RelayPins } from '../src-main/relay/relay-pins';
import type { RelayAgentPolicy, RelayPolicy } from '../src-main/relay/relay-policy';
import { RelayServer, type RelayServerOptions } from '../src-main/relay/relay-server';
import { tempDir } from './tmp';

/** An agent entry of a relay policy that may ask for ports from..to (and is assigned none). */
export function agentPolicy(name: string, token: string, from: number, to = from): RelayAgentPolicy {
  return { name, token, ports: [], allowPorts: [{ from, to }] };
}

/**
 * The ways the relay carries a public TCP connection to the agent, for tests that must hold on each: a
 * data connection from the pool (waitForPool: true, the pool must be filled first; agentPlane: the agent
 * dials it from a data plane worker, as the service's agents do), an HTTP/2 stream
 * with the connection on a raw handle (relay/raw-splice.ts), and an HTTP/2 stream with it on a
 * net.Socket (where raw handles are not to be had) — there the agent dials its target by name
 * (targetHost), which it does with net.connect, where it dials an IP address on a raw handle.
 */
export const PUBLIC_CARRIERS: ReadonlyArray<{ name: string; relay: Partial<RelayServerOptions>; waitForPool: boolean; agentPlane?: true; targetHost?: string }> = [
  { name: 'a data connection', relay: {}, waitForPool: true },
  { name: 'a data connection of the agent\'s data plane', relay: {}, waitForPool: true, agentPlane: true },
  { name: 'an HTTP/2 stream, raw handle', relay: { dataConnections: false }, waitForPool: false },
  { name: 'an HTTP/2 stream, net.Socket (the agent dials its target by name)', relay: { dataConnections: false, rawHandles: false }, waitForPool: false, targetHost: 'localhost' },
];

/** Resolves with the binding once the exposure is bound (at once if it is); rejects with the relay's refusal. */
export function bound(e: Exposure, timeoutMs = 5000): Promise<ExposureInfo> {
  if (e.info) return Promise.resolve(e.info);
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      e.off('bound', onBound);
      e.off('failed', onFailed);
    };
    const onBound = (info: ExposureInfo) => {
      done();
      resolve(info);
    };
    const onFailed = (err: EngineError) => {
      done();
      reject(err);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`exposure ${e.spec.ref} was not bound within ${timeoutMs} ms (last error: ${e.lastError?.message ?? 'none'})`));
    }, timeoutMs);
    e.on('bound', onBound);
    e.on('failed', onFailed);
  });
}

/** Resolves with the exposure's refusal (its 'failed' event, or the error it already has). */
export function refused(e: Exposure, timeoutMs = 5000): Promise<EngineError> {
  if (e.lastError) return Promise.resolve(e.lastError);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`exposure ${e.spec.ref} was not refused within ${timeoutMs} ms`)), timeoutMs);
    e.once('failed', (err) => {
      clearTimeout(timer);
      resolve(err);
    });
  });
}

/** Resolves once the agent is in `state` (at once if it is); the timeout message says where it got stuck. */
export function agentState(agent: RelayAgent, state: RelayAgentState, timeoutMs = 5000): Promise<void> {
  if (agent.state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onState = (s: RelayAgentState) => {
      if (s !== state) return;
      clearTimeout(timer);
      agent.off('state', onState);
      resolve();
    };
    const timer = setTimeout(() => {
      agent.off('state', onState);
      reject(new Error(`agent stayed "${agent.state}" instead of "${state}" for ${timeoutMs} ms (last error: ${agent.lastError?.code ?? '-'} ${agent.lastError?.message ?? ''})`));
    }, timeoutMs);
    agent.on('state', onState);
  });
}

/**
 * A plain TCP relay between two loopback ports that records every byte going upstream (towards
 * `to`), and can cut all its connections at once — the network dropping under a live session.
 */
export interface TcpTap {
  port: number;
  /** Bytes the connecting side sent, in arrival order, over all connections. */
  upstream(): Buffer;
  /** Connections accepted so far. */
  accepted: number;
  /** Connections open now. */
  open(): number;
  /** Resets both sides of every open connection. */
  cut(): void;
  /** While on, new connections are closed at once (the relay unreachable for new connections only). */
  refuse(on: boolean): void;
}

export class RelayFixtures {
  private readonly dirs: Array<() => void> = [];
  private readonly relays = new Set<RelayServer>();
  private readonly agents = new Set<RelayAgent>();
  private readonly taps = new Set<{ server: Server; sockets: Set<Socket> }>();
  readonly logs: string[] = [];
  private identityCache: RelayIdentity | undefined;

  dir(): string {
    const t = tempDir('porthole-relay-');
    this.dirs.push(t.cleanup);
    return t.dir;
  }

  /** The fixture's relay identity (made once), or with `fresh` another one (a relay that got a new certificate). */
  async identity(fresh = false): Promise<RelayIdentity> {
    if (!fresh && this.identityCache) return this.identityCache;
    const id = await loadOrCreateRelayIdentity(this.dir());
    if (!fresh) this.identityCache = id;
    return id;
  }

  /** A pin store in a temp dir (share one between agents to model one machine's known_relays). */
  pins(): RelayPins {
    return new RelayPins(join(this.dir(), 'known_relays'));
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
      pins: this.pins(),
      backoff: { initialMs: 100, maxMs: 500 },
      log: (level, m) => this.logs.push(`agent ${level}: ${m}`),
      ...o,
    });
    this.agents.add(agent);
    agent.start();
    return agent;
  }

  /** `localAddress`: the tap dials from it (127.0.0.2…: the relay sees another source address). */
  async tap(to: { host: string; port: number }, opts: { localAddress?: string } = {}): Promise<TcpTap> {
    const chunks: Buffer[] = [];
    const sockets = new Set<Socket>();
    const track = (s: Socket) => {
      sockets.add(s);
      s.on('error', () => undefined);
      s.once('close', () => sockets.delete(s));
    };
    const pairs = new Set<[Socket, Socket]>();
    const state = { accepted: 0, refusing: false };
    const server = createServer((inbound) => {
      if (state.refusing) return void inbound.destroy();
      state.accepted++;
      const outbound = netConnect({ ...to, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
      track(inbound);
      track(outbound);
      const pair: [Socket, Socket] = [inbound, outbound];
      pairs.add(pair);
      inbound.on('data', (d: Buffer) => chunks.push(Buffer.from(d)));
      inbound.pipe(outbound);
      outbound.pipe(inbound);
      const drop = () => {
        pairs.delete(pair);
        inbound.destroy();
        outbound.destroy();
      };
      inbound.once('close', drop);
      outbound.once('close', drop);
    });
    const entry = { server, sockets };
    this.taps.add(entry);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      port: (server.address() as { port: number }).port,
      upstream: () => Buffer.concat(chunks),
      get accepted() {
        return state.accepted;
      },
      open: () => pairs.size,
      refuse: (on: boolean) => {
        state.refusing = on;
      },
      cut: () => {
        for (const [a, b] of pairs) {
          a.resetAndDestroy();
          b.resetAndDestroy();
        }
      },
    };
  }

  async stopRelay(relay: RelayServer): Promise<void> {
    this.relays.delete(relay);
    await relay.stop();
  }

  async cleanup(): Promise<void> {
    await Promise.all([...this.agents].map((a) => a.close()));
    await Promise.all([...this.relays].map((r) => r.stop()));
    const closing: Array<Promise<void>> = [];
    for (const t of this.taps) {
      for (const s of t.sockets) {
        closing.push(new Promise((r) => (s.closed ? r() : s.once('close', () => r()))));
        s.destroy();
      }
      closing.push(new Promise((r) => t.server.close(() => r())));
    }
    await Promise.all(closing);
    this.agents.clear();
    this.relays.clear();
    this.taps.clear();
    this.logs.length = 0;
    for (const d of this.dirs.splice(0)) d();
  }
}
