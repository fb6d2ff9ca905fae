#!/usr/bin/env node
// Keep-alive HTTP load for `npm run bench` (the inspector scenarios): CONNECTIONS sockets, each sending
// GET PATH again as soon as the previous response has arrived, for SECONDS. Raw sockets and a minimal
// response reader (status line, Content-Length), so the client costs little next to what it measures.
// Usage: node http-load.mjs PORT PATH SECONDS CONNECTIONS
// Prints {"requests":N,"rps":…,"p50":ms,"p99":ms,"mbps":MB/s,"errors":N}.
import net from 'node:net';

const [port, path, seconds, connections] = [Number(process.argv[2]), process.argv[3] ?? '/1k', Number(process.argv[4] ?? 3), Number(process.argv[5] ?? 4)];
const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: porthole-bench\r\nAccept: */*\r\n\r\n`);
const latencies = [];
let bytes = 0;
let errors = 0;
let lastError = '';
const deadline = performance.now() + seconds * 1000;

function worker() {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port, noDelay: true });
    let sent = 0;
    let head = Buffer.alloc(0);
    let remaining = -1;
    const send = () => {
      if (performance.now() >= deadline) return s.end();
      sent = performance.now();
      s.write(request);
    };
    s.once('connect', send);
    s.on('data', (chunk) => {
      bytes += chunk.length;
      let c = chunk;
      while (c.length > 0) {
        if (remaining < 0) {
          head = head.length ? Buffer.concat([head, c]) : c;
          const end = head.indexOf('\r\n\r\n');
          if (end < 0) return;
          const text = head.subarray(0, end).toString('latin1');
          if (!text.startsWith('HTTP/1.1 200')) {
            errors++;
            lastError = text.split('\r\n')[0];
          }
          remaining = Number(/\r\ncontent-length:\s*(\d+)/i.exec(text)?.[1] ?? 0);
          c = head.subarray(end + 4);
          head = Buffer.alloc(0);
        }
        const take = Math.min(remaining, c.length);
        remaining -= take;
        c = c.subarray(take);
        if (remaining === 0) {
          remaining = -1;
          latencies.push(performance.now() - sent);
          send();
        }
      }
    });
    s.on('error', (err) => {
      errors++;
      lastError = err.message;
    });
    s.once('close', resolve);
  });
}

const t0 = performance.now();
await Promise.all(Array.from({ length: connections }, worker));
const took = (performance.now() - t0) / 1000;
latencies.sort((a, b) => a - b);
const q = (p) => (latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] * 1000) / 1000 : undefined);
process.stdout.write(
  `${JSON.stringify({ requests: latencies.length, rps: Math.round(latencies.length / took), p50: q(0.5), p99: q(0.99), mbps: Math.round(bytes / took / 1e5) / 10, errors, ...(lastError ? { lastError } : {}) })}\n`,
);
