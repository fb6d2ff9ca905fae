import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { formatHostPort } from '../../src-shared/format/address';
import type { ByteMeter } from '../engine/byte-meter';
import { plainAddress } from '../engine/client-address';
import { EngineError, listenError } from '../engine/engine-error';
import type { TapFactory } from '../engine/stream-tap';
import type { LiveConnection } from '../engine/tcp-forward';
import { closeChannel } from './channel-connection';
import { ConnectionTable } from './connection-table';
import type { Emit, SshForwardEvents } from './connection-table';
import type { SshSession } from './ssh-session';

export interface LocalForwardOptions {
  /** Port 0 lets the OS pick one (start() resolves with it). */
  listen: { host: string; port: number };
  /** Resolved and dialled by the SSH server, not here. */
  target: { host: string; port: number };
  /** How long opening the channel may take (the server's connect to the target); default 10 000 ms. */
  connectTimeoutMs?: number;
  /** Observes each connection's bytes (the HTTP inspector). */
  tap?: TapFactory;
}

/**
 * `ssh -L`: accepts locally and opens a direct-tcpip channel through the session for each client.
 * While the session is down, clients are reset at once with an error saying why, rather than left
 * hanging; when it is lost, every open connection is reset (their channels died with it).
 */
export class LocalForwarder extends EventEmitter<SshForwardEvents> {
  private readonly table = new ConnectionTable(this.emit.bind(this) as Emit);
  private server: Server | undefined;
  private readonly onSessionDown = (): void => this.table.abortAll();

  constructor(
    private readonly session: SshSession,
    private readonly opts: LocalForwardOptions,
  ) {
    super();
  }

  get meter(): ByteMeter {
    return this.table.meter;
  }

  get connectionCount(): number {
    return this.table.size;
  }

  connections(): LiveConnection[] {
    return this.table.list();
  }

  closeConnection(id: number): boolean {
    return this.table.close(id);
  }

  /** Resolves with the bound address; rejects with an EngineError (PORT_IN_USE, …) and then holds nothing. */
  start(): Promise<{ host: string; port: number }> {
    const { host, port } = this.opts.listen;
    if (this.server) return Promise.reject(new EngineError('INTERNAL', `The SSH forward on ${formatHostPort(host, port)} is already running — stop it first`));
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true });
    this.server = server;
    server.on('connection', (socket) => this.accept(socket));
    this.session.on('down', this.onSessionDown);
    return new Promise((resolve, reject) => {
      server.once('error', (err) => {
        this.server = undefined;
        this.session.off('down', this.onSessionDown);
        reject(listenError(err, host, port));
      });
      server.listen({ host, port }, () => {
        server.removeAllListeners('error');
        server.on('error', (err) => this.emit('listener-error', listenError(err, host, port)));
        const addr = server.address() as AddressInfo;
        resolve({ host: addr.address, port: addr.port });
      });
    });
  }

  /** Closes the listener and resets every connection; resolves when all are closed. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.session.off('down', this.onSessionDown);
    const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    this.table.abortAll();
    await Promise.all([closed, this.table.whenIdle()]);
  }

  private accept(socket: Socket): void {
    if (!this.server) {
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    const address = plainAddress(socket.remoteAddress);
    const conn = this.table.open(socket, formatHostPort(address, socket.remotePort ?? 0), true, this.opts.tap);
    const { host, port } = this.opts.target;
    const timeoutMs = this.opts.connectTimeoutMs ?? 10_000;
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      conn.fail(
        new EngineError(
          'TARGET_TIMEOUT',
          `${formatHostPort(host, port)} did not answer ${this.session.label} within ${Math.round(timeoutMs / 1000)} s — check the target address and port`,
        ),
      );
    }, timeoutMs);
    this.session.forwardOut(address, socket.remotePort ?? 0, host, port).then(
      (channel) => {
        clearTimeout(timer);
        // attach() also copes with a connection that was reset meanwhile (it closes the channel).
        if (settled) closeChannel(channel);
        else conn.attach(channel);
        settled = true;
      },
      (err: unknown) => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        conn.fail(err instanceof EngineError ? err : new EngineError('INTERNAL', String(err), err));
      },
    );
  }
}
