// Real-socket fixtures for network tests: everything binds 127.0.0.1 port 0 and is registered with a
// NetFixtures instance whose cleanup() (call it in afterEach) closes every server, socket and child.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

import { freeLoopbackPort } from './free-port';
import { waitFor } from './tmp';

export { waitFor };

export const LOOPBACK = '127.0.0.1';

/** The first port of net.ipv4.ip_local_port_range (Linux; 32768, its default, elsewhere). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 2048 ? low : 32768;
  } catch {
    return 32768;
  }
}

export interface TestServer {
  server: Server;
  port: number;
  /** Accepted sockets, in order. */
  accepted: Socket[];
}

/** Resolves when the socket has closed (at once if it already has). */
export function closed(socket: Socket): Promise<void> {
  if (socket.closed) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

/** Reads a socket to its end, hashing as it goes so large transfers need no big buffer. */
export function readToEnd(socket: Socket): Promise<{ bytes: number; sha256: string; text: string }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let bytes = 0;
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
      if (head.length < 4096) head += chunk.toString('latin1');
    });
    socket.once('end', () => resolve({ bytes, sha256: hash.digest('hex'), text: head }));
    socket.once('error', reject);
  });
}

/** Live TCP handles (sockets and listeners) in this process, to assert that a test left none behind. */
export function openTcpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length;
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Random bytes sent one way and checked end to end: send(n) writes n of them into `from` and resolves
 * once `to` has received everything sent so far; intact() tells whether what `to` received is what was
 * sent, in order. (`from` and `to` may be one socket, for an echo.)
 */
export function transfer(from: Socket, to: Socket): { send(bytes: number): Promise<void>; intact(): boolean } {
  const sent: Buffer[] = [];
  const got: Buffer[] = [];
  let sentBytes = 0;
  let gotBytes = 0;
  to.on('data', (c: Buffer) => {
    got.push(c);
    gotBytes += c.length;
  });
  return {
    send: async (bytes) => {
      const chunk = randomBytes(bytes);
      sent.push(chunk);
      sentBytes += bytes;
      const want = sentBytes;
      from.write(chunk);
      await waitFor(() => gotBytes >= want, `${want} bytes through`);
    },
    intact: () => sha256(Buffer.concat(got)) === sha256(Buffer.concat(sent)),
  };
}

export class NetFixtures {
  private readonly servers = new Set<Server>();
  private readonly sockets = new Set<Socket>();
  private readonly children = new Set<ChildProcess>();

  /** A server on 127.0.0.1:0 calling onSocket for each accepted socket (half-open allowed). */
  async server(onSocket: (socket: Socket) => void = () => undefined, port = 0, host = LOOPBACK): Promise<TestServer> {
    const accepted: Socket[] = [];
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      this.socket(socket);
      accepted.push(socket);
      onSocket(socket);
    });
    this.servers.add(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
    return { server, port: (server.address() as AddressInfo).port, accepted };
  }

  /** Echoes everything back and passes the client's FIN back once all data is echoed. */
  echoServer(): Promise<TestServer> {
    return this.server((socket) => socket.pipe(socket));
  }

  /** Sends `payload` to `port` and half-closes; what came back before the close (an echo returns the payload), once the socket closed. */
  async roundTrip(port: number, payload: Buffer): Promise<{ bytes: number; sha256: string }> {
    const client = await this.connect(port);
    const got = readToEnd(client);
    client.end(payload);
    const { bytes, sha256: digest } = await got;
    await closed(client);
    return { bytes, sha256: digest };
  }

  /** Connects to 127.0.0.1:port (or opts.host) and resolves once connected. */
  async connect(port: number, opts: { allowHalfOpen?: boolean; host?: string } = {}): Promise<Socket> {
    const socket = this.socket(net.connect({ host: opts.host ?? LOOPBACK, port, allowHalfOpen: opts.allowHalfOpen ?? true }));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => {
        socket.removeListener('error', reject);
        resolve();
      });
      socket.once('error', reject);
    });
    return socket;
  }

  /** 'connected' if a TCP connection to 127.0.0.1:port opens (it is closed again at once), else the error's code. */
  async connectOutcome(port: number): Promise<string> {
    try {
      (await this.connect(port)).destroy();
      return 'connected';
    } catch (err) {
      return (err as NodeJS.ErrnoException).code ?? String(err);
    }
  }

  /** Registers a socket for cleanup and keeps its errors from going unhandled. */
  socket(socket: Socket): Socket {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => this.sockets.delete(socket));
    return socket;
  }

  /** A port that was free a moment ago and has nothing listening on it now, never one this process was given before (see freeLoopbackPort). */
  freePort(): Promise<number> {
    return freeLoopbackPort();
  }

  /**
   * A free port below the kernel's ephemeral range, for a test that closes a listener and binds the same
   * port again. A port from freePort() lies inside that range, where any outgoing connection on the
   * machine (parallel test files, the agent's own data connections) may take it as its source port
   * while it is free, and the second bind then fails with EADDRINUSE (seen once in CI).
   * With `count`, the first of that many free ports in a row (a range for a relay's allow_ports).
   */
  async stablePort(count = 1): Promise<number> {
    const low = ephemeralLow();
    const from = Math.max(1024, low - 12_000);
    const free = (port: number) =>
      new Promise<boolean>((resolve) => {
        const probe = net.createServer();
        probe.once('error', () => resolve(false));
        probe.listen({ host: LOOPBACK, port, exclusive: true }, () => probe.close(() => resolve(true)));
      });
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = from + Math.floor(Math.random() * (low - from - count));
      let ok = true;
      for (let i = 0; ok && i < count; i++) ok = await free(port + i);
      if (ok) return port;
    }
    throw new Error(`no ${count} free port(s) in a row found between ${from} and ${low - 1}`);
  }

  /**
   * A loopback port where a TCP handshake never completes, without leaving loopback: a child process
   * listens with backlog 1 and then blocks its event loop, so it never accepts. Once `fillers` of our
   * connections sit in its full accept queue, Linux drops further SYNs (tcp_abort_on_overflow=0), and a
   * connect hangs in SYN_SENT — exactly what a firewall that drops packets looks like.
   */
  async unacceptingPort(): Promise<number> {
    const script = `
      const net = require('node:net');
      const s = net.createServer().listen({ port: 0, host: '${LOOPBACK}', backlog: 1 }, () => {
        require('node:fs').writeSync(1, s.address().port + '\\n');
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.children.add(child);
    const port = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    });
    // Backlog 1 holds two completed handshakes on Linux; open a few more so the queue is surely full,
    // and wait until the two that fit have connected.
    let connected = 0;
    for (let i = 0; i < 4; i++) {
      const s = this.socket(net.connect({ host: LOOPBACK, port }));
      s.once('connect', () => (connected += 1));
    }
    await waitFor(() => connected >= 2, 'the unaccepting listener to fill its accept queue');
    return port;
  }

  async cleanup(): Promise<void> {
    const waits: Promise<unknown>[] = [];
    for (const socket of this.sockets) {
      waits.push(closed(socket));
      socket.destroy();
    }
    for (const server of this.servers) {
      waits.push(new Promise((resolve) => server.close(resolve)));
    }
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) {
        waits.push(new Promise((resolve) => child.once('exit', resolve)));
        child.kill('SIGKILL');
      }
    }
    this.servers.clear();
    this.children.clear();
    await Promise.all(waits);
  }
}
