#!/usr/bin/env node
// What the data plane's idle collection (src-main/dataplane/idle-gc.ts) trades, and what `porthole
// forward` costs per connection after a pause against the smallest node:net forwarder, measured side
// by side: two `porthole forward` processes (the built CLI, out/main/cli.js), one as shipped and one
// with PORTHOLE_IDLE_GC=0, and bench/tools/node-forward-ref.mjs, all in front of one echo target and
// all under node --trace-deopt-verbose. In rounds (order rotated), each gets a window of serial
// connections (bench/tools/connrate.mjs) and then waits while the others have theirs and IDLE_MS pass
// — the way `npm run bench` interleaves its contenders. Per window: connections/s and the forwarder's
// CPU µs per connection, all threads and split by thread (main: Porthole's control thread, the CLI and
// its per-connection log lines; busiest other: the data plane's worker; the rest: V8's helper threads
// and libuv's pool); per pause: how much optimized code V8 threw away because objects it was
// specialised on died ("marking dependent code … for deoptimization, reason: weak objects") — a full
// collection while no connection is open frees the last connection's objects, and the next window
// runs unoptimized until V8 has compiled the connection path again.
// Usage: node bench/tools/idle-pause.mjs [ROUNDS=6] [IDLE_MS=12000] [WINDOW_S=3]   (after npm run build)
// Prints a line per window and one JSON summary line (medians).
import { readFileSync } from 'node:fs';
import { startNodeServer, startPorthole } from '../lib/contenders.mjs';
import { CLK_TCK, threadTicks } from '../lib/cpu.mjs';
import { median } from '../lib/measure.mjs';
import { freeTcpPort, initTmpDir, log, runTool, sleep, stopAll } from '../lib/procs.mjs';

const [rounds, idleMs, windowS] = [6, 12_000, 3].map((d, i) => Number(process.argv[2 + i] ?? d));
const TICK_US = 1e6 / CLK_TCK;
const WEAK = /for deoptimization, reason: weak objects/g;

initTmpDir();
const target = await freeTcpPort();
await startNodeServer('echo', 'tcp-echo.mjs', target);
const NODE_ARGS = ['--trace-deopt-verbose'];
const contenders = [];
for (const [id, env] of [['idle collection on (as shipped)', {}], ['idle collection off (PORTHOLE_IDLE_GC=0)', { PORTHOLE_IDLE_GC: '0' }]]) {
  const port = await freeTcpPort();
  const entry = await startPorthole(id, port, target, { env: { ...process.env, ...env }, nodeArgs: NODE_ARGS });
  contenders.push({ id, port, entry, seen: 0, windows: [] });
}
{
  const id = 'node:net reference (node-forward-ref.mjs)';
  const port = await freeTcpPort();
  const entry = await startNodeServer(id, 'node-forward-ref.mjs', [port, target], { nodeArgs: NODE_ARGS });
  contenders.push({ id, port, entry, seen: 0, windows: [] });
}

/** µs per connection between two threadTicks readings: { total, main, busiest other thread, rest }. */
function perThread(pid, before, after, conns) {
  const us = (ticks) => (ticks * TICK_US) / conns;
  let main = 0;
  const others = [];
  for (const [tid, t] of after) {
    const d = t - (before.get(tid) ?? 0);
    if (tid === pid) main = d;
    else others.push(d);
  }
  others.sort((a, b) => b - a);
  const busiest = others[0] ?? 0;
  const rest = others.slice(1).reduce((a, b) => a + b, 0);
  return { us: us(main + busiest + rest), mainUs: us(main), busiestUs: us(busiest), restUs: us(rest) };
}
const discarded = (c) => {
  const n = (readFileSync(c.entry.logFile, 'utf8').match(WEAK) ?? []).length;
  const d = n - c.seen;
  c.seen = n;
  return d;
};
for (const c of contenders) discarded(c); // start-up's own

for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < contenders.length; i++) {
    const c = contenders[(i + r) % contenders.length];
    const afterPause = discarded(c);
    const pid = c.entry.child.pid;
    const before = threadTicks(pid);
    const res = await runTool('connrate.mjs', [c.port, windowS, 1], (windowS + 30) * 1000);
    if (res.error) throw new Error(`${c.id}: ${res.error}`);
    const cpu = perThread(pid, before, threadTicks(pid), res.conns);
    c.windows.push({ rate: res.rate, ...cpu, afterPause, during: discarded(c) });
    const split = `main ${cpu.mainUs.toFixed(0)}, busiest other ${cpu.busiestUs.toFixed(0)}, rest ${cpu.restUs.toFixed(0)}`;
    log(`round ${r} ${c.id}: ${res.rate.toFixed(0)} conn/s, ${cpu.us.toFixed(0)} CPU µs/conn (${split}); code discarded in the pause before: ${afterPause}, during: ${c.windows.at(-1).during}`);
    await sleep(idleMs);
  }
}
// Round 0 is the cold start (nothing compiled yet) and has no pause before it: left out of the medians.
const summary = contenders.map((c) => {
  const w = c.windows.slice(1);
  const med = (k) => Math.round(median(w.map((x) => x[k])));
  return { id: c.id, connPerS: med('rate'), cpuUsPerConn: med('us'), mainUs: med('mainUs'), busiestOtherUs: med('busiestUs'), restUs: med('restUs'), discardedPerPause: median(w.map((x) => x.afterPause)) };
});
log(JSON.stringify({ rounds, idleMs, windowS, summary }));
await stopAll();
