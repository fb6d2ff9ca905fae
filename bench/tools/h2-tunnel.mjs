#!/usr/bin/env node
// The smallest two-process reverse tunnel over TLS + node:http2, as a reference for the relay scenarios
// of `npm run bench`: the same transport Porthole's relay uses (HTTP/2 with the relay side as client,
// one stream per public connection, the shipped windows), without anything else — no handshake, no
// policy, no meters, no logs, no heartbeat. What this moves is what the stack itself allows here.
//
//   h2-tunnel.mjs agent CERT KEY TARGET_PORT          HTTP/2 server on 127.0.0.1:0; each stream dials the target
//   h2-tunnel.mjs relay AGENT_PORT PUBLIC_PORT        dials the agent; each public connection becomes a stream
//
// Both print {"ready":true,"port":N} when listening. Windows: PORTHOLE_BENCH_STREAM_WINDOW / _SESSION_WINDOW
// / _MAX_FRAME (the bench passes the shipped values of src-main/relay/h2-windows.ts).
// PORTHOLE_BENCH_TLS_FIRST=N (relay side): the first N public connections each go on a TLS connection of
// their own to the agent's port instead (no ALPN, joined with pipe() on both sides, as tls-pipe-tunnel.mjs
// does), the rest on streams as before — what a process that has carried a few TLS-socket joins does to
// the speed of its HTTP/2 path, with no Porthole code (tools/relay-pair-compare.mjs --refs h2,h2-tls8 --fresh).
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { pipeBoth } from './pipe-both.mjs';

const num = (name) => Number(process.env[`PORTHOLE_BENCH_${name}`]);
const STREAM = num('STREAM_WINDOW');
const SESSION = num('SESSION_WINDOW');
const FRAME = num('MAX_FRAME');
let tlsFirst = Number(process.env.PORTHOLE_BENCH_TLS_FIRST ?? 0);
if (!(STREAM > 0 && SESSION > 0 && FRAME > 0)) {
  process.stderr.write('h2-tunnel: PORTHOLE_BENCH_STREAM_WINDOW, _SESSION_WINDOW and _MAX_FRAME must be set\n');
  process.exit(2);
}
const settings = { initialWindowSize: STREAM, maxFrameSize: FRAME };
const ready = (port) => process.stdout.write(`${JSON.stringify({ ready: true, port })}\n`);

/** Both directions between a socket and a stream; either side failing ends both. */
function join(sock, stream) {
  sock.setNoDelay(true);
  sock.pipe(stream).on('error', () => sock.destroy());
  stream.pipe(sock).on('error', () => stream.destroy());
  sock.on('error', () => stream.destroy());
  stream.on('error', () => sock.destroy());
}

const [role, ...args] = process.argv.slice(2);
if (role === 'agent') {
  const [cert, key, target] = args;
  const server = http2.createSecureServer({ cert: readFileSync(cert), key: readFileSync(key), settings, ALPNProtocols: ['h2'], unknownProtocolTimeout: 2 ** 31 - 1 });
  server.on('session', (s) => s.setLocalWindowSize(SESSION));
  // A connection that asked for no ALPN protocol is a relay's TLS_FIRST connection: a raw copy to the target.
  server.on('unknownProtocol', (sock) => pipeBoth(sock, net.connect({ port: Number(target), host: '127.0.0.1', allowHalfOpen: true })));
  server.on('stream', (stream) => {
    stream.respond({ ':status': 200 });
    join(net.connect(Number(target), '127.0.0.1'), stream);
  });
  server.listen(0, '127.0.0.1', () => ready(server.address().port));
} else if (role === 'relay') {
  const [agentPort, pub] = args;
  // The bench's own certificate on loopback; Porthole pins it by fingerprint, this reference skips that.
  const session = http2.connect(`https://127.0.0.1:${agentPort}`, { settings, rejectUnauthorized: false });
  session.on('error', (err) => {
    process.stderr.write(`h2-tunnel relay: ${err.message}\n`);
    process.exit(1);
  });
  session.once('connect', () => {
    session.setLocalWindowSize(SESSION);
    const context = tls.createSecureContext({ minVersion: 'TLSv1.3', ciphers: 'TLS_AES_128_GCM_SHA256' });
    const server = net.createServer((sock) => {
      if (tlsFirst > 0) {
        tlsFirst--;
        return pipeBoth(sock, tls.connect({ port: Number(agentPort), host: '127.0.0.1', secureContext: context, rejectUnauthorized: false, allowHalfOpen: true }));
      }
      join(sock, session.request({ ':method': 'POST', ':path': '/' }, { endStream: false }));
    });
    server.listen(Number(pub), '127.0.0.1', () => ready(Number(pub)));
  });
} else {
  process.stderr.write('usage: h2-tunnel.mjs agent CERT KEY TARGET_PORT | relay AGENT_PORT PUBLIC_PORT\n');
  process.exit(2);
}
