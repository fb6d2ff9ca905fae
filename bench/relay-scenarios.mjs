// Relay scenarios of `npm run bench` (id `relay`: `npm run bench -- relay` or BENCH_ONLY=relay): a public
// port on Porthole's relay (RelayServer) carried to an agent (RelayAgent) that dials the target — on a
// data connection of its own from the agent's pool (data-protocol.ts), or on an HTTP/2 stream when the
// pool is empty or off — against OpenSSH `ssh -R` to a throwaway sshd on the same machine (sshd holds the
// public port, the ssh client dials the target), two references that are not Porthole (the bare TLS +
// node:http2 tunnel, socat over TLS) and the target directly.
//
//   relayTput1, relayTput1R   iperf3, 1 stream: client → target, and target → client (-R), every contender
//   relayTput8                iperf3 -P 8: 8 connections through one relay session / one SSH session
//   relayRtt                  64 B ping-pong over one established connection (bench/tools/pingpong.mjs)
//   relayCps1, relayCps32     open → 1 B echo → close, serial and 32 concurrent (bench/tools/connrate.mjs)
//   relayIdle                 RSS of each side with N idle tunnelled connections, fresh processes per round
//
// "cli-agent" and "cli-run" are the relay as users run it (bench/lib/relay-cli.mjs): `porthole relay` +
// `porthole agent`, and `porthole relay` + the agent inside `porthole run` with 200 other rules, the built
// CLI on both sides (throughput both ways, round trip, connections/s, idle; full GCs of each process);
// "cli-run-h2" is cli-run with the relay's data connections off, in the connections/s scenarios only.
// "relay" is what ships (TLS, data connections); "relay-h2" the same with the pool off (every connection
// on an HTTP/2 stream: what releases before data connections did, the baseline for connections/s);
// "relay-h2-twin" is a second, identical pool-off pair in the connections/s scenarios only, the A/A
// control: the report prints how far apart it and "relay-h2" land, the spread those ratios carry. The
// other VARIANTS turn TLS off and change the HTTP/2 windows (BENCH_RELAY_VARIANTS=0 leaves them out).
// For the others the relay and the agent run in lean processes of their own (the engine alone, the
// reference for what the CLI adds): bench/tools/relay-node.ts, which imports src-main/relay, bundled
// with vite (the app's build tool) by bench/lib/relay-bundle.mjs. The bundle step also lets
// PORTHOLE_BENCH_STREAM_WINDOW / _SESSION_WINDOW / _MAX_FRAME replace the HTTP/2 window constants of
// h2-windows.ts. CPU time of each side is sampled from /proc during every run, to
// say what bounds it; the relay reports on SIGUSR2 how many connections took the pool and how many the
// HTTP/2 fallback.
//
// BENCH_RELAY_ROUNDS (default: BENCH_ROUNDS, 5), BENCH_RELAY_CPS_ROUNDS (connections/s: 11, or the relay's
// rounds if more), BENCH_RELAY_IPERF_SECONDS (2), BENCH_RELAY_IDLE (1000)
// tune it; BENCH_RELAY_CPU_PROF=DIR runs the main relay and agent under node --cpu-prof.
// Every process is spawned through bench/lib/procs.mjs (killed by group; sshd also by process tree). The
// contenders (VARIANTS) and how each starts are in bench/lib/relay-contenders.mjs, the idle rounds in
// bench/lib/relay-idle.mjs, the report in bench/lib/relay-report.mjs; this file sets up and lists the scenarios.
import os from 'node:os';
import path from 'node:path';
import { CFG, QUICK, envNum } from './lib/config.mjs';
import { startNodeServer } from './lib/contenders.mjs';
import { withCpu } from './lib/cpu.mjs';
import { iperf, warmConnectionPath } from './lib/measure.mjs';
import { bundleRelayNode } from './lib/relay-bundle.mjs';
import { CLI_CONTENDERS, startCliPair } from './lib/relay-cli.mjs';
import { fullGcCount } from './lib/trace-gc.mjs';
import { hasSocat, onStreams, startReference, startRelayPair, tlsCipher, VARIANTS } from './lib/relay-contenders.mjs';
import { idleRound } from './lib/relay-idle.mjs';
import { freeTcpPort, getTmpDir, isBound, log, logPath, runCmd, runTool, spawnProc, waitFor } from './lib/procs.mjs';
import { relayReport } from './lib/relay-report.mjs';
import { opensshCipher, opensshMissing, startSshR, startSshd } from './lib/sshd.mjs';

// 5 (not 3): with 3, target → client against ssh -R moved across the 1.10× line from run to run.
const ROUNDS = envNum('BENCH_RELAY_ROUNDS', CFG.rounds);
const RELAY = {
  rounds: ROUNDS,
  iperfSeconds: envNum('BENCH_RELAY_IPERF_SECONDS', QUICK ? 1 : 2),
  idleConnections: envNum('BENCH_RELAY_IDLE', 1000),
  pingCount: QUICK ? 2000 : 3000,
  pingWarmup: QUICK ? 200 : 500,
  pingSize: 64,
  // 2 s a run: the pool-on and pool-off rates differ by a few %, 1 s runs varied by ±15 % on shared cores.
  cpsSeconds: QUICK ? 1 : 2,
  // More rounds than the rest: the connection-rate targets compare contenders that take the same path
  // for all but a few connections (pool on and off), and one contender's rate moved 131–495/s between
  // 5 rounds of one busy run (run 14); the median of 11 moves less. A round of both is ~40 s.
  cpsRounds: envNum('BENCH_RELAY_CPS_ROUNDS', QUICK ? ROUNDS : Math.max(11, ROUNDS)),
  cpsConcurrency: 32,
  withVariants: process.env.BENCH_RELAY_VARIANTS !== '0',
  cpuProfDir: process.env.BENCH_RELAY_CPU_PROF || undefined,
};

// ---------------------------------------------------------------------------------------------------

/** Starts everything the relay scenarios share; returns { scenarios, report(M, get), facts } or { skipped }. */
export async function setupRelay() {
  log('bench: relay — bundling bench/tools/relay-node.ts (vite)…');
  let bundle;
  try {
    bundle = await bundleRelayNode();
  } catch (err) {
    return { skipped: `the relay code did not build (${err.message.split('\n')[0]})` };
  }
  const variants = RELAY.withVariants ? VARIANTS.filter((v) => (!v.windows || bundle.windowsFromEnv) && (v.ref !== 'socat' || hasSocat())) : [];
  const noVariants = !RELAY.withVariants
    ? 'left out (BENCH_RELAY_VARIANTS=0)'
    : bundle.windowsFromEnv
      ? undefined
      : 'window variants unavailable: h2-windows.ts no longer declares STREAM_WINDOW, SESSION_WINDOW and MAX_FRAME as the bundle step expects';
  const sshMissing = opensshMissing();
  const sshd = sshMissing ? undefined : await startSshd(path.join(getTmpDir(), 'sshd-relay'));

  const iperfPort = await freeTcpPort();
  const iperfSrv = spawnProc('iperf3-server-relay', 'iperf3', ['-s', '-p', String(iperfPort), '-B', '127.0.0.1'], { logFile: logPath('iperf3-server-relay') });
  await waitFor('iperf3 server (relay)', () => isBound(iperfPort, 'tcp'), iperfSrv);
  const echoPort = await freeTcpPort();
  const echo = { port: echoPort, entry: await startNodeServer('tcp-echo-relay', 'tcp-echo.mjs', echoPort, { ipc: true }) };

  // Public ports per contender: one for iperf3, one for the echo server.
  const ports = { direct: { iperf: iperfPort, echo: echoPort } };
  const cpu = { direct: {} };
  ports.relay = { iperf: await freeTcpPort(), echo: await freeTcpPort() };
  const main = await startRelayPair(
    'relay',
    [
      { pub: ports.relay.iperf, target: iperfPort },
      { pub: ports.relay.echo, target: echoPort },
    ],
    { cpuProfDir: RELAY.cpuProfDir },
  );
  cpu.relay = { pub: [main.relay.child.pid], agent: [main.agent.child.pid] };
  const pairs = { relay: main };
  for (const v of variants) {
    if (v.ref) {
      const r = await startReference(v, iperfPort, main.windows);
      ports[v.id] = { iperf: r.pub };
      cpu[v.id] = r.cpu;
      // The transport of data connections with nothing else: what the round trip can come down to in Node.
      if (v.rtt) ports[v.id].echo = (await startReference(v, echoPort, main.windows)).pub;
      continue;
    }
    const echoToo = v.main || v.cpsOnly;
    ports[v.id] = { iperf: await freeTcpPort(), ...(echoToo ? { echo: await freeTcpPort() } : {}) };
    const exposed = [{ pub: ports[v.id].iperf, target: iperfPort }, ...(echoToo ? [{ pub: ports[v.id].echo, target: echoPort }] : [])];
    const pair = await startRelayPair(v.id, exposed, { windows: v.windows, plain: v.plain, pool: v.pool !== false, gc: v.gc });
    pairs[v.id] = pair;
    cpu[v.id] = { pub: [pair.relay.child.pid], agent: [pair.agent.child.pid] };
  }
  // The relay as users run it: a contender that does not start is left out, saying why (facts.usersFailed).
  const users = [];
  const usersFailed = [];
  const gcLogs = {};
  for (const u of CLI_CONTENDERS) {
    ports[u.id] = { iperf: await freeTcpPort(), echo: await freeTcpPort() };
    try {
      const pair = await startCliPair(u.id, u.id, [
        { pub: ports[u.id].iperf, target: iperfPort },
        { pub: ports[u.id].echo, target: echoPort },
      ]);
      cpu[u.id] = { pub: [pair.relay.child.pid], agent: [pair.agent.child.pid] };
      gcLogs[u.id] = { pub: pair.relay.logFile, agent: pair.agent.logFile };
      users.push(u.id);
    } catch (err) {
      delete ports[u.id];
      usersFailed.push({ id: u.id, label: u.short, why: err.message });
      log(`bench: relay — "${u.short}" (${u.id}) is left out: it did not start: ${err.message}`);
    }
  }
  const tls = await tlsCipher(main.port);
  let sshCipher;
  if (sshd) {
    ports['ssh-R'] = { iperf: await freeTcpPort(), echo: await freeTcpPort() };
    const ssh = await startSshR('ssh-R', sshd, [
      { pub: ports['ssh-R'].iperf, target: iperfPort },
      { pub: ports['ssh-R'].echo, target: echoPort },
    ]);
    cpu['ssh-R'] = { pub: sshd.pids, agent: [ssh.child.pid] };
    sshCipher = await opensshCipher(sshd);
  }
  const ref = sshd ? ['ssh-R'] : [];
  const poolOff = variants.filter((v) => v.main).map((v) => v.id);
  const MAIN = ['direct', 'relay', ...poolOff, ...ref];
  // Contenders measured only for their connection rate (the HTTP/2-only relay as users run it).
  const cpsOnly = new Set(CLI_CONTENDERS.filter((u) => u.cpsOnly).map((u) => u.id));
  const usersMeasuredFully = users.filter((u) => !cpsOnly.has(u));
  const WITH_USERS = ['direct', 'relay', ...usersMeasuredFully, ...poolOff, ...ref];
  const twins = variants.filter((v) => v.cpsOnly).map((v) => v.id);
  const WITH_USERS_CPS = ['direct', 'relay', ...users, ...poolOff, ...twins, ...ref];
  const WITH_VARIANTS = [...WITH_USERS, ...variants.filter((v) => !v.main && !v.cpsOnly).map((v) => v.id)];
  log(`bench: relay — ${tls}; OpenSSH ${sshCipher ?? `not run: ${sshMissing}`}; variants ${variants.map((v) => v.id).join(', ') || 'none'}${noVariants ? ` (${noVariants})` : ''}`);

  // A short pass through every relay first, so no relay's first measured run pays for JIT warm-up.
  for (const c of WITH_VARIANTS.filter((x) => x !== 'direct' && x !== 'ssh-R')) await runCmd('iperf3', ['-c', '127.0.0.1', '-p', String(ports[c].iperf), '-t', '1', '--connect-timeout', '3000'], 20_000);
  await runTool('pingpong.mjs', [ports.relay.echo, 500, 100, RELAY.pingSize], 30_000);
  // And of connections (HTTP/2 streams, the pool, the service's per-connection hooks).
  for (const c of WITH_USERS_CPS.filter((x) => x !== 'direct' && x !== 'ssh-R')) await warmConnectionPath(ports[c].echo, RELAY.cpsConcurrency);

  // Full GCs of each side's process (every isolate) where it runs under --trace-gc: the CLI contenders.
  const measured = async (c, fn) => {
    const gc0 = gcLogs[c] && { pub: fullGcCount(gcLogs[c].pub), agent: fullGcCount(gcLogs[c].agent) };
    const r = await withCpu(cpu[c], fn);
    return gc0 ? { ...r, pubFullGcs: fullGcCount(gcLogs[c].pub) - gc0.pub, agentFullGcs: fullGcCount(gcLogs[c].agent) - gc0.agent } : r;
  };
  // CPU seconds both sides spend per GB carried: what a byte costs, whatever else the machine runs.
  const perGB = (r) => (r.gbps > 0 && r.pubCpuPct !== undefined ? { ...r, cpuSecPerGB: Math.round(((r.pubCpuPct + r.agentCpuPct) / 100 / (r.gbps / 8)) * 100) / 100 } : r);
  // With a pool: how many of the run's connections (iperf3's control connection included) took it.
  const paths = async (c, fn) => {
    const before = pairs[c] ? await pairs[c].poolStats() : undefined;
    const r = await fn();
    const after = before ? await pairs[c].poolStats() : undefined;
    return after ? { ...r, onDataConns: after.taken - before.taken, onStreams: onStreams(after) - onStreams(before) } : r;
  };
  const tput = (streams, extra = []) => async (c) => perGB(await paths(c, () => measured(c, () => iperf(ports[c].iperf, streams, extra, RELAY.iperfSeconds))));
  // CPU milliseconds both sides spend per connection (open, 1 B each way, close).
  const perConn = (r) => (r.rate > 0 && r.pubCpuPct !== undefined ? { ...r, cpuMsPerConn: Math.round(((r.pubCpuPct + r.agentCpuPct) / 100 / r.rate) * 1e5) / 100 } : r);
  const cps = (conc) => async (c) => perConn(await measured(c, () => runTool('connrate.mjs', [ports[c].echo, RELAY.cpsSeconds, conc], (RELAY.cpsSeconds + 20) * 1000)));
  const scenarios = [
    { id: 'relayTput1', contenders: WITH_VARIANTS, run: tput(1) },
    { id: 'relayTput1R', contenders: WITH_VARIANTS, run: tput(1, ['-R']) },
    { id: 'relayTput8', contenders: [...MAIN, ...variants.filter((v) => v.streams8 && !v.main).map((v) => v.id)], run: tput(8) },
    { id: 'relayRtt', contenders: [...WITH_USERS, ...variants.filter((v) => v.rtt).map((v) => v.id)], run: (c) => measured(c, () => runTool('pingpong.mjs', [ports[c].echo, RELAY.pingCount, RELAY.pingWarmup, RELAY.pingSize], 60_000)) },
    { id: 'relayCps1', contenders: WITH_USERS_CPS, run: cps(1), rounds: RELAY.cpsRounds },
    { id: `relayCps${RELAY.cpsConcurrency}`, contenders: WITH_USERS_CPS, run: cps(RELAY.cpsConcurrency), rounds: RELAY.cpsRounds },
    { id: 'relayIdle', contenders: ['relay', ...usersMeasuredFully, ...poolOff, ...ref], run: (c) => idleRound(c, echo, sshd, RELAY.idleConnections) },
  ].map((sc) => ({ rounds: RELAY.rounds, ...sc }));

  const facts = {
    cores: os.cpus().length,
    tls,
    opensshCipher: sshCipher,
    opensshMissing: sshMissing,
    windows: main.windows,
    variants,
    noVariants,
    poolOff: poolOff[0],
    twin: twins[0],
    users: CLI_CONTENDERS.filter((u) => users.includes(u.id)),
    usersFailed,
    ...RELAY,
  };
  return { scenarios, facts, report: (M, get) => relayReport(M, get, facts) };
}
