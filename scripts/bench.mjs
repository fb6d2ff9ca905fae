#!/usr/bin/env node
// `npm run bench`: Porthole's forwarding engine side by side with direct loopback, socat and haproxy.
//
// Every scenario runs every contender once per round, round-robin (the starting contender rotates each
// round), so drift in machine load hits all of them alike; the table shows medians over the rounds.
// All traffic stays on 127.0.0.1. Every process started here runs in its own process group and is
// killed at the end, on failure and on SIGINT/SIGTERM.
//
//   npm run bench                 5 rounds (BENCH_ROUNDS=N to change), ~5-6 min on 2 cores
//   npm run bench -- --quick      2 rounds, shorter runs (smoke test, ~1.5 min)
//   npm run bench -- --no-build   use the existing out/main/cli.js
//   BENCH_ONLY=tput,rtt,cps,idle,udp   run a subset of the scenarios
//
// Writes bench/results/latest.json (machine facts, every sample, medians, targets) and
// bench/results/latest.md (the table printed at the end).
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TOOLS = path.join(ROOT, 'bench', 'tools');
const RESULTS = path.join(ROOT, 'bench', 'results');
const CLI = path.join(ROOT, 'out', 'main', 'cli.js');

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const NO_BUILD = argv.includes('--no-build');
const envNum = (name, dflt) => (process.env[name] !== undefined && process.env[name] !== '' ? Number(process.env[name]) : dflt);
const CFG = {
  rounds: envNum('BENCH_ROUNDS', QUICK ? 2 : 5),
  iperfSeconds: envNum('BENCH_IPERF_SECONDS', QUICK ? 1 : 3),
  pingCount: QUICK ? 2000 : 5000,
  pingWarmup: QUICK ? 200 : 500,
  pingSize: 64,
  cpsSeconds: envNum('BENCH_CPS_SECONDS', QUICK ? 1 : 1.5),
  cpsConcurrency: 32,
  idleConnections: envNum('BENCH_IDLE_CONNECTIONS', 10_000),
  idleBatch: 500,
  udpSeconds: envNum('BENCH_UDP_SECONDS', QUICK ? 1 : 2),
  udpProbeSeconds: QUICK ? 0.5 : 1,
  udpSize: 64,
  udpMaxLossPct: 0.1,
  nofile: 65536,
};
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : undefined;
const enabled = (id) => ONLY === undefined || ONLY.has(id);
// Self-test hook for the UDP code path while Porthole has no UDP: a second socat plays "porthole".
const UDP_STANDIN = process.env.BENCH_UDP_STANDIN === 'socat';

const log = (line) => process.stdout.write(`${line}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------
// Process bookkeeping: everything is spawned detached (own process group: socat's forked children
// and haproxy's threads die with their parent) and killed by group.

const live = new Map(); // pid -> { name, child }
let tmpDir;

function spawnProc(name, cmd, args, { logFile, ipc = false } = {}) {
  const out = logFile ? openSync(logFile, 'a') : 'pipe';
  const stdio = ['ignore', out, logFile ? out : 'pipe'];
  if (ipc) stdio.push('ipc');
  const child = spawn(cmd, args, { cwd: ROOT, stdio, detached: true });
  if (logFile) closeSync(out);
  const entry = { name, child, exited: false, code: null };
  entry.exit = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      entry.exited = true;
      entry.code = code ?? signal;
      live.delete(child.pid);
      resolve(entry.code);
    });
    child.once('error', (err) => {
      entry.exited = true;
      entry.code = err.message;
      live.delete(child.pid);
      resolve(err.message);
    });
  });
  if (child.pid !== undefined) live.set(child.pid, entry);
  return entry;
}

function signalGroup(pid, sig) {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

async function stopProc(entry, graceMs = 2000) {
  if (!entry || entry.child.pid === undefined) return;
  if (!entry.exited) {
    signalGroup(entry.child.pid, 'SIGTERM');
    await Promise.race([entry.exit, sleep(graceMs)]);
  }
  // Also sweep the group when the leader is gone (socat children, a stuck helper).
  signalGroup(entry.child.pid, 'SIGKILL');
}

async function stopAll() {
  const t = Date.now();
  await Promise.all([...live.values()].map((e) => stopProc(e)));
  if (process.env.BENCH_DEBUG) log(`bench: stopAll ${Date.now() - t} ms`);
}

function killAllSync() {
  for (const pid of live.keys()) signalGroup(pid, 'SIGKILL');
}

process.on('exit', () => {
  killAllSync();
  if (tmpDir && !process.env.BENCH_KEEP_TMP && !process.exitCode) rmSync(tmpDir, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    log(`\nbench: ${sig} — stopping every process started`);
    killAllSync();
    process.exitCode = 130;
    process.exit(130);
  });
}
process.on('uncaughtException', (err) => {
  process.stderr.write(`bench: ${err.stack ?? err}\n`);
  killAllSync();
  process.exit(1);
});
process.on('unhandledRejection', (err) => {
  process.stderr.write(`bench: ${err?.stack ?? err}\n`);
  killAllSync();
  process.exit(1);
});

/** Runs a Node tool from bench/tools, returns its last JSON stdout line (or {error}). */
function runTool(script, args, timeoutMs) {
  return new Promise((resolve) => {
    const entry = spawnProc(script, process.execPath, [path.join(TOOLS, script), ...args.map(String)]);
    let out = '';
    let err = '';
    entry.child.stdout.on('data', (d) => (out += d));
    entry.child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => {
      err += ` (timed out after ${timeoutMs} ms)`;
      signalGroup(entry.child.pid, 'SIGKILL');
    }, timeoutMs);
    entry.exit.then((code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop();
      try {
        const res = JSON.parse(line);
        resolve(code === 0 ? res : { ...res, error: `exit ${code}: ${err.trim()}` });
      } catch {
        resolve({ error: `${script} exit ${code}: ${err.trim() || out.trim() || 'no output'}`.slice(0, 500) });
      }
    });
  });
}

function runCmd(cmd, args, timeoutMs) {
  return new Promise((resolve) => {
    const entry = spawnProc(cmd, cmd, args);
    let out = '';
    let err = '';
    entry.child.stdout.on('data', (d) => (out += d));
    entry.child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => signalGroup(entry.child.pid, 'SIGKILL'), timeoutMs);
    entry.exit.then((code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// Ports and readiness

function freeTcpPort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function freeUdpPort() {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** True when something is bound to 127.0.0.1/0.0.0.0:port (TCP: in LISTEN state), read from /proc/net. */
function isBound(port, proto) {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const file of proto === 'udp' ? ['/proc/net/udp', '/proc/net/udp6'] : ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || !cols[1].endsWith(hex)) continue;
      if (proto === 'udp' || cols[3] === '0A') return true;
    }
  }
  return false;
}

async function waitFor(what, predicate, entry, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    if (entry?.exited) throw new Error(`${what}: process exited (${entry.code}) before it was ready`);
    await sleep(25);
  }
  throw new Error(`${what}: not ready after ${timeoutMs} ms`);
}

const fileHas = (file, re) => {
  try {
    return re.test(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
};

function vmRssKiB(pid) {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

// ---------------------------------------------------------------------------------------------------
// Contenders

let logSeq = 0;
const logPath = (name) => path.join(tmpDir, `${String(++logSeq).padStart(2, '0')}-${name}.log`);

/** Porthole CLI; stdout goes to a file (cheap, never blocks) which is polled for the `forwarding` line. */
async function startPorthole(name, listenPort, targetPort, { udp = false, timeoutMs = 10_000 } = {}) {
  const file = logPath(name);
  const args = [CLI, 'forward', ...(udp ? ['--udp'] : []), `127.0.0.1:${listenPort}`, `127.0.0.1:${targetPort}`];
  const entry = spawnProc(name, process.execPath, args, { logFile: file });
  entry.logFile = file;
  // The ready line is `<ISO time> forwarding [tcp|udp] HOST:PORT → …` (an error such as "UDP forwarding
  // is not available" must not count).
  await waitFor(name, () => fileHas(file, /^\S+ forwarding (?:\w+ )?\S+:\d+/m), entry, timeoutMs);
  return entry;
}

async function startSocat(name, listenPort, targetPort, { udp = false } = {}) {
  const file = logPath(name);
  const args = udp
    ? // UDP-LISTEN + fork: the first datagram from a new client address forks a child holding a socket
      // connected to that client plus one connected to the target — a per-client session, like a real
      // UDP forwarder. -T 5 lets idle sessions exit.
      ['-T', '5', `UDP-LISTEN:${listenPort},bind=127.0.0.1,reuseaddr,fork`, `UDP:127.0.0.1:${targetPort}`]
    : [`TCP-LISTEN:${listenPort},bind=127.0.0.1,reuseaddr,fork,backlog=4096`, `TCP:127.0.0.1:${targetPort}`];
  const entry = spawnProc(name, 'socat', args, { logFile: file });
  await waitFor(name, () => isBound(listenPort, udp ? 'udp' : 'tcp'), entry);
  return entry;
}

// haproxy wants 2 fds per connection (+ some) and refuses to start when maxconn does not fit RLIMIT_NOFILE.
let HAPROXY_MAXCONN = 20_000;

async function startHaproxy(name, listenPort, targetPort) {
  const cfg = path.join(tmpDir, `${name}.cfg`);
  writeFileSync(
    cfg,
    [
      'global',
      `  maxconn ${HAPROXY_MAXCONN}`,
      '  nbthread 2',
      'defaults',
      '  mode tcp',
      '  timeout connect 5s',
      '  timeout client 60s',
      '  timeout server 60s',
      'frontend fe',
      `  bind 127.0.0.1:${listenPort}`,
      '  default_backend be',
      'backend be',
      `  server target 127.0.0.1:${targetPort}`,
      '',
    ].join('\n'),
  );
  const entry = spawnProc(name, '/usr/sbin/haproxy', ['-f', cfg, '-db'], { logFile: logPath(name) });
  await waitFor(name, () => isBound(listenPort, 'tcp'), entry);
  return entry;
}

async function startNodeServer(name, script, port, { ipc = false } = {}) {
  const file = logPath(name);
  const entry = spawnProc(name, process.execPath, [path.join(TOOLS, script), String(port)], { logFile: file, ipc });
  await waitFor(name, () => fileHas(file, /"ready":true/), entry);
  return entry;
}

function askCount(entry) {
  return new Promise((resolve) => {
    const onMsg = (m) => {
      if (typeof m?.count === 'number') {
        entry.child.off('message', onMsg);
        resolve(m.count);
      }
    };
    entry.child.on('message', onMsg);
    entry.child.send({ cmd: 'count' });
  });
}

// ---------------------------------------------------------------------------------------------------
// Setup: file limits, build, machine facts

function raiseNofile() {
  // Children inherit our RLIMIT_NOFILE; 10k forwarded connections need >20k fds in the forwarder.
  const want = CFG.nofile;
  const r = spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${want}:${want}`], { encoding: 'utf8' });
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const m = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(limits);
  const soft = m ? (m[1] === 'unlimited' ? Infinity : Number(m[1])) : NaN;
  return { ok: soft >= want, soft, how: r.status === 0 ? `prlimit --nofile=${want}:${want}` : `prlimit failed: ${(r.stderr || r.error?.message || '').trim()}` };
}

function firstLine(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').filter(Boolean).slice(0, 2).join(' | ') || `(${cmd} not found)`;
}

function machineFacts() {
  const cpus = os.cpus();
  const haproxyVV = spawnSync('/usr/sbin/haproxy', ['-vv'], { encoding: 'utf8' }).stdout ?? '';
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim();
  const dirty = (spawnSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).stdout ?? '').split('\n').filter(Boolean).length;
  return {
    date: new Date().toISOString(),
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    totalMemGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    kernel: os.release(),
    loadAvgAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
    tools: {
      iperf3: firstLine('iperf3', ['--version']).split(' | ')[0],
      socat: (firstLine('socat', ['-V']).match(/socat version [^ ]+/) ?? ['socat'])[0],
      haproxy: firstLine('/usr/sbin/haproxy', ['-v']).split(' | ')[0],
      haproxyLinuxSplice: /\+LINUX_SPLICE/.test(haproxyVV),
    },
    git: git ? `${git}${dirty ? ` (+${dirty} uncommitted files)` : ''}` : undefined,
  };
}

function build() {
  if (NO_BUILD) return existsSync(CLI) ? 'skipped (--no-build)' : undefined;
  log('bench: building (npx electron-vite build)…');
  const r = spawnSync('npx', ['electron-vite', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status === 0) return 'fresh build';
  const why = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-5).join('\n');
  if (existsSync(CLI)) {
    log(`bench: WARNING build failed, using the existing out/main/cli.js:\n${why}`);
    return 'stale: build failed, used existing out/main/cli.js';
  }
  throw new Error(`build failed and there is no out/main/cli.js:\n${why}`);
}

// ---------------------------------------------------------------------------------------------------
// Scenarios. Each run(contender) returns one sample (or {error}).

const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};

async function iperf(port, streams) {
  // The persistent iperf3 server needs a moment to wind down the previous test (more so behind a
  // forwarder that closes lazily); "busy" is retried, not counted.
  for (let attempt = 0; ; attempt++) {
    const r = await iperfOnce(port, streams);
    // Any other failure (e.g. "control socket has closed unexpectedly" when a forked socat child and
    // the iperf3 server race at teardown) gets two more tries; the retries are recorded.
    const busy = /busy/.test(r.error ?? '');
    if (!r.error || attempt >= (busy ? 10 : 2)) return attempt ? { ...r, retries: attempt } : r;
    await sleep(busy ? 300 : 1000);
  }
}

async function iperfOnce(port, streams) {
  const args = ['-c', '127.0.0.1', '-p', String(port), '-t', String(CFG.iperfSeconds), '-J', '--connect-timeout', '3000'];
  if (streams > 1) args.push('-P', String(streams));
  const r = await runCmd('iperf3', args, (CFG.iperfSeconds + 15) * 1000);
  try {
    const j = JSON.parse(r.out);
    if (j.error) return { error: j.error };
    const bps = j.end?.sum_received?.bits_per_second;
    if (typeof bps !== 'number') return { error: 'no end.sum_received in iperf3 output' };
    return {
      gbps: Math.round((bps / 1e9) * 1000) / 1000,
      retransmits: j.end?.sum_sent?.retransmits,
      senderCpuPct: Math.round(j.end?.cpu_utilization_percent?.host_total ?? NaN),
      receiverCpuPct: Math.round(j.end?.cpu_utilization_percent?.remote_total ?? NaN),
    };
  } catch {
    return { error: `iperf3 exit ${r.code}: ${(r.err || r.out).trim().slice(0, 300)}` };
  }
}

async function idleRound(targetEntry, targetPort) {
  const lp = await freeTcpPort();
  const fwd = await startPorthole('porthole-idle', lp, targetPort);
  const pid = fwd.child.pid;
  let client;
  try {
    await waitFor('idle target drained', async () => (await askCount(targetEntry)) === 0, undefined, 15_000);
    await sleep(300);
    const before = vmRssKiB(pid);
    client = spawnProc('idle-client', process.execPath, [path.join(TOOLS, 'idle-client.mjs'), String(lp), String(CFG.idleConnections), String(CFG.idleBatch)], {
      logFile: logPath('idle-client'),
      ipc: true,
    });
    const opened = await Promise.race([
      new Promise((resolve) => client.child.once('message', resolve)),
      client.exit.then((c) => ({ error: `idle client exited (${c})` })),
      sleep(60_000).then(() => ({ error: 'idle client timed out' })),
    ]);
    if (opened.error) return { error: opened.error };
    let atTarget = 0;
    await waitFor('idle target count', async () => (atTarget = await askCount(targetEntry)) >= opened.opened, undefined, 15_000).catch(() => undefined);
    await sleep(1000);
    const after = vmRssKiB(pid);
    const res = {
      connections: opened.opened,
      clientErrors: opened.errors,
      atTarget,
      openMs: opened.ms,
      rssBeforeKiB: before,
      rssAfterKiB: after,
      kibPerConn: Math.round(((after - before) / opened.opened) * 100) / 100,
    };
    if (opened.opened < CFG.idleConnections) res.error = `only ${opened.opened}/${CFG.idleConnections} connections opened (${opened.lastError ?? ''})`;
    return res;
  } finally {
    if (client && !client.exited) {
      client.child.send({ cmd: 'close' });
      await Promise.race([client.exit, sleep(3000)]);
    }
    await stopProc(client);
    await stopProc(fwd, 5000);
  }
}

/** Highest offered rate (pps) with loss < udpMaxLossPct through `port`, where the client also keeps up. */
async function udpMaxRate(port) {
  const probes = [];
  const confirm = async (rate) => {
    // The edge found by the search is noisy (loss comes in bursts when a process misses its slot on a
    // busy machine): confirm it with a probe twice as long, stepping down 15% on failure.
    for (let i = 0; i < 5 && rate >= 1000; i++) {
      const r = await runTool('udp-load.mjs', [port, rate, CFG.udpProbeSeconds * 2, CFG.udpSize], 30_000);
      const pass = !r.error && r.lossPct < CFG.udpMaxLossPct && r.sendPps >= rate * 0.97;
      probes.push({ rate, lossPct: r.lossPct, sendPps: r.sendPps, pass, confirm: true, error: r.error });
      if (pass) return rate;
      rate = Math.round((rate * 0.85) / 500) * 500;
    }
    return 0;
  };
  const ok = async (rate) => {
    const r = await runTool('udp-load.mjs', [port, rate, CFG.udpProbeSeconds, CFG.udpSize], 30_000);
    const pass = !r.error && r.lossPct < CFG.udpMaxLossPct && r.sendPps >= rate * 0.97;
    probes.push({ rate, lossPct: r.lossPct, sendPps: r.sendPps, pass, error: r.error });
    return pass;
  };
  let good = 0;
  let bad = 0;
  for (let rate = 5000; rate <= 1_280_000; rate *= 2) {
    if (await ok(rate)) good = rate;
    else {
      bad = rate;
      break;
    }
  }
  if (good === 0) return { rate: 0, probes };
  if (bad === 0) return { rate: await confirm(good), probes };
  for (let i = 0; i < 4; i++) {
    const mid = Math.round((good + bad) / 2 / 500) * 500;
    if (mid <= good || mid >= bad) break;
    if (await ok(mid)) good = mid;
    else bad = mid;
  }
  return { rate: await confirm(good), probes };
}

// ---------------------------------------------------------------------------------------------------
// Report

const fmt = (v, d = 0) => (v === undefined || Number.isNaN(v) ? '–' : v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
const ratio = (a, b) => (a === undefined || b === undefined || b === 0 ? undefined : a / b);
const fmtRatio = (r) => (r === undefined ? '–' : `${r.toFixed(2)}×`);

function judge(name, goalText, measured, measuredText, goal, higherIsBetter) {
  if (measured === undefined) return { name, goal: goalText, measured: measuredText ?? '–', met: undefined, result: 'not measured' };
  const met = higherIsBetter ? measured >= goal : measured <= goal;
  const by = higherIsBetter ? ((goal - measured) / goal) * 100 : ((measured - goal) / goal) * 100;
  return { name, goal: goalText, measured: measuredText, met, result: met ? 'met' : `MISSED by ${by.toFixed(0)}%` };
}

// ---------------------------------------------------------------------------------------------------

async function main() {
  const t0 = Date.now();
  tmpDir = mkdtempSync(path.join(os.tmpdir(), 'porthole-bench-'));
  mkdirSync(RESULTS, { recursive: true });
  const nofile = raiseNofile();
  if (!nofile.ok) {
    // Without CAP_SYS_RESOURCE the hard limit cannot be raised: the forwarder holds 2 fds per forwarded
    // connection, so the idle scenario and haproxy's maxconn shrink to fit (noted in the results).
    const fit = Math.floor((nofile.soft - 100) / 2);
    if (fit < CFG.idleConnections) CFG.idleConnections = fit;
    HAPROXY_MAXCONN = Math.min(HAPROXY_MAXCONN, Math.floor((nofile.soft - 60) / 2));
    log(
      `bench: WARNING could not raise the open-file limit (${nofile.how}); limit ${nofile.soft}: ` +
        `idle scenario uses ${CFG.idleConnections} connections, haproxy maxconn ${HAPROXY_MAXCONN}`,
    );
  }
  const buildState = build();
  if (!buildState) throw new Error('out/main/cli.js is missing (run without --no-build)');
  const machine = machineFacts();
  log(`bench: ${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemGiB} GiB, ${machine.os}, node ${machine.node}`);
  log(`bench: ${machine.tools.iperf3}; ${machine.tools.socat}; ${machine.tools.haproxy}`);
  log(`bench: ${CFG.rounds} rounds${QUICK ? ' (--quick)' : ''}; logs in ${tmpDir}`);

  const TCP4 = ['direct', 'porthole', 'socat', 'haproxy'];
  const scenarios = [];
  const notes = [];
  const skipped = {};

  // --- targets and forwarders (started once, shared by all rounds) ---
  if (enabled('tput')) {
    const t = await freeTcpPort();
    const iperfSrv = spawnProc('iperf3-server', 'iperf3', ['-s', '-p', String(t), '-B', '127.0.0.1'], { logFile: logPath('iperf3-server') });
    await waitFor('iperf3 server', () => isBound(t, 'tcp'), iperfSrv);
    const ports = { direct: t, porthole: await freeTcpPort(), socat: await freeTcpPort(), haproxy: await freeTcpPort() };
    await startPorthole('porthole-tput', ports.porthole, t);
    await startSocat('socat-tput', ports.socat, t);
    await startHaproxy('haproxy-tput', ports.haproxy, t);
    for (const streams of [1, 4]) {
      scenarios.push({ id: `tput${streams}`, contenders: TCP4, run: (c) => iperf(ports[c], streams) });
    }
  }
  if (enabled('rtt') || enabled('cps')) {
    const t = await freeTcpPort();
    await startNodeServer('tcp-echo', 'tcp-echo.mjs', t);
    const ports = { direct: t, porthole: await freeTcpPort(), socat: await freeTcpPort(), haproxy: await freeTcpPort() };
    await startPorthole('porthole-echo', ports.porthole, t);
    await startSocat('socat-echo', ports.socat, t);
    await startHaproxy('haproxy-echo', ports.haproxy, t);
    if (enabled('rtt')) {
      scenarios.push({
        id: 'rtt',
        contenders: TCP4,
        run: (c) => runTool('pingpong.mjs', [ports[c], CFG.pingCount, CFG.pingWarmup, CFG.pingSize], 60_000),
      });
    }
    if (enabled('cps')) {
      scenarios.push({ id: 'cps1', contenders: TCP4, run: (c) => runTool('connrate.mjs', [ports[c], CFG.cpsSeconds, 1], (CFG.cpsSeconds + 20) * 1000) });
      scenarios.push({
        id: `cps${CFG.cpsConcurrency}`,
        contenders: TCP4,
        run: (c) => runTool('connrate.mjs', [ports[c], CFG.cpsSeconds, CFG.cpsConcurrency], (CFG.cpsSeconds + 20) * 1000),
      });
    }
  }
  if (enabled('idle')) {
    const t = await freeTcpPort();
    const target = await startNodeServer('idle-target', 'tcp-echo.mjs', t, { ipc: true });
    scenarios.push({ id: 'idle', contenders: ['porthole'], run: () => idleRound(target, t) });
  }
  let udp;
  if (enabled('udp')) {
    const t = await freeUdpPort();
    await startNodeServer('udp-echo', 'udp-echo.mjs', t);
    const ports = { direct: t, porthole: await freeUdpPort(), socat: await freeUdpPort() };
    let supported = true;
    let why = '';
    try {
      if (UDP_STANDIN) {
        await startSocat('porthole-udp-STANDIN-socat', ports.porthole, t, { udp: true });
        notes.push('SELF-TEST: BENCH_UDP_STANDIN=socat — the "porthole" UDP column is a second socat, not Porthole.');
      } else {
        await startPorthole('porthole-udp', ports.porthole, t, { udp: true, timeoutMs: 5000 });
      }
    } catch (err) {
      supported = false;
      const lf = readdirLog('porthole-udp');
      why = lf ? readFileSync(lf, 'utf8').trim().split('\n').pop() : err.message;
    }
    if (!supported) {
      skipped.udp = `skipped: porthole UDP not available in this build (${why})`;
      log(`bench: UDP ${skipped.udp}`);
    } else {
      await startSocat('socat-udp', ports.socat, t, { udp: true });
      log('bench: UDP — finding socat’s highest rate with < 0.1% loss…');
      const socatMax = await udpMaxRate(ports.socat);
      log(`bench: UDP — socat max ${socatMax.rate} pps; finding porthole’s…`);
      const portholeMax = await udpMaxRate(ports.porthole);
      log(`bench: UDP — porthole max ${portholeMax.rate} pps`);
      udp = { socatMax, portholeMax, offered: socatMax.rate };
      if (socatMax.rate > 0) {
        scenarios.push({
          id: 'udp',
          contenders: ['direct', 'porthole', 'socat'],
          run: (c) => runTool('udp-load.mjs', [ports[c], udp.offered, CFG.udpSeconds, CFG.udpSize], (CFG.udpSeconds + 30) * 1000),
        });
      } else skipped.udp = 'skipped: socat calibration found no rate with < 0.1% loss';
    }
  }

  // --- rounds ---
  const samples = {};
  for (const sc of scenarios) samples[sc.id] = Object.fromEntries(sc.contenders.map((c) => [c, []]));
  for (let r = 0; r < CFG.rounds; r++) {
    const tr = Date.now();
    for (const sc of scenarios) {
      const n = sc.contenders.length;
      const order = sc.contenders.map((_, i) => sc.contenders[(i + r) % n]);
      for (const c of order) {
        const s = await sc.run(c);
        samples[sc.id][c].push(s);
        if (s.error) log(`bench: round ${r + 1} ${sc.id} ${c}: ERROR ${s.error}`);
      }
    }
    log(`bench: round ${r + 1}/${CFG.rounds} done in ${((Date.now() - tr) / 1000).toFixed(0)} s`);
  }

  // --- medians ---
  const med = (id, c, key) => median((samples[id]?.[c] ?? []).filter((s) => !s.error).map((s) => s[key]));
  const M = {};
  for (const [id, byC] of Object.entries(samples)) {
    M[id] = {};
    for (const c of Object.keys(byC)) {
      const keys = new Set(byC[c].flatMap((s) => Object.keys(s).filter((k) => typeof s[k] === 'number')));
      M[id][c] = Object.fromEntries([...keys].map((k) => [k, med(id, c, k)]));
      M[id][c].errors = byC[c].filter((s) => s.error).length;
    }
  }
  const get = (id, c, k) => M[id]?.[c]?.[k];

  // --- table ---
  const rows = [];
  const row = (label, id, key, d, { contenders = TCP4, lowerIsBetter = false } = {}) => {
    if (!M[id]) return;
    const v = Object.fromEntries(['direct', 'porthole', 'socat', 'haproxy'].map((c) => [c, contenders.includes(c) ? get(id, c, key) : undefined]));
    rows.push({
      label,
      cells: ['direct', 'porthole', 'socat', 'haproxy'].map((c) => fmt(v[c], d)),
      vsSocat: fmtRatio(ratio(v.porthole, v.socat)),
      vsHaproxy: fmtRatio(ratio(v.porthole, v.haproxy)),
      lowerIsBetter,
    });
  };
  row('TCP throughput, 1 stream (Gbit/s)', 'tput1', 'gbps', 2);
  row('TCP throughput, 4 streams (Gbit/s)', 'tput4', 'gbps', 2);
  row(`Round trip ${CFG.pingSize} B, p50 (µs) ↓`, 'rtt', 'p50', 0, { lowerIsBetter: true });
  row(`Round trip ${CFG.pingSize} B, p99 (µs) ↓`, 'rtt', 'p99', 0, { lowerIsBetter: true });
  if (M.rtt) {
    const d = get('rtt', 'direct', 'p50');
    const added = Object.fromEntries(TCP4.map((c) => [c, get('rtt', c, 'p50') === undefined || d === undefined ? undefined : get('rtt', c, 'p50') - d]));
    rows.push({
      label: 'Round trip added over direct, p50 (µs) ↓',
      cells: TCP4.map((c) => fmt(added[c], 0)),
      vsSocat: fmtRatio(ratio(added.porthole, added.socat)),
      vsHaproxy: fmtRatio(ratio(added.porthole, added.haproxy)),
    });
  }
  row('Connections/s, serial', 'cps1', 'rate', 0);
  row(`Connections/s, ${CFG.cpsConcurrency} concurrent`, `cps${CFG.cpsConcurrency}`, 'rate', 0);
  row(`Idle forwarded connection, RSS (KiB/conn, ${fmt(CFG.idleConnections)} conns) ↓`, 'idle', 'kibPerConn', 2, { contenders: ['porthole'], lowerIsBetter: true });
  if (M.udp) {
    row(`UDP ${CFG.udpSize} B echo at ${fmt(udp.offered)} pps offered: achieved (pps)`, 'udp', 'achievedPps', 0, { contenders: ['direct', 'porthole', 'socat'] });
    row('UDP loss at that rate (%) ↓', 'udp', 'lossPct', 3, { contenders: ['direct', 'porthole', 'socat'], lowerIsBetter: true });
    rows[rows.length - 1].vsSocat = '–'; // a ratio of loss percentages means nothing
    rows.push({
      label: 'UDP max rate with < 0.1% loss (pps, searched once)',
      cells: ['–', fmt(udp.portholeMax.rate), fmt(udp.socatMax.rate), '–'],
      vsSocat: fmtRatio(ratio(udp.portholeMax.rate, udp.socatMax.rate)),
      vsHaproxy: '–',
    });
  }
  if (skipped.udp) {
    rows.push({ label: `UDP ${CFG.udpSize} B echo: ${skipped.udp.replace(/ \(.*\)$/, '')}`, cells: ['–', '–', '–', '–'], vsSocat: '–', vsHaproxy: '–' });
    notes.push(`UDP ${skipped.udp}.`);
  }

  // --- targets ---
  const targets = [];
  const r1s = ratio(get('tput1', 'porthole', 'gbps'), get('tput1', 'socat', 'gbps'));
  const r1h = ratio(get('tput1', 'porthole', 'gbps'), get('tput1', 'haproxy', 'gbps'));
  const r4s = ratio(get('tput4', 'porthole', 'gbps'), get('tput4', 'socat', 'gbps'));
  const r4h = ratio(get('tput4', 'porthole', 'gbps'), get('tput4', 'haproxy', 'gbps'));
  if (M.tput1) {
    targets.push(judge('TCP throughput 1 stream vs socat', '≥ 1.30×', r1s, fmtRatio(r1s), 1.3, true));
    targets.push(judge('TCP throughput 1 stream vs haproxy', '≥ 1.00×', r1h, fmtRatio(r1h), 1.0, true));
  }
  if (M.tput4) {
    targets.push(judge('TCP throughput 4 streams vs socat', '≥ 1.30×', r4s, fmtRatio(r4s), 1.3, true));
    targets.push(judge('TCP throughput 4 streams vs haproxy', '≥ 1.00×', r4h, fmtRatio(r4h), 1.0, true));
  }
  if (M.rtt) {
    const p = get('rtt', 'porthole', 'p50');
    const s = get('rtt', 'socat', 'p50');
    targets.push(judge('Round trip p50 ≤ socat', `≤ ${fmt(s)} µs`, p, `${fmt(p)} µs`, s, false));
  }
  for (const id of ['cps1', `cps${CFG.cpsConcurrency}`]) {
    if (!M[id]) continue;
    const rr = ratio(get(id, 'porthole', 'rate'), get(id, 'socat', 'rate'));
    targets.push(judge(`Connections/s ${id === 'cps1' ? 'serial' : `${CFG.cpsConcurrency} concurrent`} vs socat`, '≥ 2.00×', rr, fmtRatio(rr), 2.0, true));
  }
  if (M.idle) {
    const k = get('idle', 'porthole', 'kibPerConn');
    targets.push(judge('RSS per idle forwarded connection', '≤ 12 KiB', k, `${fmt(k, 2)} KiB`, 12, false));
  }
  if (udp) {
    const pm = udp.portholeMax.rate;
    const sm = udp.socatMax.rate;
    targets.push(judge('UDP max rate with < 0.1% loss vs socat', `≥ ${fmt(sm)} pps`, pm, `${fmt(pm)} pps`, sm, true));
  }
  if (M.udp) {
    const l = get('udp', 'porthole', 'lossPct');
    targets.push(judge(`UDP at socat’s max rate (${fmt(udp.offered)} pps): loss`, '< 0.1%', l, `${fmt(l, 3)}%`, 0.0999, false));
  } else if (enabled('udp')) {
    targets.push({ name: 'UDP at socat’s max rate: loss', goal: '< 0.1%', measured: '–', met: undefined, result: (skipped.udp ?? 'skipped').replace(/ \(.*\)$/, '') });
  }

  // --- notes ---
  notes.push(
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemGiB} GiB RAM, Linux ${machine.kernel}, Node ${machine.node}; ${machine.tools.iperf3}, ${machine.tools.socat}, ${machine.tools.haproxy}. ${machine.date}.`,
    `${CFG.rounds} rounds, contenders interleaved round-robin (start rotates each round); medians. ${machine.cores} cores shared by client, forwarder and target (and other work on the machine): absolute numbers are contention-bound, compare the ratios.`,
    `TCP throughput: iperf3 -t ${CFG.iperfSeconds} (-P 4 for 4 streams), receiver bits/s. iperf3 3.12 is single-threaded, also with -P 4.`,
    `Round trip: one connection, ${CFG.pingCount} × ${CFG.pingSize} B after ${CFG.pingWarmup} warm-up, Node client and Node echo server in separate processes. Connections/s: open → 1 B → echo → end → close, ${CFG.cpsSeconds} s per run.`,
    `Idle RSS: fresh porthole per round${CFG.idleConnections < 10000 ? ` (${CFG.idleConnections} connections, not 10,000: RLIMIT_NOFILE is ${nofile.soft} and cannot be raised here — ${nofile.how})` : ''}, VmRSS after ${CFG.idleConnections} connections (each proven end to end with a 1 B echo, then idle) minus before, ÷ ${CFG.idleConnections}.`,
    `haproxy: mode tcp, nbthread 2, maxconn ${HAPROXY_MAXCONN}${HAPROXY_MAXCONN < 20000 ? ` (20000 did not fit RLIMIT_NOFILE ${nofile.soft}; the runs use ≤ ${CFG.cpsConcurrency} concurrent connections)` : ''}; binary built with LINUX_SPLICE=${machine.tools.haproxyLinuxSplice ? 'yes' : 'no'} (haproxy can splice(2) kernel-side, but this minimal config sets no splice option and a by-hand strace of it under iperf3 showed only recvfrom/sendto; add option splice-auto to compare with splicing); socat TCP: TCP-LISTEN,fork (one process per connection), default 8 KiB buffer.`,
    `UDP: socat UDP-LISTEN:P,fork UDP:127.0.0.1:T (a forked child per client address), Node echo target, ${CFG.udpSize} B datagrams paced per ~1 ms tick for ${CFG.udpSeconds} s; offered rate = socat’s highest rate with < ${CFG.udpMaxLossPct}% loss (binary search, ${CFG.udpProbeSeconds} s probes).`,
    '↓ = lower is better; ratios are porthole ÷ other.',
  );

  const md = [
    `## Porthole benchmark (${machine.date.slice(0, 10)})`,
    '',
    '| Scenario | direct | porthole | socat | haproxy | porthole ÷ socat | porthole ÷ haproxy |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.label} | ${r.cells.join(' | ')} | ${r.vsSocat} | ${r.vsHaproxy} |`),
    '',
    '| Target | Goal | Measured | Result |',
    '|---|---|---|---|',
    ...targets.map((t) => `| ${t.name} | ${t.goal} | ${t.measured} | ${t.met === false ? `**${t.result}**` : t.result} |`),
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n');

  const errors = Object.entries(M).flatMap(([id, byC]) => Object.entries(byC).filter(([, m]) => m.errors > 0).map(([c, m]) => `${id}/${c}: ${m.errors} failed runs`));
  const json = {
    machine,
    build: buildState,
    nofile,
    config: { ...CFG, quick: QUICK, only: ONLY ? [...ONLY] : undefined },
    durationSeconds: Math.round((Date.now() - t0) / 1000),
    loadAvgAtEnd: os.loadavg().map((x) => Math.round(x * 100) / 100),
    medians: M,
    targets,
    skipped,
    udpCalibration: udp,
    errors,
    notes,
    samples,
  };
  writeFileSync(path.join(RESULTS, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(path.join(RESULTS, 'latest.md'), md);
  log(`\n${md}`);
  if (errors.length) log(`bench: some runs failed: ${errors.join('; ')} (details in bench/results/latest.json)`);
  log(`bench: done in ${json.durationSeconds} s — bench/results/latest.md, bench/results/latest.json`);
}

function readdirLog(name) {
  if (!tmpDir) return undefined;
  const f = readdirSync(tmpDir).find((x) => x.endsWith(`-${name}.log`));
  return f ? path.join(tmpDir, f) : undefined;
}

try {
  await main();
} catch (err) {
  process.stderr.write(`bench: FAILED: ${err.stack ?? err}\n(process logs kept in ${tmpDir})\n`);
  process.exitCode = 1;
} finally {
  await stopAll();
  // Pending safety timers (timeouts raced against tools) must not keep the process alive.
  process.exit(process.exitCode ?? 0);
}
