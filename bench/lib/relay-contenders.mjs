// The relay scenarios' contenders (bench/relay-scenarios.mjs): the variants of Porthole's relay and the
// references that are not Porthole, and how each is started — a relay process and an agent process from
// the bundle of bench/tools/relay-node.ts (bench/lib/relay-bundle.mjs), or a reference tunnel.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { TOOLS } from './config.mjs';
import { descendants, fileHas, freeTcpPort, getTmpDir, isBound, logPath, spawnProc, stopProc, waitFor } from './procs.mjs';
import { BUNDLE } from './relay-bundle.mjs';

/**
 * Contenders run next to the shipped relay in both 1-stream throughput scenarios (and, with streams8, the
 * 8-stream one): the pool off (`pool: false`, also in the round trip, connections/s and idle scenarios:
 * `main`), TLS off (plain TCP), other HTTP/2 windows with the pool off (both sides alike; the shipped
 * ones are STREAM_WINDOW etc. of h2-windows.ts), and the two references.
 */
export const VARIANTS = [
  { id: 'relay-h2', label: 'pool off: every connection on an HTTP/2 stream, TLS (PORTHOLE_BENCH_POOL=0; releases before data connections)', pool: false, streams8: true, main: true },
  // The A/A control: how far apart two equal contenders land in the same run (two pool-off pairs made
  // 801 against 740 serial connections/s by hand, run 15's day), printed beside the pool on/off ratios.
  { id: 'relay-h2-twin', label: 'pool off again: a second pair identical to "pool off", in the connections/s scenarios only (the A/A control)', pool: false, cpsOnly: true },
  { id: 'relay-plain', label: 'TLS off (plain TCP, PORTHOLE_BENCH_PLAIN=1), pool on', plain: true, streams8: true },
  { id: 'relay-plain-h2', label: 'TLS off, pool off', plain: true, pool: false },
  { id: 'relay-h2default', label: 'pool off, HTTP/2 defaults: 64 KiB stream, 64 KiB session, 16 KiB frames', pool: false, windows: { STREAM_WINDOW: 65_535, SESSION_WINDOW: 65_535, MAX_FRAME: 16_384 } },
  {
    id: 'relay-v8gc',
    label: "as shipped but with V8's default garbage collection (PORTHOLE_BENCH_GC=default: incremental marking on, as in the desktop app and `porthole run`, which do not set gc-policy.ts)",
    gc: 'default',
  },
  {
    id: 'ref-tls-pipe',
    label: 'reference, not Porthole: one TLS connection per public connection joined with pipe(), two Node processes that load nothing else (bench/tools/tls-pipe-tunnel.mjs: no pool, tickets, meters or logs)',
    ref: 'tls-pipe',
    streams8: true,
    rtt: true,
  },
  {
    id: 'ref-h2',
    label: 'reference, not Porthole: the smallest TLS + node:http2 tunnel, two processes, shipped windows (bench/tools/h2-tunnel.mjs: no handshake, policy, meters or logs)',
    ref: 'h2',
    streams8: true,
  },
  {
    id: 'ref-socat-tls',
    label: 'reference, not Porthole: socat pair over TLS (C, OpenSSL), one TLS connection per public connection (no multiplexing), 256 KiB buffers',
    ref: 'socat',
    streams8: true,
    // The same shape in C: what a round trip through two TLS hops comes to without Node.
    rtt: true,
  },
];

// ---------------------------------------------------------------------------------------------------
// Relay + agent processes

const readyLine = (file) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{"ready":true'))
    .map((l) => JSON.parse(l))[0];

/**
 * A relay process and an agent process exposing each { pub, target } pair. `windows`, `plain` and `pool`
 * (see VARIANTS) apply to both sides, cpuProfDir runs both under node --cpu-prof, `bundle` is another
 * build of relay-node.mjs (A/B runs); the ready lines report what each side really used. poolStats()
 * asks the relay for its pool counters ({ taken, missed, … }, or null with the pool off).
 */
export async function startRelayPair(name, pairs, { windows, plain = false, pool = true, gc, cpuProfDir, bundle = BUNDLE } = {}) {
  const env = {
    ...(gc ? { PORTHOLE_BENCH_GC: gc } : {}),
    ...(windows ? Object.fromEntries(Object.entries(windows).map(([k, v]) => [`PORTHOLE_BENCH_${k}`, String(v)])) : {}),
    ...(plain ? { PORTHOLE_BENCH_PLAIN: '1' } : {}),
    ...(pool ? {} : { PORTHOLE_BENCH_POOL: '0' }),
  };
  const prof = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [];
  const token = randomBytes(16).toString('hex');
  const relayLog = logPath(`${name}-relay`);
  // One identity dir for every relay: made by the first, loaded by the others.
  const relay = spawnProc(`${name}-relay`, process.execPath, [...prof, bundle, 'relay', path.join(getTmpDir(), 'relay-identity'), 'bench', token], { logFile: relayLog, env });
  await waitFor(`${name} relay`, () => fileHas(relayLog, /^\{"ready":true/m), relay, 15_000);
  const r = readyLine(relayLog);
  const agentLog = logPath(`${name}-agent`);
  const agent = spawnProc(
    `${name}-agent`,
    process.execPath,
    [...prof, bundle, 'agent', String(r.port), r.fingerprint, 'bench', token, pairs.map((p) => `${p.pub}:${p.target}`).join(',')],
    { logFile: agentLog, env },
  );
  await waitFor(`${name} agent`, () => fileHas(agentLog, /^\{"ready":true/m) && pairs.every((p) => isBound(p.pub, 'tcp')), agent, 15_000);
  const a = readyLine(agentLog);
  if (r.tls === plain || a.tls === plain) throw new Error(`${name}: TLS is ${r.tls ? 'on' : 'off'} on the relay and ${a.tls ? 'on' : 'off'} on the agent, not ${plain ? 'off' : 'on'}`);
  if (r.pool !== pool || a.pool !== pool) throw new Error(`${name}: the pool is ${r.pool ? 'on' : 'off'} on the relay and ${a.pool ? 'on' : 'off'} on the agent, not ${pool ? 'on' : 'off'}`);
  if (windows) {
    for (const [side, used] of [
      ['relay', r.windows],
      ['agent', a.windows],
    ]) {
      const want = { stream: windows.STREAM_WINDOW, session: windows.SESSION_WINDOW, frame: windows.MAX_FRAME };
      if (JSON.stringify(used) !== JSON.stringify(want)) throw new Error(`${name}: the ${side} used windows ${JSON.stringify(used)}, not ${JSON.stringify(want)}`);
    }
  }
  return {
    relay,
    agent,
    port: r.port,
    windows: r.windows,
    poolStats: () => poolStats(relay, relayLog),
    stop: async () => {
      await stopProc(agent, 3000);
      await stopProc(relay, 3000);
    },
  };
}

/** Public connections that went on HTTP/2 streams by the pool's counters: it was empty (missed), or the port was in a burst of short ones (passed; absent from builds before ShortBurst). */
export const onStreams = (pool) => pool.missed + (pool.passed ?? 0);

/** The relay's pool counters: SIGUSR2, then the {"pool":…} line it prints (null: no pool; undefined: no answer). */
async function poolStats(relay, file) {
  const lines = () => readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{"pool":'));
  const before = lines().length;
  try {
    process.kill(relay.child.pid, 'SIGUSR2');
    await waitFor('pool counters', () => lines().length > before, relay, 3000);
    return JSON.parse(lines().at(-1)).pool;
  } catch {
    return undefined;
  }
}

/**
 * A reference tunnel that is not Porthole (VARIANTS with `ref`), relay side → agent side → target, with
 * the relay identity's certificate; returns the public port and the pids of each side (socat forks a
 * child per connection, so those are read again when the CPU is sampled).
 */
export async function startReference(v, target, shipped) {
  const dir = path.join(getTmpDir(), 'relay-identity');
  const cert = path.join(dir, 'relay-cert.pem');
  const key = path.join(dir, 'relay-key.pem');
  const pub = await freeTcpPort();
  const tree = (entry) => () => [entry.child.pid, ...descendants(entry.child.pid)];
  if (v.ref === 'socat') {
    const mid = await freeTcpPort();
    const agent = spawnProc(`${v.id}-agent`, 'socat', ['-b', '262144', `OPENSSL-LISTEN:${mid},bind=127.0.0.1,reuseaddr,fork,cert=${cert},key=${key},verify=0`, `TCP:127.0.0.1:${target}`], { logFile: logPath(`${v.id}-agent`), tree: true });
    await waitFor(`${v.id} agent`, () => isBound(mid, 'tcp'), agent);
    const relay = spawnProc(`${v.id}-relay`, 'socat', ['-b', '262144', `TCP-LISTEN:${pub},bind=127.0.0.1,reuseaddr,fork`, `OPENSSL:127.0.0.1:${mid},verify=0`], { logFile: logPath(`${v.id}-relay`), tree: true });
    await waitFor(`${v.id} relay`, () => isBound(pub, 'tcp'), relay);
    return {
      pub,
      cpu: { pub: tree(relay), agent: tree(agent) },
      stop: stopBoth(relay, agent),
    };
  }
  // h2-tlsN: the h2 tunnel whose relay side carries its first N public connections on TLS connections of their own.
  const tlsFirst = /^h2-tls(\d+)$/.exec(v.ref)?.[1];
  const env = { PORTHOLE_BENCH_STREAM_WINDOW: String(shipped.stream), PORTHOLE_BENCH_SESSION_WINDOW: String(shipped.session), PORTHOLE_BENCH_MAX_FRAME: String(shipped.frame), ...(tlsFirst ? { PORTHOLE_BENCH_TLS_FIRST: tlsFirst } : {}) };
  const tool = path.join(TOOLS, v.ref === 'tls-pipe' ? 'tls-pipe-tunnel.mjs' : 'h2-tunnel.mjs');
  const agentLog = logPath(`${v.id}-agent`);
  const agent = spawnProc(`${v.id}-agent`, process.execPath, [tool, 'agent', cert, key, String(target)], { logFile: agentLog, env });
  await waitFor(`${v.id} agent`, () => fileHas(agentLog, /^\{"ready":true/m), agent, 15_000);
  const relay = spawnProc(`${v.id}-relay`, process.execPath, [tool, 'relay', String(readyLine(agentLog).port), String(pub)], { logFile: logPath(`${v.id}-relay`), env });
  await waitFor(`${v.id} relay`, () => isBound(pub, 'tcp'), relay, 15_000);
  return {
    pub,
    cpu: { pub: [relay.child.pid], agent: [agent.child.pid] },
    stop: stopBoth(relay, agent),
  };
}

/** Stops a reference's two sides, relay first. */
const stopBoth = (relay, agent) => async () => {
  await stopProc(relay, 3000);
  await stopProc(agent, 3000);
};

export const hasSocat = () => spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;

/** The TLS version and cipher suite an agent gets from the relay (a probe connection, then dropped). */
export function tlsCipher(port) {
  return new Promise((resolve) => {
    const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: ['porthole-relay/1'] }, () => {
      resolve(`${s.getProtocol()} ${s.getCipher().standardName ?? s.getCipher().name}`);
      s.destroy();
    });
    s.once('error', (err) => resolve(`unknown (${err.message})`));
  });
}
