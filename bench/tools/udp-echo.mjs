#!/usr/bin/env node
// UDP echo server for `npm run bench`. Usage: node udp-echo.mjs [PORT]
// Prints {"ready":true,"port":N}. Echoes every datagram to its sender.
import dgram from 'node:dgram';

const port = Number(process.argv[2] ?? 0);
const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024, sendBufferSize: 4 * 1024 * 1024 });
sock.on('message', (msg, rinfo) => sock.send(msg, rinfo.port, rinfo.address));
sock.on('error', (err) => {
  process.stderr.write(`udp-echo: ${err.message}\n`);
  process.exit(1);
});
sock.bind(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ ready: true, port: sock.address().port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
