#!/usr/bin/env node
// Connection-rate client for `npm run bench`: each worker loops open → send 1 byte → receive the echo →
// end() → wait for 'close' (the echo server ends in turn), for SECONDS.
// Usage: node connrate.mjs PORT [SECONDS=3] [CONCURRENCY=1]
// Prints one JSON line: {"conns":N,"errors":N,"seconds":s,"rate":conn_per_s}.
import net from 'node:net';

const port = Number(process.argv[2]);
const seconds = Number(process.argv[3] ?? 3);
const concurrency = Number(process.argv[4] ?? 1);
const one = Buffer.from('x');
let conns = 0;
let errors = 0;
let lastError = '';

function cycle() {
  return new Promise((resolve) => {
    let failed = false;
    const s = net.connect({ host: '127.0.0.1', port, noDelay: true });
    s.once('connect', () => s.write(one));
    s.once('data', () => s.end());
    s.on('error', (err) => {
      failed = true;
      lastError = err.message;
    });
    s.once('close', () => {
      if (failed) errors += 1;
      else conns += 1;
      resolve(failed);
    });
  });
}

const start = performance.now();
const deadline = start + seconds * 1000;
async function worker() {
  while (performance.now() < deadline) {
    // Back off a little after an error so a broken contender does not spin.
    if (await cycle()) await new Promise((r) => setTimeout(r, 10));
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const elapsed = (performance.now() - start) / 1000;
process.stdout.write(
  `${JSON.stringify({ conns, errors, lastError: errors ? lastError : undefined, seconds: Math.round(elapsed * 1000) / 1000, rate: Math.round(conns / elapsed) })}\n`,
);
