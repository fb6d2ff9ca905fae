import type { Socket } from 'node:net';
import { ByteMeter } from '../engine/byte-meter';
import type { EngineError } from '../engine/engine-error';
import { closedConnection } from '../engine/forward-connection';
import type { ClosedConnection, ConnectionInfo } from '../engine/forward-connection';
import type { TapFactory } from '../engine/stream-tap';
import type { LiveConnection } from '../engine/tcp-forward';
import { ChannelConnection } from './channel-connection';

export type { ClosedConnection } from '../engine/forward-connection';

/** The same connection events as TcpForwarder, so the service treats every kind of tunnel alike. */
export interface SshForwardEvents {
  'connection-open': [ConnectionInfo];
  /** One connection failed; the forward stays up. Precedes its 'connection-close'. */
  'connection-error': [ConnectionInfo & { error: EngineError }];
  'connection-close': [ClosedConnection];
  /** The listener (local or remote) failed after start() resolved. */
  'listener-error': [EngineError];
}

export type Emit = <K extends keyof SshForwardEvents>(event: K, ...args: SshForwardEvents[K]) => void;

/** The live connections of one SSH forward: ids, meters, the open/error/close events, and "wait until all closed". */
export class ConnectionTable {
  readonly meter = new ByteMeter();
  private readonly live = new Set<ChannelConnection>();
  private idleWaiters: (() => void)[] = [];
  private nextId = 0;

  constructor(private readonly emit: Emit) {}

  get size(): number {
    return this.live.size;
  }

  /** Registers a new connection (socket side known, channel to come) and announces it. */
  open(socket: Socket, client: string, socketIsClient: boolean, tap?: TapFactory): ChannelConnection {
    const info: ConnectionInfo = { id: ++this.nextId, client, openedAt: Date.now() };
    const hooks = {
      onError: (c: ChannelConnection, error: EngineError) => this.emit('connection-error', { ...c.info, error }),
      onClose: (c: ChannelConnection) => this.onClose(c),
    };
    const conn = new ChannelConnection(info, socket, socketIsClient, this.meter, hooks, tap?.(info));
    this.live.add(conn);
    this.meter.activeConnections += 1;
    this.meter.totalConnections += 1;
    this.emit('connection-open', info);
    return conn;
  }

  list(): LiveConnection[] {
    return [...this.live].map((c) => ({ ...c.info, bytesIn: c.bytesIn, bytesOut: c.bytesOut, state: c.state }));
  }

  close(id: number): boolean {
    for (const c of this.live) {
      if (c.info.id === id) {
        c.abort();
        return true;
      }
    }
    return false;
  }

  abortAll(): void {
    for (const c of this.live) c.abort();
  }

  whenIdle(): Promise<void> {
    if (this.live.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private onClose(conn: ChannelConnection): void {
    if (!this.live.delete(conn)) return;
    this.meter.activeConnections -= 1;
    this.emit('connection-close', closedConnection(conn));
    if (this.live.size === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }
}
