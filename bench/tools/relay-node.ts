// One side of a Porthole relay in a process of its own, for the relay scenarios of `npm run bench`
// (bench/relay-scenarios.mjs bundles this file with vite, like the app's build, and runs the bundle):
//
//   relay-node.mjs relay DATA_DIR AGENT TOKEN
//       RelayServer on 127.0.0.1:0 with TLS (identity made in DATA_DIR on first use); AGENT may ask
//       for any port ≥ 1024. Prints {"ready":true,"port":N,"fingerprint":"AB:…","windows":{…}}; on
//       SIGUSR2 {"pool":{ready,outstanding,target,admitted,taken,missed,passed}} (null with no pool).
//   relay-node.mjs agent RELAY_PORT FINGERPRINT AGENT TOKEN PUBLIC:TARGET[,PUBLIC:TARGET…]
//       RelayAgent pinned to FINGERPRINT, one TCP exposure per pair (relay port PUBLIC → 127.0.0.1:
//       TARGET). Prints {"ready":true,"bound":[PUBLIC,…],"windows":{…}} once every exposure is bound.
//   With data connections (the default) the relay hands out connections from the agent's pool; the
//   bench's first pass through each relay lets the pool fill before anything is measured.
//
// Both stop on SIGTERM (agent.close() / relay.stop(), then exit). Log lines go to stderr. The HTTP/2
// window constants come from h2-windows.ts; the bench's bundle step can let PORTHOLE_BENCH_* env vars
// replace them (see windowsFromEnv in bench/relay-scenarios.mjs), and `windows` shows what was used.
import { tuneGcForDataPlane } from '../../src-main/relay/gc-policy';
import { MAX_FRAME, SESSION_WINDOW, STREAM_WINDOW } from '../../src-main/relay/h2-windows';
import { RelayAgent } from '../../src-main/relay/relay-agent';
import { loadOrCreateRelayIdentity } from '../../src-main/relay/relay-identity';
import { RelayServer } from '../../src-main/relay/relay-server';

const windows = { stream: STREAM_WINDOW, session: SESSION_WINDOW, frame: MAX_FRAME };
// PORTHOLE_BENCH_PLAIN=1 (both sides): plain TCP instead of TLS, to show what TLS costs.
const tls = process.env.PORTHOLE_BENCH_PLAIN !== '1';
// PORTHOLE_BENCH_POOL=0 (both sides): no data connections, every public connection on an HTTP/2 stream
// (what releases before data connections did).
const pool = process.env.PORTHOLE_BENCH_POOL !== '0';
const say = (obj: object) => process.stdout.write(`${JSON.stringify(obj)}\n`);
const log = (level: string, message: string) => process.stderr.write(`${new Date().toISOString()} ${level} ${message}\n`);
const die = (message: string): never => {
  log('error', message);
  process.exit(1);
};

function onStop(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    // A stuck close must not keep the bench waiting: it kills the group after its grace period anyway.
    setTimeout(() => process.exit(0), 1500).unref();
    void stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

async function runRelay(args: string[]): Promise<void> {
  const [dir, agent, token] = args;
  if (!dir || !agent || !token) die('usage: relay DATA_DIR AGENT TOKEN');
  const identity = await loadOrCreateRelayIdentity(dir!);
  const relay = new RelayServer({
    policy: { bind: { host: '127.0.0.1', port: 0 }, tls, agents: [{ name: agent!, token: token!, ports: [], allowPorts: [{ from: 1024, to: 65535 }] }] },
    identity,
    log,
    ...(pool ? {} : { dataConnections: false as const }),
  });
  const { port } = await relay.start();
  onStop(() => relay.stop());
  // SIGUSR2: the agent's data-connection pool counters, so the bench can say which path connections took.
  process.on('SIGUSR2', () => say({ pool: relay.dataPool(agent!) ?? null }));
  say({ ready: true, port, fingerprint: identity.fingerprint, windows, tls, pool });
}

function runAgent(args: string[]): void {
  const [relayPort, fingerprint, agentName, token, pairs] = args;
  if (!relayPort || !fingerprint || !agentName || !token || !pairs) die('usage: agent RELAY_PORT FINGERPRINT AGENT TOKEN PUBLIC:TARGET[,…]');
  const agent = new RelayAgent({
    relay: { host: '127.0.0.1', port: Number(relayPort) },
    agent: agentName!,
    token: token!,
    fingerprint: fingerprint!,
    tls,
    software: 'porthole bench',
    log,
    dataConnections: pool,
  });
  onStop(() => agent.close());
  agent.on('state', (s) => {
    if (s === 'failed') die(`agent failed: ${agent.lastError?.message ?? 'unknown error'}`);
  });
  const bound: number[] = [];
  const wanted = pairs!.split(',').map((p) => p.split(':').map(Number) as [number, number]);
  for (const [pub, target] of wanted) {
    const e = agent.expose({ ref: `bench-${pub}`, protocol: 'tcp', kind: 'tcp', remotePort: pub, target: { host: '127.0.0.1', port: target } });
    e.once('failed', (err) => die(`exposure of relay port ${pub}: ${err.message}`));
    e.once('bound', (info) => {
      bound.push(info.publicPort);
      if (bound.length === wanted.length) say({ ready: true, bound, windows, tls, pool });
    });
  }
  agent.start();
}

// As `porthole relay` and `porthole agent` do (gc-policy.ts); PORTHOLE_BENCH_GC=default leaves V8 as it is.
if (process.env.PORTHOLE_BENCH_GC !== 'default') tuneGcForDataPlane();
const [role, ...rest] = process.argv.slice(2);
if (role === 'relay') await runRelay(rest);
else if (role === 'agent') runAgent(rest);
else die('usage: relay-node.mjs relay|agent …');
