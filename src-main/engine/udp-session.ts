import dgram from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import dns from 'node:dns';
import { isIP } from 'node:net';
import { ByteMeter, METER_CELLS } from './byte-meter';
import type { EngineError } from './engine-error';
import { udpTargetError } from './engine-error';

export interface UdpMeterSnapshot {
  bytesIn: number;
  bytesOut: number;
  activeConnections: number;
  totalConnections: number;
  packetsIn: number;
  packetsOut: number;
  /** Datagrams accepted from a client or the target but not passed on (queue bounds, failed sessions). */
  dropped: number;
  /** Datagrams turned away by the source filter or the session limit. */
  refused: number;
}

/**
 * A ByteMeter with datagram counts: activeConnections = live sessions, totalConnections = sessions ever.
 * snapshot() keeps the TCP shape so the service can treat every forwarder alike; udpSnapshot() has it all.
 */
export class UdpMeter extends ByteMeter {
  constructor() {
    super(METER_CELLS + 4);
  }

  get packetsIn(): number {
    return this.cells[METER_CELLS]!;
  }
  set packetsIn(v: number) {
    this.cells[METER_CELLS] = v;
  }
  get packetsOut(): number {
    return this.cells[METER_CELLS + 1]!;
  }
  set packetsOut(v: number) {
    this.cells[METER_CELLS + 1] = v;
  }
  get dropped(): number {
    return this.cells[METER_CELLS + 2]!;
  }
  set dropped(v: number) {
    this.cells[METER_CELLS + 2] = v;
  }
  get refused(): number {
    return this.cells[METER_CELLS + 3]!;
  }
  set refused(v: number) {
    this.cells[METER_CELLS + 3] = v;
  }

  udpSnapshot(): UdpMeterSnapshot {
    return {
      ...this.snapshot(),
      packetsIn: this.packetsIn,
      packetsOut: this.packetsOut,
      dropped: this.dropped,
      refused: this.refused,
    };
  }
}

export interface UdpSessionInfo {
  id: number;
  /** The client's address as host:port (IPv6 bracketed). */
  client: string;
  openedAt: number;
}

export interface UdpSessionHooks {
  meter: UdpMeter;
  /** Replies leave through the listening socket, so the client sees them come from the port it sent to. */
  listener: UdpSocket;
  /** At most once per session; the owner is expected to close the session in response. */
  onFailure(session: UdpSession, error: EngineError): void;
}

// Datagrams that arrive while the upstream socket is still resolving/binding/connecting wait here;
// beyond these bounds they are dropped, as a router would.
const MAX_PENDING_DATAGRAMS = 64;
const MAX_PENDING_BYTES = 256 * 1024;
// When the kernel's send buffer is full libuv queues datagrams in user space without limit; past this
// many queued bytes new datagrams are dropped instead, so an overloaded peer cannot exhaust memory.
const MAX_SEND_QUEUE_BYTES = 4 * 1024 * 1024;
// A few MiB of kernel buffer absorb bursts while the event loop is busy (Linux caps it at
// net.core.rmem_max / wmem_max; it is a limit, not an allocation).
export const UDP_SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

type SessionState = 'resolving' | 'connecting' | 'open' | 'closed';

const closedAlready: Promise<void> = Promise.resolve();

/**
 * One client address:port and its own upstream socket, connect()ed to the target so the kernel drops
 * datagrams from anyone else and reports ICMP errors (e.g. port unreachable) on it.
 * The owner routes the client's datagrams in with fromClient() and ends the session with close().
 */
export class UdpSession {
  bytesIn = 0;
  bytesOut = 0;
  packetsIn = 0;
  packetsOut = 0;
  lastActivity: number;
  private state: SessionState = 'resolving';
  private socket: UdpSocket | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private closing: Promise<void> | undefined;

  constructor(
    readonly info: UdpSessionInfo,
    /** As reported by the listening socket (an IPv4 client of a dual-stack listener is ::ffff:a.b.c.d). */
    readonly clientAddress: string,
    readonly clientPort: number,
    private readonly target: { host: string; port: number },
    private readonly hooks: UdpSessionHooks,
  ) {
    this.lastActivity = info.openedAt;
  }

  /** Resolves the target (once, for this session) and opens the upstream socket; call once. */
  open(): void {
    const { host, port } = this.target;
    const family = isIP(host);
    if (family !== 0) {
      this.connect(host, family);
      return;
    }
    dns.lookup(host, (err, address, resolvedFamily) => {
      if (this.state === 'closed') return;
      if (err) this.fail(udpTargetError(err, host, port));
      else this.connect(address, resolvedFamily);
    });
  }

  /** A datagram from the client; `now` is passed in so one clock read serves the whole receive. */
  fromClient(msg: Buffer, now: number): void {
    this.lastActivity = now;
    if (this.state === 'open') {
      this.forward(msg);
    } else if (
      this.state !== 'closed' &&
      this.pending.length < MAX_PENDING_DATAGRAMS &&
      this.pendingBytes + msg.length <= MAX_PENDING_BYTES
    ) {
      this.pending.push(msg);
      this.pendingBytes += msg.length;
    } else {
      this.hooks.meter.dropped += 1;
    }
  }

  /** Closes the upstream socket (if any); resolves once it has closed. Idempotent. */
  close(): Promise<void> {
    if (this.state === 'closed') return this.closing ?? closedAlready;
    this.state = 'closed';
    this.hooks.meter.dropped += this.pending.length;
    this.pending = [];
    this.pendingBytes = 0;
    const socket = this.socket;
    if (socket === undefined) return closedAlready;
    // Closing mid-bind or mid-connect is safe: dgram checks for a closed handle when those finish.
    this.closing = new Promise((resolve) => socket.close(() => resolve()));
    return this.closing;
  }

  private connect(address: string, family: number): void {
    const { host, port } = this.target;
    this.state = 'connecting';
    const socket = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4' });
    this.socket = socket;
    // Every socket error (bind, connect, an ICMP error reported by recvmsg) ends this session only.
    socket.on('error', (err) => this.fail(udpTargetError(err, host, port)));
    socket.on('message', (msg) => this.fromTarget(msg));
    // Bind explicitly rather than letting connect() do it: dgram's implicit bind queues a close() made
    // meanwhile and forgets it if that bind fails, which would leave the socket open forever.
    socket.once('listening', () => {
      if (this.state === 'closed') return;
      setBufferSizes(socket);
      try {
        socket.connect(port, address, (err?: Error) => {
          if (this.state === 'closed') return;
          if (err) this.fail(udpTargetError(err, host, port));
          else this.onConnected();
        });
      } catch (err) {
        // Only argument validation throws here (e.g. target port 0).
        this.fail(udpTargetError(err, host, port));
      }
    });
    socket.bind({ port: 0, exclusive: true });
  }

  private onConnected(): void {
    this.state = 'open';
    const queued = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    for (const msg of queued) this.forward(msg);
  }

  private forward(msg: Buffer): void {
    const socket = this.socket as UdpSocket;
    const meter = this.hooks.meter;
    if (socket.getSendQueueSize() > MAX_SEND_QUEUE_BYTES) {
      meter.dropped += 1;
      return;
    }
    // No callback: with one, dgram schedules a nextTick per datagram. An ICMP error pending on the
    // socket surfaces through recvmsg as 'error'; if a send swallows it instead, the target answers
    // the next datagram with another ICMP error, which recvmsg then reports.
    socket.send(msg);
    this.bytesIn += msg.length;
    this.packetsIn += 1;
    meter.bytesIn += msg.length;
    meter.packetsIn += 1;
  }

  private fromTarget(msg: Buffer): void {
    // Before connect() completes the socket accepts datagrams from anyone; only the target's count.
    if (this.state !== 'open') return;
    const { listener, meter } = this.hooks;
    this.lastActivity = Date.now();
    if (listener.getSendQueueSize() > MAX_SEND_QUEUE_BYTES) {
      meter.dropped += 1;
      return;
    }
    listener.send(msg, this.clientPort, this.clientAddress);
    this.bytesOut += msg.length;
    this.packetsOut += 1;
    meter.bytesOut += msg.length;
    meter.packetsOut += 1;
  }

  private fail(error: EngineError): void {
    if (this.state === 'closed') return;
    this.hooks.onFailure(this, error);
    // In case the owner did not close it, a failed session must not keep its socket.
    void this.close();
  }
}

/** Raises a socket's kernel buffers; failures (e.g. a platform that refuses) only cost throughput. */
export function setBufferSizes(socket: UdpSocket): void {
  try {
    socket.setRecvBufferSize(UDP_SOCKET_BUFFER_BYTES);
  } catch {
    // Keep the default size.
  }
  try {
    socket.setSendBufferSize(UDP_SOCKET_BUFFER_BYTES);
  } catch {
    // Keep the default size.
  }
}
