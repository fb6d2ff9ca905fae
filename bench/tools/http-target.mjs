#!/usr/bin/env node
// Keep-alive HTTP server for the inspector scenarios of `npm run bench`: GET /1k answers 1 KiB, /1m
// 1 MiB (Content-Length, JSON-ish text so an inspector has something real to keep).
// Usage: node http-target.mjs [PORT]. Prints {"ready":true,"port":N} once listening.
import http from 'node:http';

const port = Number(process.argv[2] ?? 0);
const body = (n) => Buffer.from(`{"data":"${'x'.repeat(n - 11)}"}`);
const BODIES = { '/1k': body(1024), '/1m': body(1024 * 1024) };

const server = http.createServer((req, res) => {
  const b = BODIES[req.url] ?? BODIES['/1k'];
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': b.length });
  res.end(b);
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ ready: true, port: server.address().port })}\n`));
