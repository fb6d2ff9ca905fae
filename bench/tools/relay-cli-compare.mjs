// `porthole relay` as users run it, two builds side by side: CPU-s/GB of the relay process and iperf3
// Gbit/s through it, 1 stream, client → target and target → client (-R). The relay scenarios of
// `npm run bench` run RelayServer in a lean process of their own (tools/relay-node.ts); this runs the
// real CLI, whose process loads the whole app, to see what putting the relay in a worker thread of its
// own (relay/relay-host.ts) changes. Rounds are interleaved (A B, B A, …); the agent is the same build
// for both (the first one's `porthole agent`), so only the relay differs.
//
//   node bench/tools/relay-cli-compare.mjs --a DIR --b DIR [--rounds 4] [--seconds 4]
//
// DIR holds out/main/cli.js with its node_modules reachable (a checkout, or a copy with a symlink);
// `worker:DIR` runs that build's relay worker thread in a process with no V8 flag instead
// (relay-worker-node.mjs); `ui:DIR` runs `porthole ui` and starts its in-app relay through the API
// (what the desktop app and `porthole ui` carry; CPU of the whole ui process). The agent is always --a's.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import { flagValue } from '../lib/config.mjs';
import { CLK_TCK, cpuTicks } from '../lib/cpu.mjs';
import { iperf, median } from '../lib/measure.mjs';
import { fullGcCount } from '../lib/trace-gc.mjs';
import { fileHas, freeTcpPort, initTmpDir, isBound, log, logPath, spawnProc, stopAll, stopProc, waitFor } from '../lib/procs.mjs';

const arg = (name, dflt) => flagValue(process.argv, name) ?? dflt;
const spec = (v) => {
  const m = /^(worker|ui):(.*)$/.exec(v);
  return { kind: m ? m[1] : 'cli', dir: path.resolve(m ? m[2] : v) };
};
const builds = { a: spec(arg('a')), b: spec(arg('b')) };
const rounds = Number(arg('rounds', '4'));
const seconds = Number(arg('seconds', '4'));
const cli = (dir) => path.join(dir, 'out/main/cli.js');

const tmp = initTmpDir();
const token = randomBytes(16).toString('hex');

async function onePair(build, target) {
  const relayPort = await freeTcpPort();
  const pub = await freeTcpPort();
  const dir = path.join(tmp, `${build}-${relayPort}`);
  mkdirSync(dir, { recursive: true });
  const server = path.join(dir, 'server.yaml');
  const client = path.join(dir, 'client.yaml');
  writeFileSync(server, `bind: "127.0.0.1:${relayPort}"\ntoken: "${token}"\ntls: true\nproxy:\n  - remote_name: bench\n    port_list:\n      - { type: tcp, bind: "127.0.0.1:${pub}", remote: ${target} }\n`);
  const b = builds[build];
  // The in-app relay only has ranges agents may ask for: this agent asks for the public port itself.
  const expose = b.kind === 'ui' ? `expose:\n  - { local: ${target}, remote: ${pub} }\n` : '';
  writeFileSync(client, `name: "bench"\nserver: "127.0.0.1:${relayPort}"\ntoken: "${token}"\ntls: true\n${expose}`);
  const relayLog = logPath(`${build}-relay`);
  const uiPort = b.kind === 'ui' ? await freeTcpPort() : 0;
  const relayArgs =
    b.kind === 'worker'
      ? [path.join(import.meta.dirname, 'relay-worker-node.mjs'), path.join(b.dir, 'out/main'), JSON.stringify({ relayPort, pub, target, token, dir })]
      : b.kind === 'ui'
        ? [cli(b.dir), 'ui', '--data-dir', path.join(dir, 'ui'), '--listen', `127.0.0.1:${uiPort}`]
        : [cli(b.dir), 'relay', '--config', server, '--data-dir', path.join(dir, 'relay')];
  const relay = spawnProc(`${build}-relay`, process.execPath, [...(process.env.BENCH_TRACE_GC ? ['--trace-gc'] : []), ...relayArgs], { logFile: relayLog });
  if (b.kind === 'ui') await startInAppRelay(relayLog, relay, uiPort, relayPort, pub);
  else await waitFor(`${build} relay`, () => fileHas(relayLog, /Porthole relay listening/), relay, 15_000);
  const agentLog = logPath(`${build}-agent`);
  const agent = spawnProc(`${build}-agent`, process.execPath, [cli(builds.a.dir), 'agent', '--config', client, '--data-dir', path.join(dir, 'agent')], { logFile: agentLog });
  await waitFor(`${build} agent`, () => fileHas(agentLog, /connected to/) && isBound(pub, 'tcp'), agent, 15_000);
  return { relay, agent, pub, relayLog };
}

/** `porthole ui`: configures and starts its in-app relay over the API socket, as the Relay view does. */
async function startInAppRelay(logFile, proc, uiPort, relayPort, pub) {
  await waitFor('porthole ui', () => fileHas(logFile, /Porthole UI: \S+#token=/), proc, 15_000);
  const uiToken = /#token=(\S+)/.exec(readFileSync(logFile, 'utf8'))[1];
  const ws = new WebSocket(`ws://127.0.0.1:${uiPort}/api`, { headers: { Origin: `http://127.0.0.1:${uiPort}` } });
  const results = new Map();
  let ready;
  const isReady = new Promise((r) => (ready = r));
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString());
    if (m.t === 'ready') ready();
    if (m.t === 'result') results.get(m.id)?.(m.r);
  });
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  ws.send(JSON.stringify({ t: 'auth', token: uiToken }));
  await isReady;
  let id = 0;
  const call = (m, a) =>
    new Promise((resolve, reject) => {
      const n = ++id;
      results.set(n, (r) => (r.ok ? resolve(r.value) : reject(new Error(`${m}: ${r.error.message}`))));
      ws.send(JSON.stringify({ t: 'call', id: n, m, a }));
    });
  await call('relayServer.configure', { config: { bind: { host: '127.0.0.1', port: relayPort }, publicHost: '127.0.0.1', tls: true, agents: [{ name: 'bench', allowPorts: String(pub) }] }, tokens: { bench: token } });
  const status = await call('relayServer.start');
  if (!status.running) throw new Error(`in-app relay did not start: ${JSON.stringify(status.error)}`);
  ws.close();
}

async function measure(pair, extra) {
  const pid = pair.relay.child.pid;
  const c0 = cpuTicks(pid);
  const r = await iperf(pair.pub, 1, extra, seconds);
  const c1 = cpuTicks(pid);
  const gcs = fullGcCount(pair.relayLog); // --trace-gc lines (BENCH_TRACE_GC=1), any isolate of the relay process
  const fullGcs = gcs - (pair.gcSeen ?? 0);
  pair.gcSeen = gcs;
  if (r.error) return { error: r.error };
  const cpuS = (c1.user + c1.sys - c0.user - c0.sys) / CLK_TCK;
  return { gbps: r.gbps, cpuSPerGB: Math.round((cpuS / (r.bytes / 1e9)) * 1000) / 1000, ...(process.env.BENCH_TRACE_GC ? { fullGcs } : {}) };
}

const iperfPort = await freeTcpPort();
const iperfSrv = spawnProc('iperf3-server', 'iperf3', ['-s', '-p', String(iperfPort), '-B', '127.0.0.1'], { logFile: logPath('iperf3-server') });
await waitFor('iperf3 server', () => isBound(iperfPort, 'tcp'), iperfSrv);
const results = { a: { fwd: [], rev: [] }, b: { fwd: [], rev: [] } };
try {
  for (let round = 0; round < rounds; round++) {
    for (const build of round % 2 === 0 ? ['a', 'b'] : ['b', 'a']) {
      const pair = await onePair(build, iperfPort);
      await iperf(pair.pub, 1, [], 1); // warm-up: the pool fills, the JIT settles
      pair.gcSeen = fullGcCount(pair.relayLog);
      const fwd = await measure(pair, []);
      const rev = await measure(pair, ['-R']);
      results[build].fwd.push(fwd);
      results[build].rev.push(rev);
      log(`round ${round + 1} ${build}: → ${fwd.gbps} Gbit/s ${fwd.cpuSPerGB} CPU-s/GB${fwd.fullGcs !== undefined ? ` ${fwd.fullGcs} full GCs` : ''}; ← ${rev.gbps} Gbit/s ${rev.cpuSPerGB} CPU-s/GB${rev.fullGcs !== undefined ? ` ${rev.fullGcs} full GCs` : ''}${fwd.error || rev.error ? ` (${fwd.error ?? rev.error})` : ''}`);
      await stopProc(pair.agent);
      await stopProc(pair.relay);
    }
  }
} finally {
  await stopAll();
}
const med = (xs, k) => median(xs.filter((x) => !x.error).map((x) => x[k]));
for (const build of ['a', 'b']) {
  const r = results[build];
  log(`${build} (${builds[build].kind}:${builds[build].dir}): median → ${med(r.fwd, 'gbps')} Gbit/s, ${med(r.fwd, 'cpuSPerGB')} CPU-s/GB; ← ${med(r.rev, 'gbps')} Gbit/s, ${med(r.rev, 'cpuSPerGB')} CPU-s/GB (relay process, ${rounds} rounds × ${seconds} s)`);
}
log(JSON.stringify(results));
