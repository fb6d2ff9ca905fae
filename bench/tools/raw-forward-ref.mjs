#!/usr/bin/env node
// A TCP forwarder on Node's raw libuv handles (process.binding('tcp_wrap'), 'stream_wrap'): accept, dial
// the target, copy both ways, pass each FIN on, close — with no net.Socket, no streams, no events, no
// timers, meters, connection table or keepalive. Not Porthole, which splices on the same handles
// (src-main/engine/raw-connection.ts) with all of those: the reference for how few CPU-µs per connection
// Node itself can take when nothing of its JavaScript socket layer runs, beside node-forward-ref.mjs
// (the smallest forwarder on node:net) in the connections/s scenarios of `npm run bench`.
// Usage: node raw-forward-ref.mjs LISTEN_PORT TARGET_PORT   (both on 127.0.0.1; prints {"ready":true})
const { TCP, TCPConnectWrap, constants } = process.binding('tcp_wrap');
const { ShutdownWrap, WriteWrap, kReadBytesOrError, kArrayBufferOffset, kLastWriteWasAsync, streamBaseState } = process.binding('stream_wrap');

const UV_EOF = -4095;
const HOST = '127.0.0.1';
const [listenPort, targetPort] = process.argv.slice(2).map(Number);

/** One accepted client and its target connection; both handles close together. */
function splice(client) {
  const target = new TCP(constants.SOCKET);
  let closed = false;
  let finished = 0;
  const close = () => {
    if (closed) return;
    closed = true;
    client.close();
    target.close();
  };
  // from → to: each read is written at once; a write libuv has to queue (the kernel buffer was full)
  // stops reading from `from` until it completes, so at most one read per direction is in flight.
  const copy = (from, to) => {
    from.onread = (arrayBuffer) => {
      const n = streamBaseState[kReadBytesOrError];
      if (n > 0) {
        const req = new WriteWrap();
        req.handle = to;
        req.oncomplete = (status) => (status < 0 ? close() : from.readStart());
        if (to.writeBuffer(req, Buffer.from(arrayBuffer, streamBaseState[kArrayBufferOffset], n)) !== 0) close();
        else if (streamBaseState[kLastWriteWasAsync]) from.readStop();
      } else if (n === UV_EOF) {
        const req = new ShutdownWrap();
        req.handle = to;
        req.oncomplete = () => {
          if (++finished === 2) close();
        };
        if (to.shutdown(req) !== 0) close();
      } else if (n < 0) close();
    };
    from.readStart();
  };
  const req = new TCPConnectWrap();
  req.oncomplete = (status) => {
    if (status < 0 || closed) return close();
    target.setNoDelay(true);
    copy(client, target);
    copy(target, client);
  };
  client.setNoDelay(true);
  if (target.connect(req, HOST, targetPort) !== 0) close();
}

const server = new TCP(constants.SERVER);
const fail = (what, code) => {
  process.stderr.write(`raw-forward-ref: ${what} failed (${code})\n`);
  process.exit(1);
};
let err = server.bind(HOST, listenPort);
if (err) fail(`bind ${HOST}:${listenPort}`, err);
server.onconnection = (status, client) => {
  if (status === 0 && client) splice(client);
};
err = server.listen(4096);
if (err) fail('listen', err);
process.stdout.write(`${JSON.stringify({ ready: true, port: listenPort })}\n`);
process.on('SIGTERM', () => process.exit(0));
