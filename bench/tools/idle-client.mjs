#!/usr/bin/env node
// Opens N connections (in batches), sends 1 byte on each and waits for its echo, so every connection is
// proven to reach the target; then holds them all idle. Needs an IPC channel:
// sends {opened:N, errors:N, ms}, then on {cmd:'close'} destroys everything and exits.
// Usage: node idle-client.mjs PORT [N=10000] [BATCH=500]
import net from 'node:net';

const port = Number(process.argv[2]);
const n = Number(process.argv[3] ?? 10000);
const batch = Number(process.argv[4] ?? 500);
const socks = [];
let errors = 0;
let lastError = '';

function open() {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port, noDelay: true });
    let settled = false;
    const finish = (ok) => {
      if (settled) return;
      settled = true;
      if (ok) socks.push(s);
      else errors += 1;
      resolve();
    };
    s.on('error', (err) => {
      lastError = err.message;
      finish(false);
    });
    s.once('connect', () => s.write('x'));
    s.once('data', () => finish(true));
    s.once('close', () => finish(false));
  });
}

const t0 = performance.now();
for (let i = 0; i < n; i += batch) {
  await Promise.all(Array.from({ length: Math.min(batch, n - i) }, open));
}
process.send({ opened: socks.length, errors, lastError: errors ? lastError : undefined, ms: Math.round(performance.now() - t0) });
process.on('message', (msg) => {
  if (msg?.cmd !== 'close') return;
  for (const s of socks) s.destroy();
  process.exit(0);
});
process.on('disconnect', () => process.exit(0));
