#!/usr/bin/env node
// Connection-setup latency through a SOCKS5 proxy for `npm run bench`: N sequential cycles of
// connect (SOCKS5 CONNECT to 127.0.0.1:TARGET via the proxy, or straight to TARGET when PROXY_PORT is 0)
// → send SIZE bytes → receive the echo → end → wait for 'close'. Warm-up cycles are not counted.
// Stops early after MAX_SECONDS (a slow proxy must not stretch the run).
// Usage: node socks-connrate.mjs PROXY_PORT TARGET_PORT [N=200] [SIZE=64] [WARMUP=10] [MAX_SECONDS=3]
// Prints one JSON line: {"conns","errors","seconds","rate","p50","p90","p99"} (latencies in ms).
import net from 'node:net';
import { SocksClient } from 'socks';

const [proxyPort, targetPort] = [Number(process.argv[2]), Number(process.argv[3])];
const n = Number(process.argv[4] ?? 200);
const size = Number(process.argv[5] ?? 64);
const warmup = Number(process.argv[6] ?? 10);
const maxSeconds = Number(process.argv[7] ?? 3);
const payload = Buffer.alloc(size, 'p');

async function open() {
  if (proxyPort === 0) {
    const s = net.connect({ host: '127.0.0.1', port: targetPort, noDelay: true });
    await new Promise((resolve, reject) => {
      s.once('connect', resolve);
      s.once('error', reject);
    });
    return s;
  }
  const { socket } = await SocksClient.createConnection({
    proxy: { host: '127.0.0.1', port: proxyPort, type: 5 },
    command: 'connect',
    destination: { host: '127.0.0.1', port: targetPort },
    timeout: 10_000,
  });
  socket.setNoDelay(true);
  return socket;
}

async function cycle() {
  const s = await open();
  await new Promise((resolve, reject) => {
    let got = 0;
    s.on('data', (d) => {
      got += d.length;
      if (got >= size) s.end();
    });
    s.once('error', reject);
    s.once('close', () => (got >= size ? resolve() : reject(new Error(`closed after ${got}/${size} bytes`))));
    s.write(payload);
  });
}

const lat = [];
let errors = 0;
let lastError = '';
const deadline = performance.now() + maxSeconds * 1000;
for (let i = 0; i < warmup + n && performance.now() < deadline; i++) {
  const t = performance.now();
  try {
    await cycle();
    if (i >= warmup) lat.push(performance.now() - t);
  } catch (err) {
    errors += 1;
    lastError = err.message;
    await new Promise((r) => setTimeout(r, 10));
  }
}
const total = lat.reduce((a, b) => a + b, 0) / 1000;
lat.sort((a, b) => a - b);
const q = (p) => (lat.length ? Math.round(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] * 1000) / 1000 : undefined);
process.stdout.write(
  `${JSON.stringify({ conns: lat.length, errors, lastError: errors ? lastError : undefined, seconds: Math.round(total * 1000) / 1000, rate: Math.round(lat.length / total), p50: q(0.5), p90: q(0.9), p99: q(0.99) })}\n`,
);
