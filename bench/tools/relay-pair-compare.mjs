// The lean relay pair (bench/tools/relay-node.ts: RelayServer and RelayAgent in two processes of their own,
// as in the relay scenarios of `npm run bench`) from two or more checkouts, side by side: an A/B run for a
// change to the relay's data path. Each checkout's relay-node.ts is bundled with vite into
// node_modules/.cache (so its imports resolve from this checkout's node_modules); `ssh` adds OpenSSH
// ssh -R to a throwaway sshd as a contender, --refs the bench's references that are not Porthole (the bare
// TLS + pipe() tunnel, socat over TLS, the bare TLS + node:http2 tunnel; bench/lib/relay-contenders.mjs).
//
//   node bench/tools/relay-pair-compare.mjs before=/path/to/checkout after=. [ssh] [--refs tls-pipe,socat,h2] [--rounds 5] [--seconds 3] [--rate 0] [--rtt] [--cps 32] [--no-tput] [--pool-off LABEL,…] [--cpu-prof DIR] [--fresh]
//
// Per round, contenders interleaved (the start rotates): iperf3 1 stream client → target and target →
// client (-R), receiver Gbit/s and CPU seconds per GB of both sides (/proc, every thread); --rate N caps
// iperf3 at N Gbit/s so CPU per GB is compared at equal load; --rtt adds the 64 B round trip p50 (µs,
// 3000 after 500 warm-up); --cps N adds connections/s at N concurrent (open, 1 B each way, close; 2 s)
// with CPU milliseconds per connection of both sides; --no-tput leaves iperf3 out; --pool-off runs the
// named contenders with the pool off (PORTHOLE_BENCH_POOL=0); --cpu-prof runs each Porthole pair under node --cpu-prof, its profiles written to DIR/LABEL when it stops; --fresh
// starts every Porthole pair anew (and warms it up again) each round, so that what one pair of processes happens to
// be is not counted as a difference between builds: two identical pool-off pairs that live through a whole run
// end up to ±6% apart in connections/s, more than the differences looked for (the references too;
// ssh -R stays up).
// Prints a JSON line per measurement and the medians.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { ROOT, flagNumber, flagValue } from '../lib/config.mjs';
import { startNodeServer } from '../lib/contenders.mjs';
import { withCpu } from '../lib/cpu.mjs';
import { iperf, median } from '../lib/measure.mjs';
import { bundleRelayNode } from '../lib/relay-bundle.mjs';
import { startReference, startRelayPair } from '../lib/relay-contenders.mjs';
import { freeTcpPort, getTmpDir, initTmpDir, isBound, log, logPath, runTool, spawnProc, stopAll, waitFor } from '../lib/procs.mjs';
import { startSshR, startSshd } from '../lib/sshd.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => flagNumber(argv, name, dflt);
const rounds = opt('rounds', 5);
const seconds = opt('seconds', 3);
const rate = opt('rate', 0);
const withRtt = argv.includes('--rtt');
const cpsConc = opt('cps', 0);
const withTput = !argv.includes('--no-tput');
const poolOff = new Set(flagValue(argv, 'pool-off')?.split(',') ?? []);
const checkouts = argv.filter((a, i) => a.includes('=') && !a.startsWith('--') && argv[i - 1] !== '--pool-off' && argv[i - 1] !== '--cpu-prof').map((a) => ({ label: a.slice(0, a.indexOf('=')), root: path.resolve(a.slice(a.indexOf('=') + 1)) }));
const withSsh = argv.includes('ssh');
const refs = flagValue(argv, 'refs')?.split(',') ?? [];
const cpuProf = flagValue(argv, 'cpu-prof');
const fresh = argv.includes('--fresh');
if (checkouts.length === 0) throw new Error('usage: relay-pair-compare.mjs label=CHECKOUT … [ssh] [--refs tls-pipe,socat,h2] [--rounds N] [--seconds S] [--rate GBITS] [--rtt] [--cps N] [--no-tput] [--pool-off LABEL,…] [--cpu-prof DIR] [--fresh]');

initTmpDir();
try {
  const iperfPort = await freeTcpPort();
  const iperfSrv = spawnProc('iperf3-server', 'iperf3', ['-s', '-p', String(iperfPort), '-B', '127.0.0.1'], { logFile: logPath('iperf3-server') });
  await waitFor('iperf3 server', () => isBound(iperfPort, 'tcp'), iperfSrv);
  const echoPort = await freeTcpPort();
  await startNodeServer('tcp-echo', 'tcp-echo.mjs', echoPort);

  const contenders = [];
  let firstWindows;
  const pidsOf = (g) => (typeof g === 'function' ? g() : g);
  const bundles = new Map();
  for (const c of checkouts) {
    const tag = createHash('sha256').update(`${c.root}:${c.label}`).digest('hex').slice(0, 8);
    const outDir = path.join(ROOT, 'node_modules', '.cache', `porthole-ab-${tag}`);
    await bundleRelayNode({ root: c.root, outDir });
    bundles.set(c.label, path.join(outDir, 'relay-node.mjs'));
  }
  /** Each checkout's relay pair, started (again, with --fresh) into its contender. */
  const startPairs = async (round) => {
    for (const c of checkouts) {
      const ports = { iperf: await freeTcpPort(), echo: await freeTcpPort() };
      const pair = await startRelayPair(`${c.label}${round === undefined ? '' : `-r${round + 1}`}`, [
        { pub: ports.iperf, target: iperfPort },
        { pub: ports.echo, target: echoPort },
      ], { bundle: bundles.get(c.label), pool: !poolOff.has(c.label), cpuProfDir: cpuProf ? path.resolve(cpuProf, c.label) : undefined });
      firstWindows ??= pair.windows;
      const contender = { label: c.label, ports, cpu: { pub: [pair.relay.child.pid], agent: [pair.agent.child.pid] }, poolStats: pair.poolStats, stop: pair.stop };
      place(contender);
    }
  };
  /** A contender into its place in the list (the same place when it is started again). */
  const place = (contender) => {
    const i = contenders.findIndex((x) => x.label === contender.label);
    if (i >= 0) contenders[i] = contender;
    else contenders.push(contender);
  };
  const startRefs = async () => {
    for (const ref of refs) {
      // (The references use the certificate the first relay made in the run's identity dir.)
      const v = { id: `ref-${ref}`, ref };
      const it = await startReference(v, iperfPort, firstWindows);
      const ec = await startReference(v, echoPort, firstWindows);
      place({
        label: v.id,
        ports: { iperf: it.pub, echo: ec.pub },
        cpu: { pub: () => [...pidsOf(it.cpu.pub), ...pidsOf(ec.cpu.pub)], agent: () => [...pidsOf(it.cpu.agent), ...pidsOf(ec.cpu.agent)] },
        stop: async () => {
          await it.stop();
          await ec.stop();
        },
      });
    }
  };
  await startPairs(fresh ? 0 : undefined);
  await startRefs();
  if (withSsh) {
    const sshd = await startSshd(path.join(getTmpDir(), 'sshd'));
    const ports = { iperf: await freeTcpPort(), echo: await freeTcpPort() };
    const ssh = await startSshR('ssh-R', sshd, [
      { pub: ports.iperf, target: iperfPort },
      { pub: ports.echo, target: echoPort },
    ]);
    contenders.push({ label: 'ssh-R', ports, cpu: { pub: sshd.pids, agent: [ssh.child.pid] } });
  }
  // A pass through each first: no contender's first measured run pays for JIT warm-up. (Only before
  // iperf3 runs: the round trip warms up by itself, connections/s by the pass below; a bulk pass would
  // also fill --cpu-prof profiles of a connection-rate run with bulk work.)
  const warmUp = async (list) => {
    if (withTput) for (const c of list) await iperf(c.ports.iperf, 1, [], 1);
    if (cpsConc > 0) for (const c of list) await runTool('connrate.mjs', [c.ports.echo, 1, cpsConc], 30_000);
  };
  await warmUp(contenders);

  const extra = rate > 0 ? ['-b', `${rate}G`] : [];
  const results = new Map(contenders.map((c) => [c.label, { ct: [], tc: [], ctCpu: [], tcCpu: [], rtt: [], cps: [], cpsCpu: [] }]));
  for (let r = 0; r < rounds; r++) {
    if (fresh && r > 0) {
      // New processes for every Porthole pair: what a pair's processes happen to be (where their heaps and
      // code landed, what their JIT saw first) is sampled once per round instead of once per run.
      for (const c of contenders) await c.stop?.();
      await startPairs(r);
      await startRefs();
      await warmUp(contenders.filter((c) => c.stop));
    }
    const order = contenders.map((_, i) => contenders[(i + r) % contenders.length]);
    for (const c of order) {
      const res = results.get(c.label);
      for (const [dir, args] of withTput
        ? [
            ['ct', extra],
            ['tc', [...extra, '-R']],
          ]
        : []) {
        const m = await withCpu(c.cpu, () => iperf(c.ports.iperf, 1, args, seconds));
        const perGB = m.gbps > 0 ? (m.pubCpuPct + m.agentCpuPct) / 100 / (m.gbps / 8) : undefined;
        res[dir].push(m.gbps);
        res[`${dir}Cpu`].push(perGB);
        log(JSON.stringify({ round: r + 1, contender: c.label, dir, gbps: m.gbps, cpuSecPerGB: perGB && Math.round(perGB * 100) / 100, relayPct: m.pubCpuPct, agentPct: m.agentCpuPct, machinePct: m.machineCpuPct, error: m.error }));
      }
      if (cpsConc > 0) {
        const before = await c.poolStats?.();
        const m = await withCpu(c.cpu, () => runTool('connrate.mjs', [c.ports.echo, 2, cpsConc], 30_000));
        const after = await c.poolStats?.();
        const ms = m.rate > 0 ? ((m.pubCpuPct + m.agentCpuPct) / 100 / m.rate) * 1000 : undefined;
        res.cps.push(m.rate);
        res.cpsCpu.push(ms);
        // Which path the measured connections took, and how many data connections the relay admitted meanwhile.
        const pool = before && after ? { taken: after.taken - before.taken, missed: after.missed - before.missed, passed: (after.passed ?? 0) - (before.passed ?? 0), admitted: (after.admitted ?? 0) - (before.admitted ?? 0) } : undefined;
        log(JSON.stringify({ round: r + 1, contender: c.label, cps: m.rate, cpuMsPerConn: ms && Math.round(ms * 1000) / 1000, relayPct: m.pubCpuPct, agentPct: m.agentCpuPct, pool, error: m.error }));
      }
      if (withRtt) {
        const p = await runTool('pingpong.mjs', [c.ports.echo, 3000, 500, 64], 60_000);
        res.rtt.push(p.p50);
        log(JSON.stringify({ round: r + 1, contender: c.label, rttP50: p.p50, error: p.error }));
      }
    }
  }
  const f = (x, d = 2) => (x === undefined ? '–' : x.toFixed(d));
  log(`\nmedians of ${rounds} rounds, ${seconds} s, ${rate > 0 ? `${rate} Gbit/s cap` : 'unlimited'}:`);
  log('contender | c→t Gbit/s | c→t CPU-s/GB | t→c Gbit/s | t→c CPU-s/GB' + (withRtt ? ' | RTT p50 µs' : '') + (cpsConc > 0 ? ` | conn/s at ${cpsConc} | CPU ms/conn` : ''));
  for (const c of contenders) {
    const r = results.get(c.label);
    log(`${c.label} | ${f(median(r.ct))} | ${f(median(r.ctCpu))} | ${f(median(r.tc))} | ${f(median(r.tcCpu))}` + (withRtt ? ` | ${f(median(r.rtt), 0)}` : '') + (cpsConc > 0 ? ` | ${f(median(r.cps), 0)} | ${f(median(r.cpsCpu), 3)}` : ''));
  }
} finally {
  await stopAll();
}
