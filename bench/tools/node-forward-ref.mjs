#!/usr/bin/env node
// The smallest TCP forwarder Node can be: accept, dial the target, pipe() both ways — no data plane
// thread, meters, events, timers, keepalive or onread. The reference for what Node itself costs per
// connection (issue 13's connections/s target): run it beside porthole forward, socat and haproxy
// with bench/tools/connrate.mjs and compare connections/s and the forwarder's CPU per connection.
// Usage: node node-forward-ref.mjs LISTEN_PORT TARGET_PORT   (both on 127.0.0.1; prints {"ready":true})
import net from 'node:net';

const [listenPort, targetPort] = process.argv.slice(2).map(Number);
const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
  const target = net.connect({ host: '127.0.0.1', port: targetPort, allowHalfOpen: true, noDelay: true });
  client.on('error', () => target.destroy());
  target.on('error', () => client.destroy());
  client.pipe(target);
  target.pipe(client);
});
server.listen({ host: '127.0.0.1', port: listenPort, backlog: 4096 }, () => process.stdout.write(`${JSON.stringify({ ready: true, port: server.address().port })}\n`));
process.on('SIGTERM', () => process.exit(0));
