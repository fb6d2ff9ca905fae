#!/usr/bin/env node
// HTTP server for the SSH/SOCKS scenarios of `npm run bench`: GET /big?mib=N streams N MiB of zeros
// (default 256, with Content-Length), any other path answers 64 bytes. Usage: node http-blob.mjs [PORT]
// Prints one JSON line {"ready":true,"port":N} once listening.
import http from 'node:http';

const port = Number(process.argv[2] ?? 0);
const CHUNK = Buffer.alloc(1 << 20);
const TINY = Buffer.alloc(64, 'x');

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname !== '/big') {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': TINY.length });
    res.end(TINY);
    return;
  }
  const mib = Math.max(1, Math.min(4096, Number(url.searchParams.get('mib') ?? 256)));
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': mib * CHUNK.length });
  let left = mib;
  const pump = () => {
    while (left > 0) {
      left -= 1;
      if (!res.write(CHUNK)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  res.on('close', () => (left = 0));
  pump();
});
server.keepAliveTimeout = 1000;
server.on('error', (err) => {
  process.stderr.write(`http-blob: ${err.message}\n`);
  process.exit(1);
});
server.listen({ host: '127.0.0.1', port, backlog: 1024 }, () => {
  process.stdout.write(`${JSON.stringify({ ready: true, port: server.address().port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
