// TCP throughput scenarios of `npm run bench`: what users run, both directions, 1, 4 and 128 streams.
//
//   tput1, tput4, tput128, tput1R, tput4R, tput128R   iperf3 -P 1, 4, 128 (128: iperf3's most; many bulk
//        connections at once, where the data plane's shared read pool must not run dry) (R: -R, target → client) through: direct (no forwarder, for
//        scale) | porthole forward (the CLI) | porthole run with 200 other rules loaded | the engine
//        alone (a process that loads nothing but the forwarder: the reference) | socat | haproxy.
//        Every forwarder's CPU time is sampled from /proc: CPU-s/GB, the figure that stays stable on
//        a busy machine. Porthole's processes run under node --trace-gc to count the
//        data plane's full GCs (bench/lib/trace-gc.mjs).
//   gc (BENCH_ONLY id `gc`, part of the default run)   one long transfer per direction (10 s, --quick
//        3 s) through porthole forward, porthole run and the engine alone: full GCs in the isolate
//        that moves the bytes, CPU-s/GB. Target: none.
//   isolate (only when asked: BENCH_ONLY=isolate)   how the data plane was chosen: the same forwarder
//        hosted in a control process that loaded the CLI's modules — on its main thread (the state
//        before the data plane), in a worker thread, in a child process — and the engine alone, socat.
//        BENCH_ISOLATE_READS=alloc: with accepted sockets reading a fresh buffer per read (see
//        bench/lib/engine-bundle.mjs), the allocation pattern the isolation is meant to survive.
//
// Every process is spawned through bench/lib/procs.mjs; the tables come from bench/lib/tcp-report.mjs.
import { CFG, ONLY, QUICK, enabled, envNum } from './lib/config.mjs';
import { startHaproxy, startPorthole, startSocat } from './lib/contenders.mjs';
import { ENGINE_BUNDLE, READS, WORKER_BUNDLE, bundleEngineForward } from './lib/engine-bundle.mjs';
import { iperf } from './lib/measure.mjs';
import { descendants, fileHas, freeTcpPort, isBound, log, logPath, spawnProc, waitFor } from './lib/procs.mjs';
import { RUN_OTHER_RULES, startPortholeRun } from './lib/porthole-run.mjs';
import { CLK_TCK, cpuTicks } from './lib/cpu.mjs';
import { busiestIsolateDelta, traceGcCounts } from './lib/trace-gc.mjs';
import { tcpReport } from './lib/tcp-report.mjs';

export const TCP = {
  otherRules: RUN_OTHER_RULES,
  gcSeconds: envNum('BENCH_GC_SECONDS', QUICK ? 3 : 10),
};

// Porthole's processes run under node --trace-gc: the GC counts come from its lines (trace-gc.mjs).
const TRACE_ARGS = ['--trace-gc'];

/** `porthole run --profile` with `others` idle tcp-forward rules besides the measured one. */
async function startRunForward(name, listenPort, targetPort, others) {
  const measured = { type: 'tcp-forward', name: 'measured', enabled: true, listen: { host: '127.0.0.1', port: listenPort }, target: { host: '127.0.0.1', port: targetPort } };
  const entry = await startPortholeRun(name, { rules: [measured], others, idleTarget: targetPort, nodeArgs: TRACE_ARGS });
  if (!fileHas(entry.logFile, new RegExp(`Listening on 127\\.0\\.0\\.1:${listenPort}\\b`))) throw new Error(`${name}: the measured rule is not listening (see ${entry.logFile})`);
  return entry;
}

/** The engine bundle (bench/tools/engine-forward.ts) hosted one way or another. */
async function startEngine(name, listenPort, targetPort, hostArgs) {
  const file = logPath(name);
  const entry = spawnProc(name, process.execPath, [...TRACE_ARGS, ENGINE_BUNDLE, String(listenPort), String(targetPort), ...hostArgs], { logFile: file });
  entry.logFile = file;
  await waitFor(name, () => fileHas(file, /"ready":true/), entry, 30_000);
  return entry;
}

/**
 * One measured run: the forwarder's CPU time (every thread, and child processes for the hosts that
 * have them) and, for the processes run under --trace-gc, the collections of the isolate that moved
 * the bytes, around fn().
 */
async function measured(entry, fn, { tree = false } = {}) {
  const pids = () => (entry ? [entry.child.pid, ...(tree ? descendants(entry.child.pid) : [])] : []);
  const startPids = pids();
  const ticksOf = (p) => {
    const t = cpuTicks(p);
    return t.user + t.sys;
  };
  const before = new Map(startPids.map((p) => [p, ticksOf(p)]));
  const gc0 = entry?.logFile ? traceGcCounts(entry.logFile) : undefined;
  const res = await fn();
  if (!entry || res.error) return res;
  let ticks = 0;
  for (const p of new Set([...startPids, ...pids()])) ticks += ticksOf(p) - (before.get(p) ?? 0);
  const cpuSec = ticks / CLK_TCK;
  res.cpuSec = Math.round(cpuSec * 100) / 100;
  if (res.bytes > 0) res.cpuSecPerGB = Math.round((cpuSec / (res.bytes / 1e9)) * 1000) / 1000;
  if (gc0) {
    // No collection at all while gigabytes moved means the lines were not seen (no --trace-gc, a log
    // elsewhere): "not measured", never a 0 that would pass the target.
    const d = busiestIsolateDelta(gc0, traceGcCounts(entry.logFile));
    if (d.isolate !== undefined) {
      res.fullGcs = d.major;
      res.minorGcs = d.minor;
    }
  }
  return res;
}

/** Starts what the TCP scenarios share; returns { scenarios, report(M, get), facts }. */
export async function setupTcp() {
  await bundleEngineForward();
  const t = await freeTcpPort();
  const iperfSrv = spawnProc('iperf3-server', 'iperf3', ['-s', '-p', String(t), '-B', '127.0.0.1'], { logFile: logPath('iperf3-server') });
  await waitFor('iperf3 server', () => isBound(t, 'tcp'), iperfSrv);
  const ports = { direct: t };
  const entries = {};
  const want = { tput: enabled('tput'), gc: enabled('gc'), isolate: ONLY?.has('isolate') ?? false };
  if (want.tput || want.gc) {
    ports.porthole = await freeTcpPort();
    entries.porthole = await startPorthole('porthole-tput', ports.porthole, t, { nodeArgs: TRACE_ARGS });
    ports['porthole-run'] = await freeTcpPort();
    log(`bench: starting porthole run with ${TCP.otherRules} other rules…`);
    entries['porthole-run'] = await startRunForward('porthole-run-tput', ports['porthole-run'], t, TCP.otherRules);
    ports.engine = await freeTcpPort();
    entries.engine = await startEngine('engine-alone', ports.engine, t, ['inproc']);
  }
  if (want.tput || want.isolate) {
    ports.socat = await freeTcpPort();
    entries.socat = await startSocat('socat-tput', ports.socat, t);
  }
  if (want.tput) {
    ports.haproxy = await freeTcpPort();
    entries.haproxy = await startHaproxy('haproxy-tput', ports.haproxy, t);
  }
  const ISO = ['inproc-loaded', 'worker-loaded', 'child-loaded', 'engine', 'socat'];
  if (want.isolate) {
    const hosts = {
      'inproc-loaded': ['inproc', '--load-control'],
      'worker-loaded': ['worker', '--load-control', '--worker', WORKER_BUNDLE],
      'child-loaded': ['child', '--load-control', '--worker', WORKER_BUNDLE],
    };
    for (const [c, args] of Object.entries(hosts)) {
      ports[c] = await freeTcpPort();
      entries[c] = await startEngine(`iso-${c}`, ports[c], t, args);
    }
    if (!entries.engine) {
      ports.engine = await freeTcpPort();
      entries.engine = await startEngine('engine-alone', ports.engine, t, ['inproc']);
    }
  }

  const TPUT = ['direct', 'porthole', 'porthole-run', 'engine', 'socat', 'haproxy'];
  const tree = (c) => c === 'socat' || c === 'child-loaded';
  const run = (c, streams, extra, seconds) => measured(entries[c], () => iperf(ports[c], streams, extra, seconds), { tree: tree(c) });
  const scenarios = [];
  if (want.tput) {
    for (const [id, streams, extra] of [['tput1', 1, []], ['tput1R', 1, ['-R']], ['tput4', 4, []], ['tput4R', 4, ['-R']], ['tput128', 128, []], ['tput128R', 128, ['-R']]]) {
      scenarios.push({ id, contenders: TPUT, run: (c) => run(c, streams, extra) });
    }
  }
  if (want.gc) {
    for (const [id, extra] of [['gcF', []], ['gcR', ['-R']]]) {
      scenarios.push({ id, contenders: ['porthole', 'porthole-run', 'engine'], rounds: 1, run: (c) => run(c, 1, extra, TCP.gcSeconds) });
    }
  }
  if (want.isolate) {
    for (const [id, extra] of [['isoF', []], ['isoR', ['-R']]]) {
      scenarios.push({ id, contenders: ISO, run: (c) => run(c, 1, extra, CFG.iperfSeconds) });
    }
  }
  const facts = { otherRules: TCP.otherRules, gcSeconds: TCP.gcSeconds, iperfSeconds: CFG.iperfSeconds, isolateReads: READS };
  return { scenarios, facts, report: (M, get) => tcpReport(M, get, facts) };
}
