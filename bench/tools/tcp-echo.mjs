#!/usr/bin/env node
// TCP echo server for `npm run bench`. Usage: node tcp-echo.mjs [PORT]
// Prints one JSON line {"ready":true,"port":N} once listening. With an IPC channel it answers
// {cmd:'count'} with {count: <open connections>} (used by the idle-connection scenario).
import net from 'node:net';

const port = Number(process.argv[2] ?? 0);
let open = 0;
const server = net.createServer({ noDelay: true, backlog: 4096 }, (sock) => {
  open += 1;
  sock.on('error', () => undefined);
  sock.on('close', () => {
    open -= 1;
  });
  sock.pipe(sock);
});
server.on('error', (err) => {
  process.stderr.write(`tcp-echo: ${err.message}\n`);
  process.exit(1);
});
server.listen({ host: '127.0.0.1', port, backlog: 4096 }, () => {
  process.stdout.write(`${JSON.stringify({ ready: true, port: server.address().port })}\n`);
});
process.on('message', (msg) => {
  if (msg?.cmd === 'count') process.send?.({ count: open });
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
