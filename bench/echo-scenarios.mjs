// Round trip and connection-rate scenarios of `npm run bench` (ids `rtt` and `cps`), all against one Node
// echo target (bench/tools/tcp-echo.mjs):
//
//   rtt               64 B ping-pong over one established connection (bench/tools/pingpong.mjs)
//   cps1, cps32       open → 1 B echo → end → close, serial and 32 concurrent (bench/tools/connrate.mjs),
//                     with each forwarder's CPU time per connection (its process, and socat's children)
//
// The contenders are the target directly, `porthole forward`, socat and haproxy (the main table), and
// in the connection-rate runs two Node forwarders that are not Porthole: the smallest one on node:net
// (accept, dial, pipe(): bench/tools/node-forward-ref.mjs) and one on Node's raw libuv handles with no
// JavaScript socket layer (bench/tools/raw-forward-ref.mjs). Those two say what bounds the serial
// figure: how fast a forwarder written in Node can turn connections over on this machine at all.
import { CFG } from './lib/config.mjs';
import { startHaproxy, startNodeServer, startPorthole, startSocat } from './lib/contenders.mjs';
import { withCpu } from './lib/cpu.mjs';
import { warmConnectionPath } from './lib/measure.mjs';
import { descendants, freeTcpPort, runTool } from './lib/procs.mjs';
import { fmt, fmtRatio, ratio } from './lib/report.mjs';

export const ECHO_MAIN = ['direct', 'porthole', 'socat', 'haproxy'];
const REFS = [
  { id: 'node-net', tool: 'node-forward-ref.mjs', label: 'reference, not Porthole: the smallest forwarder on node:net (accept, dial, pipe(); bench/tools/node-forward-ref.mjs)' },
  { id: 'node-raw', tool: 'raw-forward-ref.mjs', label: "reference, not Porthole: a forwarder on Node's raw libuv handles, no net.Socket or streams (bench/tools/raw-forward-ref.mjs)" },
];
const LABEL = {
  direct: 'direct (no forwarder)',
  porthole: 'porthole forward',
  socat: 'socat (TCP-LISTEN,fork)',
  haproxy: 'haproxy (mode tcp, nbthread 2)',
  ...Object.fromEntries(REFS.map((r) => [r.id, r.label])),
};

/** { scenarios, report(M, get) → { section, notes } }; `rtt` and `cps` say which to run. */
export async function setupEcho({ rtt, cps }) {
  const t = await freeTcpPort();
  await startNodeServer('tcp-echo', 'tcp-echo.mjs', t);
  const ports = { direct: t };
  for (const c of [...ECHO_MAIN.slice(1), ...(cps ? REFS.map((r) => r.id) : [])]) ports[c] = await freeTcpPort();
  const pids = {
    porthole: (await startPorthole('porthole-echo', ports.porthole, t)).child.pid,
    socat: (await startSocat('socat-echo', ports.socat, t)).child.pid,
    haproxy: (await startHaproxy('haproxy-echo', ports.haproxy, t)).child.pid,
  };
  const scenarios = [];
  if (rtt) {
    scenarios.push({ id: 'rtt', contenders: ECHO_MAIN, run: (c) => runTool('pingpong.mjs', [ports[c], CFG.pingCount, CFG.pingWarmup, CFG.pingSize], 60_000) });
  }
  if (cps) {
    for (const ref of REFS) pids[ref.id] = (await startNodeServer(ref.id, ref.tool, [ports[ref.id], t])).child.pid;
    const contenders = [...ECHO_MAIN, ...REFS.map((r) => r.id)];
    for (const c of contenders.filter((x) => x !== 'direct')) await warmConnectionPath(ports[c], CFG.cpsConcurrency);
    // socat forks a process per connection: its own CPU counts those it reaped, descendants() the rest.
    const group = (c) => (c === 'socat' ? () => [pids.socat, ...descendants(pids.socat)] : [pids[c]]);
    const measured = async (c, concurrency) => {
      const run = () => runTool('connrate.mjs', [ports[c], CFG.cpsSeconds, concurrency], (CFG.cpsSeconds + 20) * 1000);
      if (c === 'direct') return run();
      const r = await withCpu({ fwd: group(c) }, run);
      if (!r.error && r.conns > 0) r.cpuUsPerConn = Math.round(((r.fwdCpuPct / 100) * r.seconds * 1e6) / r.conns);
      return r;
    };
    for (const [id, concurrency] of [
      ['cps1', 1],
      [`cps${CFG.cpsConcurrency}`, CFG.cpsConcurrency],
    ]) {
      scenarios.push({ id, contenders, run: (c) => measured(c, concurrency) });
    }
  }
  return { scenarios, report: (M, get) => cpsReport(M, get) };
}

/** The connection-rate table of every contender, with CPU per connection, and what bounds the serial figure. */
function cpsReport(M, get) {
  const many = `cps${CFG.cpsConcurrency}`;
  if (!M.cps1) return { section: undefined, notes: [] };
  const contenders = Object.keys(M.cps1);
  const rate = (id, c) => get(id, c, 'rate');
  const us = (id, c) => (c === 'direct' ? '–' : fmt(get(id, c, 'cpuUsPerConn'), 0));
  const lines = [
    `| Connections/s (open → 1 B echo → close) | serial | ÷ socat | CPU µs per connection ↓ | ${CFG.cpsConcurrency} concurrent | ÷ socat | CPU µs per connection ↓ |`,
    '|---|---:|---:|---:|---:|---:|---:|',
    ...contenders.map(
      (c) =>
        `| ${LABEL[c] ?? c} | ${fmt(rate('cps1', c))} | ${fmtRatio(ratio(rate('cps1', c), rate('cps1', 'socat')))} | ${us('cps1', c)} | ${fmt(rate(many, c))} | ${fmtRatio(ratio(rate(many, c), rate(many, 'socat')))} | ${us(many, c)} |`,
    ),
  ];
  const notes = [];
  const d = rate('cps1', 'direct');
  const s = rate('cps1', 'socat');
  if (d && s) {
    // A serial client waits for each connection to end before it opens the next: the rate is 1 / (the
    // direct connection's time + what the forwarder adds), so 2× socat leaves a forwarder this much.
    const budget = 1e6 / (2 * s) - 1e6 / d;
    const added = (c) => (rate('cps1', c) ? `${c} ${fmt(1e6 / rate('cps1', c) - 1e6 / d)}` : undefined);
    notes.push(
      `Connections/s serial, what bounds it: a serial client opens the next connection when the last has closed, so the rate is 1 ÷ (the direct connection's time + what the forwarder adds). Direct ${fmt(d)}/s and socat ${fmt(s)}/s: 2× socat leaves a forwarder ${fmt(budget)} µs per connection; added here (µs): ${contenders.filter((c) => c !== 'direct').map(added).filter(Boolean).join(', ')}. The two Node references are the floor for a forwarder written in Node on this machine: the one on raw libuv handles runs no JavaScript socket layer at all (Porthole's TCP forwards splice on the same handles, with meters, events and timers), and what it adds is its syscalls and wake-ups (accept, connect, two reads, two writes, two shutdowns, two closes, and epoll between them).`,
    );
  }
  return { section: lines.join('\n'), notes };
}
