// Real-socket UDP fixtures: every socket binds a loopback address (127.0.0.1 or ::1) and is registered
// with a UdpFixtures instance whose cleanup() (call it in afterEach) closes it.
import dgram from 'node:dgram';
import type { RemoteInfo, Socket as UdpSocket } from 'node:dgram';

export const LOOPBACK4 = '127.0.0.1';
export const LOOPBACK6 = '::1';

/** Live UDP handles in this process, to assert that a test left none behind. */
export function openUdpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;
}

function familyOf(host: string): 'udp4' | 'udp6' {
  return host.includes(':') ? 'udp6' : 'udp4';
}

/**
 * Collects the datagrams a socket receives, with event-driven waits (no polling): `until(n)` resolves
 * once n datagrams have arrived and rejects with a message saying how many did if the deadline passes.
 */
export class Inbox {
  readonly messages: Buffer[] = [];
  readonly senders: RemoteInfo[] = [];
  private waiters: { n: number; wake: () => void }[] = [];

  constructor(socket: UdpSocket) {
    socket.on('message', (msg, rinfo) => {
      this.messages.push(msg);
      this.senders.push(rinfo);
      this.waiters = this.waiters.filter((w) => {
        if (this.messages.length < w.n) return true;
        w.wake();
        return false;
      });
    });
  }

  get count(): number {
    return this.messages.length;
  }

  until(n: number, what = `${n} datagrams`, timeoutMs = 5000): Promise<void> {
    if (this.messages.length >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.wake !== wake);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (got ${this.messages.length})`));
      }, timeoutMs);
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ n, wake });
    });
  }
}

export interface UdpPeer {
  socket: UdpSocket;
  host: string;
  port: number;
  inbox: Inbox;
}

export class UdpFixtures {
  private readonly sockets = new Set<UdpSocket>();
  private readonly closing = new Map<UdpSocket, Promise<void>>();

  /** A socket bound to host:port (default an OS-chosen port), collecting what it receives. */
  async bind(host: string = LOOPBACK4, port = 0): Promise<UdpPeer> {
    const socket = this.socket(dgram.createSocket(familyOf(host)));
    const inbox = new Inbox(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: host, port }, () => {
        socket.removeListener('error', reject);
        resolve();
      });
    });
    return { socket, host, port: socket.address().port, inbox };
  }

  /** Sends every datagram straight back to its sender; the inbox records what reached the target. */
  async echoServer(host: string = LOOPBACK4): Promise<UdpPeer> {
    const peer = await this.bind(host);
    peer.socket.on('message', (msg, rinfo) => peer.socket.send(msg, rinfo.port, rinfo.address));
    return peer;
  }

  /** A client socket bound to `from` (any loopback address, e.g. 127.0.0.2) on an OS-chosen port. */
  client(from: string = LOOPBACK4): Promise<UdpPeer> {
    return this.bind(from);
  }

  /** A UDP port on host that was free a moment ago and has nothing bound to it now. */
  async freePort(host: string = LOOPBACK4): Promise<number> {
    const { socket, port } = await this.bind(host);
    await this.close(socket);
    return port;
  }

  /** Registers a socket for cleanup and keeps its errors from going unhandled. */
  socket(socket: UdpSocket): UdpSocket {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => this.sockets.delete(socket));
    return socket;
  }

  /** Closes a socket once (later calls share the first close); resolves when it has closed. */
  close(socket: UdpSocket): Promise<void> {
    let closing = this.closing.get(socket);
    if (closing === undefined) {
      if (!this.sockets.has(socket)) return Promise.resolve();
      closing = new Promise((resolve) => socket.close(() => resolve()));
      this.closing.set(socket, closing);
    }
    return closing;
  }

  async cleanup(): Promise<void> {
    await Promise.all([...this.sockets].map((s) => this.close(s)));
    this.sockets.clear();
    this.closing.clear();
  }
}
