#!/usr/bin/env node
// Round-trip latency client for `npm run bench`: one TCP connection, SIZE-byte message, wait for the
// full echo, repeat. Usage: node pingpong.mjs PORT [COUNT=5000] [WARMUP=500] [SIZE=64]
// Prints one JSON line: {"count":N,"p50":us,"p90":us,"p99":us,"mean":us,"min":us,"max":us}.
import net from 'node:net';

const port = Number(process.argv[2]);
const count = Number(process.argv[3] ?? 5000);
const warmup = Number(process.argv[4] ?? 500);
const size = Number(process.argv[5] ?? 64);
const msg = Buffer.alloc(size, 0x61);
const samples = new Float64Array(count);

const sock = net.connect({ host: '127.0.0.1', port, noDelay: true });
sock.on('error', (err) => {
  process.stderr.write(`pingpong: ${err.message}\n`);
  process.exit(1);
});
let i = -warmup;
let got = 0;
let t0 = 0n;
function send() {
  got = 0;
  t0 = process.hrtime.bigint();
  sock.write(msg);
}
sock.on('data', (chunk) => {
  got += chunk.length;
  if (got < size) return;
  const dt = Number(process.hrtime.bigint() - t0) / 1000;
  if (i >= 0) samples[i] = dt;
  i += 1;
  if (i < count) send();
  else done();
});
sock.once('connect', send);

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
function done() {
  const s = Array.from(samples).sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const r = (x) => Math.round(x * 10) / 10;
  process.stdout.write(
    `${JSON.stringify({ count, p50: r(pct(s, 50)), p90: r(pct(s, 90)), p99: r(pct(s, 99)), mean: r(mean), min: r(s[0]), max: r(s[s.length - 1]) })}\n`,
  );
  sock.end();
  sock.once('close', () => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
}
