#!/usr/bin/env node
// UDP load client for `npm run bench`: sends SIZE-byte datagrams carrying a sequence number at a fixed
// offered RATE (datagrams/s) for SECONDS to 127.0.0.1:PORT, counts distinct echoes.
// Usage: node udp-load.mjs PORT RATE [SECONDS=3] [SIZE=64]
// Prints {"offered":pps,"sent":N,"received":N,"lossPct":x,"achievedPps":x,"sendPps":x}.
// Loss is end to end (request or echo lost). Pacing: every ~1 ms timer tick it sends what is due, so
// bursts are RATE/1000 datagrams (no busy loop: the client must not steal a core from the forwarder).
import dgram from 'node:dgram';

const port = Number(process.argv[2]);
const rate = Number(process.argv[3]);
const seconds = Number(process.argv[4] ?? 3);
const size = Math.max(8, Number(process.argv[5] ?? 64));
const total = Math.round(rate * seconds);
const seen = new Uint8Array(total);
let received = 0;
let sent = 0;

const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024, sendBufferSize: 4 * 1024 * 1024 });
sock.on('error', () => undefined); // ICMP port unreachable etc.: counted as loss
sock.on('message', (msg) => {
  if (msg.length < 4) return;
  const seq = msg.readUInt32BE(0);
  if (seq < total && seen[seq] === 0) {
    seen[seq] = 1;
    received += 1;
  }
});
sock.connect(port, '127.0.0.1', () => {
  const pool = Array.from({ length: 64 }, () => Buffer.alloc(size, 0x75));
  const t0 = performance.now();
  let sendEnd = t0;
  const tick = () => {
    const elapsed = (performance.now() - t0) / 1000;
    const due = Math.min(total, Math.floor(elapsed * rate));
    while (sent < due) {
      // dgram copies the data into the kernel asynchronously; rotate buffers so an in-flight one is not rewritten.
      const buf = pool[sent % pool.length];
      buf.writeUInt32BE(sent, 0);
      sock.send(Buffer.from(buf));
      sent += 1;
    }
    if (sent < total) setTimeout(tick, 1);
    else {
      sendEnd = performance.now();
      setTimeout(finish, 300);
    }
  };
  const finish = () => {
    const sendSeconds = (sendEnd - t0) / 1000;
    const r = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
    process.stdout.write(
      `${JSON.stringify({ offered: rate, sent, received, lossPct: r(((sent - received) / sent) * 100, 3), achievedPps: r(received / sendSeconds, 0), sendPps: r(sent / sendSeconds, 0) })}\n`,
    );
    sock.close();
    process.exit(0);
  };
  tick();
});
