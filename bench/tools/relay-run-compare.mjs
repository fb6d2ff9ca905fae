// Relay agent as users run it (issue 13): the agent inside `porthole run --profile` (the service core,
// as in the desktop app and `porthole ui`), not the bare `porthole agent` process that the relay
// scenarios use. Compares builds of the CLI, interleaved round by round, on one relay (the bench's relay
// bundle, bench/tools/relay-node.ts: the same relay for every contender) and one iperf3 target:
//
//   node bench/tools/relay-run-compare.mjs before=/path/a/out/main/cli.js after=out/main/cli.js [--rounds 5] [--seconds 4] [--others 200]
//
// Per round and contender: a fresh `porthole run` with one relay-expose rule, a 1 s warm-up, then iperf3
// client → target and target → client (-R), 1 stream. Reports receiver Gbit/s, CPU seconds per GB of the
// `porthole run` process (every thread, /proc), the part of it spent on the main thread (the rest is the
// data plane worker and libuv/V8 helper threads), and how many public connections the relay carried on
// data connections (its pool's "taken"). Prints one JSON line per measurement and a median summary.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLK_TCK, threadTicks } from '../lib/cpu.mjs';
import { flagNumber } from '../lib/config.mjs';
import { iperf, median } from '../lib/measure.mjs';
import { BUNDLE, bundleRelayNode } from '../lib/relay-bundle.mjs';
import { fileHas, freeTcpPort, getTmpDir, initTmpDir, isBound, log, logPath, sleep, spawnProc, stopAll, stopProc, waitFor } from '../lib/procs.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => flagNumber(argv, name, dflt);
const rounds = opt('rounds', 5);
const seconds = opt('seconds', 4);
/** Idle tcp-forward rules loaded beside the measured one (the TCP bench's "porthole run with 200 rules"). */
const others = opt('others', 0);
const contenders = argv.filter((a) => a.includes('=') && !a.startsWith('--')).map((a) => ({ label: a.slice(0, a.indexOf('=')), cli: path.resolve(a.slice(a.indexOf('=') + 1)) }));
if (contenders.length === 0) throw new Error('usage: relay-run-compare.mjs label=path/to/cli.js … [--rounds N] [--seconds S]');

/** CPU ticks of every thread of pid, and of its main thread alone. */
function ticksOf(pid) {
  const byThread = threadTicks(pid);
  let all = 0;
  for (const t of byThread.values()) all += t;
  return { all, main: byThread.get(pid) ?? 0 };
}

function readyLine(file) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{"ready":true'))
    .map((l) => JSON.parse(l))[0];
}

async function poolTaken(relay, file) {
  const before = readFileSync(file, 'utf8').length;
  process.kill(relay.child.pid, 'SIGUSR2');
  await waitFor('relay pool stats', () => readFileSync(file, 'utf8').slice(before).includes('{"pool"'), relay, 5000);
  const line = readFileSync(file, 'utf8').slice(before).split('\n').find((l) => l.startsWith('{"pool"'));
  return JSON.parse(line).pool?.taken ?? 0;
}

initTmpDir();
const results = [];
try {
  await bundleRelayNode();
  const targetPort = await freeTcpPort();
  const iperfServer = spawnProc('iperf3-server', 'iperf3', ['-s', '-p', String(targetPort)], { logFile: logPath('iperf3-server') });
  await waitFor('iperf3 server', () => isBound(targetPort, 'tcp'), iperfServer);
  const token = randomBytes(16).toString('hex');
  const relayLog = logPath('relay');
  const relay = spawnProc('relay', process.execPath, [BUNDLE, 'relay', path.join(getTmpDir(), 'relay-identity'), 'bench', token], { logFile: relayLog });
  await waitFor('relay', () => fileHas(relayLog, /^\{"ready":true/m), relay, 15_000);
  const r = readyLine(relayLog);
  log(`relay on ${r.port} (tls ${r.tls}, pool ${r.pool}); ${others} idle tcp-forward rules beside; ${rounds} rounds × ${contenders.map((c) => c.label).join(', ')}; iperf3 -t ${seconds}`);
  for (let round = 1; round <= rounds; round++) {
    // Alternate the order per round so neither build always runs first.
    const order = round % 2 ? contenders : [...contenders].reverse();
    for (const c of order) {
      const pub = await freeTcpPort();
      const idle = [];
      const taken = new Set([pub, targetPort, r.port]);
      while (idle.length < others) {
        const port = await freeTcpPort();
        if (taken.has(port)) continue;
        taken.add(port);
        idle.push({ type: 'tcp-forward', name: `idle ${idle.length}`, enabled: true, listen: { host: '127.0.0.1', port }, target: { host: '127.0.0.1', port: targetPort } });
      }
      const dir = path.join(getTmpDir(), `${c.label}-${round}`);
      const profile = `${dir}.json`;
      writeFileSync(
        profile,
        JSON.stringify({
          porthole: 1,
          relays: [{ ref: 'bench', name: 'bench', host: '127.0.0.1', port: r.port, agentName: 'bench', tls: true, fingerprint: r.fingerprint, token }],
          rules: [{ type: 'relay-expose', name: 'measured', relay: 'bench', target: { host: '127.0.0.1', port: targetPort }, remotePort: pub }, ...idle],
        }),
      );
      const runLog = logPath(`${c.label}-run-${round}`);
      const run = spawnProc(`${c.label}-run`, process.execPath, [c.cli, 'run', '--profile', profile, '--data-dir', dir], { logFile: runLog });
      await waitFor(`${c.label}: public port bound`, () => isBound(pub, 'tcp'), run, 30_000);
      await iperf(pub, 1, [], 1);
      for (const dir of ['→', '←']) {
        await sleep(300);
        const taken0 = await poolTaken(relay, relayLog);
        const t0 = ticksOf(run.child.pid);
        const res = await iperf(pub, 1, dir === '←' ? ['-R'] : [], seconds);
        const t1 = ticksOf(run.child.pid);
        const taken = (await poolTaken(relay, relayLog)) - taken0;
        if (res.error) throw new Error(`${c.label} ${dir}: ${res.error}`);
        const cpuS = (t1.all - t0.all) / CLK_TCK;
        const row = {
          round,
          label: c.label,
          dir,
          gbps: res.gbps,
          cpuSPerGB: Math.round((cpuS / (res.bytes / 1e9)) * 1000) / 1000,
          mainThreadShare: Math.round(((t1.main - t0.main) / Math.max(1, t1.all - t0.all)) * 100) / 100,
          onDataConns: taken,
        };
        results.push(row);
        log(JSON.stringify(row));
      }
      await stopProc(run, 3000);
    }
  }
  await stopProc(relay, 3000);
  await stopProc(iperfServer, 2000);
} finally {
  await stopAll();
}
log('\nmedians (per label and direction):');
for (const c of contenders) {
  for (const dir of ['→', '←']) {
    const rows = results.filter((x) => x.label === c.label && x.dir === dir);
    if (rows.length === 0) continue;
    const m = (k) => median(rows.map((x) => x[k]));
    log(`${c.label.padEnd(8)} ${dir}  ${m('gbps').toFixed(2)} Gbit/s  ${m('cpuSPerGB').toFixed(2)} CPU-s/GB  main thread ${Math.round(m('mainThreadShare') * 100)} %  (${rows.length} rounds)`);
  }
}
