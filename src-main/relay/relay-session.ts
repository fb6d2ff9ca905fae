import type { Socket as UdpSocket } from 'node:dgram';
import { type ClientHttp2Session, type ClientHttp2Stream, constants as h2c } from 'node:http2';
import type { Server, Socket } from 'node:net';
import { formatHostPort } from '../../src-shared/format/address';
import type { ByteMeter } from '../engine/byte-meter';
import { type AgentHello, encodeLine, type ExposureInfo, type RelayMessage } from './protocol';
import { type DataPool, ShortBurst } from './relay-data-pool';
import type { RelayAgentPolicy } from './relay-policy';

// The relay server's state per agent session (made by relay-accept.ts, kept by agent name in
// relay-state.ts): the session itself, its public ports and their connections.

export interface PublicConn {
  id: number;
  client: string;
  openedAt: number;
  bytesIn: number;
  bytesOut: number;
  kill(): void;
}

/** One public port of one agent session. */
export class PublicPort {
  readonly conns = new Map<number, PublicConn>();
  /** Whether its next TCP connection should take a data connection (relay-data-pool.ts). */
  readonly shortBurst = new ShortBurst();
  server: Server | undefined;
  udp: UdpSocket | undefined;
  udpStream: ClientHttp2Stream | undefined;
  host = '';
  port = 0;
  private nextConn = 1;

  constructor(
    readonly id: string,
    readonly session: AgentSession,
    readonly protocol: 'tcp' | 'udp',
    readonly kind: 'tcp' | 'http',
    readonly source: 'config' | 'agent',
    readonly meter: ByteMeter,
    readonly localPort?: number,
    readonly ref?: string,
    readonly name?: string,
  ) {}

  info(): ExposureInfo {
    return { id: this.id, protocol: this.protocol, kind: this.kind, publicHost: this.host, publicPort: this.port, ...(this.localPort ? { localPort: this.localPort } : {}) };
  }

  get address(): string {
    return formatHostPort(this.host, this.port);
  }

  track(client: string, kill: () => void): PublicConn {
    const c = { id: this.nextConn++, client, openedAt: Date.now(), bytesIn: 0, bytesOut: 0, kill };
    this.conns.set(c.id, c);
    return c;
  }

  /** A TCP connection from track() has closed (on either path): out of the table and the meter, and told to shortBurst. */
  connectionClosed(c: PublicConn): void {
    this.conns.delete(c.id);
    this.meter.activeConnections--;
    this.shortBurst.closed(c.bytesIn + c.bytesOut, Date.now() - c.openedAt);
  }

  async close(): Promise<void> {
    for (const c of this.conns.values()) c.kill();
    this.udpStream?.close(h2c.NGHTTP2_CANCEL);
    const closing: Array<Promise<void>> = [];
    if (this.server) {
      const s = this.server;
      closing.push(new Promise((r) => s.close(() => r())));
    }
    if (this.udp) {
      const u = this.udp;
      closing.push(new Promise((r) => u.close(() => r())));
    }
    this.server = undefined;
    this.udp = undefined;
    await Promise.all(closing);
  }
}

/** One authenticated agent connection: its HTTP/2 session (the relay is the client) and its ports. */
export class AgentSession {
  readonly ports = new Map<string, PublicPort>();
  readonly byRef = new Map<string, PublicPort>();
  /** Per exposure ref, the last of its control messages in hand: the next one waits for it (relay-control.ts). */
  readonly turns = new Map<string, Promise<void>>();
  /** Expose requests past the exposure cap whose ports are still being opened: they count against it (relay-control.ts). */
  exposing = 0;
  /** Fixed ports asked for by expose requests in hand, with how many ask for each: requests for any port leave them be. */
  readonly claimed = new Map<number, number>();
  control: ClientHttp2Stream | undefined;
  /** Set once the agent accepted data connections. */
  data: DataPool | undefined;
  heartbeat: NodeJS.Timeout | undefined;
  /** While a heartbeat PING waits for its answer: the deadline that ends the session (relay-session-life.ts). */
  heartbeatDeadline: NodeJS.Timeout | undefined;
  closed = false;
  readonly since = Date.now();

  constructor(
    readonly id: string,
    readonly name: string,
    readonly policy: RelayAgentPolicy,
    readonly address: string,
    readonly socket: Socket,
    readonly h2: ClientHttp2Session,
    readonly hello: AgentHello,
    readonly dataKey: Buffer,
  ) {}

  send(msg: RelayMessage): void {
    const c = this.control;
    if (c && !c.destroyed && c.writable) c.write(encodeLine(msg));
  }
}
