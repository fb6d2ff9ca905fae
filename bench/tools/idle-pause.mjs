#!/usr/bin/env node
// What the data plane's idle collection (src-main/dataplane/idle-gc.ts) trades, measured side by side:
// two `porthole forward` processes (the built CLI, out/main/cli.js), one as shipped and one with
// PORTHOLE_IDLE_GC=0, both in front of one echo target and both under node --trace-deopt-verbose. In
// rounds (order rotated), each gets a window of serial connections (bench/tools/connrate.mjs) and then
// waits while the other has its window and IDLE_MS pass — the way `npm run bench` interleaves its
// contenders. Per window: connections/s and the forwarder's CPU µs per connection (every thread); per
// pause: how much optimized code V8 threw away because objects it was specialised on died ("marking
// dependent code … for deoptimization, reason: weak objects") — a full collection while no connection
// is open frees the last connection's objects, and the next window runs unoptimized until V8 has
// compiled the connection path again.
// Usage: node bench/tools/idle-pause.mjs [ROUNDS=6] [IDLE_MS=12000] [WINDOW_S=3]   (after npm run build)
// Prints a line per window and one JSON summary line (medians).
import { readFileSync } from 'node:fs';
import { startNodeServer, startPorthole } from '../lib/contenders.mjs';
import { cpuTicks } from '../lib/cpu.mjs';
import { median } from '../lib/measure.mjs';
import { freeTcpPort, initTmpDir, log, runTool, sleep, stopAll } from '../lib/procs.mjs';

const [rounds, idleMs, windowS] = [6, 12_000, 3].map((d, i) => Number(process.argv[2 + i] ?? d));
const TICK_US = 1e6 / 100; // /proc clock ticks (USER_HZ 100)
const WEAK = /for deoptimization, reason: weak objects/g;

initTmpDir();
const target = await freeTcpPort();
await startNodeServer('echo', 'tcp-echo.mjs', target);
const contenders = [];
for (const [id, env] of [['idle collection on (as shipped)', {}], ['idle collection off (PORTHOLE_IDLE_GC=0)', { PORTHOLE_IDLE_GC: '0' }]]) {
  const port = await freeTcpPort();
  const entry = await startPorthole(id, port, target, { env: { ...process.env, ...env }, nodeArgs: ['--trace-deopt-verbose'] });
  contenders.push({ id, port, entry, seen: 0, windows: [] });
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
    const before = cpuTicks(c.entry.child.pid);
    const res = await runTool('connrate.mjs', [c.port, windowS, 1], (windowS + 30) * 1000);
    if (res.error) throw new Error(`${c.id}: ${res.error}`);
    const after = cpuTicks(c.entry.child.pid);
    const us = ((after.user + after.sys - before.user - before.sys) * TICK_US) / res.conns;
    c.windows.push({ rate: res.rate, us, afterPause, during: discarded(c) });
    log(`round ${r} ${c.id}: ${res.rate.toFixed(0)} conn/s, ${us.toFixed(0)} CPU µs/conn; code discarded in the pause before: ${afterPause}, during: ${c.windows.at(-1).during}`);
    await sleep(idleMs);
  }
}
// Round 0 is the cold start (nothing compiled yet) and has no pause before it: left out of the medians.
const summary = contenders.map((c) => {
  const w = c.windows.slice(1);
  return { id: c.id, connPerS: Math.round(median(w.map((x) => x.rate))), cpuUsPerConn: Math.round(median(w.map((x) => x.us))), discardedPerPause: median(w.map((x) => x.afterPause)) };
});
log(JSON.stringify({ rounds, idleMs, windowS, summary }));
await stopAll();
