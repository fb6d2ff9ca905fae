#!/usr/bin/env node
// What connections left idle after a download cost the transfers that come after them, in one
// `porthole forward` process (the data plane's read pool is per thread): N connections each fetch
// 1 MiB through it and stay open; after WAIT_MS one more connection uploads as fast as it can for 5 s.
// Prints its rate, the forwarder's CPU seconds per GB (every thread, /proc), the data plane's full GCs
// during the upload (node --trace-gc) and the forwarder's RSS. An A/B of two builds: give each build's
// out/ directory (copied under this checkout's node_modules/.cache so that its imports resolve) in turn.
// Usage: node bench/tools/idle-after-bulk.mjs OUT_DIR [LABEL] [N=300] [WAIT_MS=5000]
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freeTcpPort, isBound, spawnProc, stopAll, waitFor } from '../lib/procs.mjs';

const [outDir, label = outDir, nText = '300', waitText = '5000'] = process.argv.slice(2);
if (!outDir) throw new Error('usage: idle-after-bulk.mjs OUT_DIR [LABEL] [N=300] [WAIT_MS=5000]');
const N = Number(nText);
const WAIT_MS = Number(waitText);
const BLOB = Buffer.alloc(1 << 20, 7);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const target = net.createServer((s) => {
  s.on('error', () => undefined);
  // 'g': 1 MiB down, then the connection idles; anything else: a sink.
  s.once('data', (d) => (d[0] === 0x67 ? s.write(BLOB) : s.on('data', () => undefined)));
});
await new Promise((r) => target.listen(0, '127.0.0.1', r));
const port = await freeTcpPort();
let output = '';
const entry = spawnProc('porthole-forward', process.execPath, ['--trace-gc', path.join(outDir, 'main', 'cli.js'), 'forward', `127.0.0.1:${port}`, `127.0.0.1:${target.address().port}`]);
const fwd = entry.child;
fwd.stdout.on('data', (d) => (output += d));
fwd.stderr.on('data', (d) => (output += d));
await waitFor('porthole forward', () => isBound(port, 'tcp'), entry);
const cpuSeconds = () => {
  const f = readFileSync(`/proc/${fwd.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const rssMiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${fwd.pid}/status`, 'utf8'))[1]) / 1024;
// The data plane is the worker: its isolate is not the main thread's (the first one --trace-gc names).
const fullGcs = () => {
  const isolates = [...output.matchAll(/^\[\d+:(0x[0-9a-f]+)\]/gm)].map((m) => m[1]);
  const main = isolates[0];
  return [...output.matchAll(/^\[\d+:(0x[0-9a-f]+)\]\s+[\d.]+ ms: Mark-Compact/gm)].filter((m) => m[1] !== main).length;
};

const idle = [];
await Promise.all(
  Array.from({ length: N }, () => new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1', () => c.write('g'));
    let n = 0;
    c.on('data', (d) => (n += d.length) >= BLOB.length && resolve());
    c.on('error', reject);
    idle.push(c);
  })),
);
const rssAfterFetch = rssMiB();
await sleep(WAIT_MS);
const up = net.connect(port, '127.0.0.1');
await new Promise((r) => up.once('connect', r));
up.write('s');
const chunk = Buffer.alloc(1 << 20, 1);
let sent = 0;
let stop = false;
const pump = () => {
  while (!stop && up.write(chunk)) sent += chunk.length;
};
up.on('drain', pump);
const cpu0 = cpuSeconds();
const gc0 = fullGcs();
const t0 = Date.now();
pump();
await sleep(5000);
stop = true;
const seconds = (Date.now() - t0) / 1000;
const cpu = cpuSeconds() - cpu0;
console.log(JSON.stringify({ label, idleConnections: N, waitMs: WAIT_MS, uploadGbitps: +((sent * 8) / seconds / 1e9).toFixed(2), cpuSecPerGB: +(cpu / (sent / 1e9)).toFixed(2), fullGcsDuringUpload: fullGcs() - gc0, rssAfterFetchMiB: +rssAfterFetch.toFixed(1), rssMiB: +rssMiB().toFixed(1) }));
for (const s of idle) s.destroy();
up.destroy();
await stopAll();
target.close();
