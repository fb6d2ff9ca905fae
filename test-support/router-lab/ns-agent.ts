import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { prng } from '../prng';

// Runs inside one namespace of the router lab and does what a test asks on stdin, one JSON command
// per line, answering one JSON line each: serve bytes, echo datagrams, fetch, ask. The test process
// itself stays in the host namespace, so every socket of a lab test lives in here.

type Cmd =
  | { id: number; op: 'tcp-source'; host: string; port: number; bytes: number; seed: number }
  | { id: number; op: 'udp-echo'; host: string; port: number }
  | { id: number; op: 'tcp-fetch'; host: string; port: number; timeoutMs: number }
  | { id: number; op: 'udp-ask'; host: string; port: number; count: number; timeoutMs: number };

/** `bytes` of seeded noise, so both ends can know the hash without sending it. */
export function noise(bytes: number, seed: number): Buffer {
  const rnd = prng(seed);
  const b = Buffer.alloc(bytes);
  for (let i = 0; i + 4 <= bytes; i += 4) b.writeUInt32LE((rnd() * 0x100000000) >>> 0, i);
  return b;
}

const closers: (() => void)[] = [];

async function tcpSource(c: Extract<Cmd, { op: 'tcp-source' }>) {
  const data = noise(c.bytes, c.seed);
  const server = net.createServer((s) => {
    s.on('error', () => undefined);
    s.end(data);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(c.port, c.host, resolve));
  closers.push(() => server.close());
  return { port: (server.address() as net.AddressInfo).port, sha256: createHash('sha256').update(data).digest('hex') };
}

async function udpEcho(c: Extract<Cmd, { op: 'udp-echo' }>) {
  const s = dgram.createSocket('udp4');
  s.on('message', (m, from) => s.send(Buffer.concat([Buffer.from('echo:'), m]), from.port, from.address));
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(c.port, c.host, () => resolve());
  });
  closers.push(() => s.close());
  return { port: s.address().port };
}

function tcpFetch(c: Extract<Cmd, { op: 'tcp-fetch' }>) {
  return new Promise((resolve) => {
    const hash = createHash('sha256');
    let bytes = 0;
    const s = net.connect({ host: c.host, port: c.port });
    const timer = setTimeout(() => s.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })), c.timeoutMs);
    s.on('data', (d: Buffer) => {
      bytes += d.length;
      hash.update(d);
    });
    s.on('end', () => {
      clearTimeout(timer);
      s.destroy();
      resolve({ bytes, sha256: hash.digest('hex') });
    });
    s.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ error: err.code ?? err.message, bytes });
    });
  });
}

function udpAsk(c: Extract<Cmd, { op: 'udp-ask' }>) {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const received: string[] = [];
    const done = () => {
      clearTimeout(timer);
      s.close();
      resolve({ received });
    };
    const timer = setTimeout(done, c.timeoutMs);
    s.on('error', () => undefined);
    s.on('message', (m) => {
      received.push(m.toString());
      if (received.length === c.count) done();
    });
    s.connect(c.port, c.host, () => {
      for (let i = 0; i < c.count; i++) s.send(`datagram-${i}`, () => undefined);
    });
  });
}

export function runNsAgent(): void {
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    let cmd: Cmd;
    try {
      cmd = JSON.parse(line) as Cmd;
    } catch {
      return;
    }
    const work: Promise<unknown> =
      cmd.op === 'tcp-source' ? tcpSource(cmd) : cmd.op === 'udp-echo' ? udpEcho(cmd) : cmd.op === 'tcp-fetch' ? tcpFetch(cmd) : udpAsk(cmd);
    work.then(
      (value) => process.stdout.write(`${JSON.stringify({ id: cmd.id, ok: true, value })}\n`),
      (err: Error) => process.stdout.write(`${JSON.stringify({ id: cmd.id, ok: false, error: err.message })}\n`),
    );
  });
  // The test closes stdin to end the agent: everything it opened goes with it.
  rl.on('close', () => {
    for (const c of closers) c();
    process.exit(0);
  });
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
}
