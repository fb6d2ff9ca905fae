#!/usr/bin/env node
// The smallest two-process reverse tunnel with one TLS connection per public connection, joined with
// pipe(), as a reference for the relay scenarios of `npm run bench`: the transport of Porthole's data
// connections (TLS 1.3, AES-128-GCM, the relay's certificate) without anything else — no pool, no
// tickets, no handshake, meters or logs, and nothing loaded but node:tls (and pipe-both.mjs, which loads
// nothing). What this moves is what Node itself allows for that transport here.
//
//   tls-pipe-tunnel.mjs agent CERT KEY TARGET_PORT      TLS server on 127.0.0.1:0; each connection dials the target
//   tls-pipe-tunnel.mjs relay AGENT_PORT PUBLIC_PORT    each public connection dials a TLS connection to the agent
//
// Both print {"ready":true,"port":N} when listening.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { pipeBoth } from './pipe-both.mjs';

const TLS = { minVersion: 'TLSv1.3', ciphers: 'TLS_AES_128_GCM_SHA256' };
const ready = (port) => process.stdout.write(`${JSON.stringify({ ready: true, port })}\n`);

const [role, ...args] = process.argv.slice(2);
if (role === 'agent') {
  const [cert, key, target] = args;
  const server = tls.createServer({ cert: readFileSync(cert), key: readFileSync(key), allowHalfOpen: true, ...TLS }, (s) => pipeBoth(s, net.connect({ port: Number(target), host: '127.0.0.1', allowHalfOpen: true })));
  server.listen(0, '127.0.0.1', () => ready(server.address().port));
} else if (role === 'relay') {
  const [agentPort, pub] = args;
  const context = tls.createSecureContext(TLS);
  const server = net.createServer({ allowHalfOpen: true }, (sock) => pipeBoth(sock, tls.connect({ port: Number(agentPort), host: '127.0.0.1', secureContext: context, rejectUnauthorized: false, allowHalfOpen: true })));
  server.listen(Number(pub), '127.0.0.1', () => ready(Number(pub)));
} else {
  process.stderr.write('usage: tls-pipe-tunnel.mjs agent CERT KEY TARGET_PORT | relay AGENT_PORT PUBLIC_PORT\n');
  process.exit(2);
}
