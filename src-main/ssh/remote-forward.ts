import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { AcceptConnection, ClientChannel, RejectConnection, TcpConnectionDetails } from 'ssh2';
import { formatHostPort } from '../../src-shared/format/address';
import type { ByteMeter } from '../engine/byte-meter';
import { connectDeadline } from '../engine/connect-deadline';
import { EngineError, connectError } from '../engine/engine-error';
import type { LiveConnection } from '../engine/tcp-forward';
import { ConnectionTable } from './connection-table';
import type { Emit, SshForwardEvents } from './connection-table';
import type { SshSession } from './ssh-session';

export interface RemoteForwardOptions {
  /** Where the SSH server listens; port 0 lets the server choose (see `boundPort` / 'bound'). */
  remote: { host: string; port: number };
  /** Dialled from this machine for each connection the server forwards. */
  target: { host: string; port: number };
  connectTimeoutMs?: number;
}

export interface RemoteForwardEvents extends SshForwardEvents {
  /** The server listens (again): after start() and after every reconnect. */
  bound: [{ host: string; port: number }];
}

/**
 * `ssh -R`: the server listens and forwards each connection here, where it is spliced to the local
 * target. The server forgets the forward when the connection drops, so it is requested again on
 * every 'ready' of the session — on the same port; a server-chosen port is asked for again first and
 * only replaced (with a new 'bound') when it is gone.
 */
export class RemoteForwarder extends EventEmitter<RemoteForwardEvents> {
  private readonly table = new ConnectionTable(this.emit.bind(this) as Emit);
  private running = false;
  private bound: number | undefined;
  private readonly onReady = (): void => {
    this.bind().catch((err: unknown) => this.emit('listener-error', asEngineError(err)));
  };
  private readonly onDown = (): void => {
    // `bound` is kept: it is the port a reconnect asks for first.
    this.table.abortAll();
  };

  constructor(
    private readonly session: SshSession,
    private readonly opts: RemoteForwardOptions,
  ) {
    super();
  }

  /** The port the server listens on (the assigned one for port 0); undefined until bound. */
  get boundPort(): number | undefined {
    return this.bound;
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

  /**
   * Binds now and again after every reconnect until stop(). The promise reports the first attempt
   * only: when it rejects (session down, port taken) the forward stays armed and binds on the next
   * 'ready'; call stop() to give up.
   */
  async start(): Promise<{ host: string; port: number }> {
    if (!this.running) {
      this.running = true;
      this.session.on('ready', this.onReady);
      this.session.on('down', this.onDown);
    }
    const port = await this.bind();
    return { host: this.opts.remote.host, port };
  }

  /** Cancels the remote listener and resets every connection; resolves when all are closed. */
  async stop(): Promise<void> {
    if (this.running) {
      this.running = false;
      this.session.off('ready', this.onReady);
      this.session.off('down', this.onDown);
      if (this.bound !== undefined) await this.session.unforwardIn(this.opts.remote.host, this.bound);
    }
    this.bound = undefined;
    this.table.abortAll();
    await this.table.whenIdle();
  }

  private async bind(): Promise<number> {
    const host = this.opts.remote.host;
    const handler = (d: TcpConnectionDetails, accept: AcceptConnection<ClientChannel>, reject: RejectConnection): void =>
      this.incoming(d, accept, reject);
    let port: number;
    const previous = this.bound;
    if (this.opts.remote.port === 0 && previous !== undefined) {
      // Keep the address people were given, if the server still lets us have it.
      port = await this.session.forwardIn(host, previous, handler).catch(() => this.session.forwardIn(host, 0, handler));
    } else {
      port = await this.session.forwardIn(host, this.opts.remote.port, handler);
    }
    if (!this.running) {
      await this.session.unforwardIn(host, port);
      return port;
    }
    this.bound = port;
    this.emit('bound', { host, port });
    return port;
  }

  private incoming(details: TcpConnectionDetails, accept: AcceptConnection<ClientChannel>, reject: RejectConnection): void {
    if (!this.running) {
      reject();
      return;
    }
    const { host, port } = this.opts.target;
    const timeoutMs = this.opts.connectTimeoutMs ?? 10_000;
    // Dial first and accept the channel only once the target answered (as OpenSSH's ssh -R does), so a
    // refused target becomes a refused channel on the server side instead of an open-then-closed one.
    const socket = net.connect({ host, port, allowHalfOpen: true, noDelay: true });
    socket.pause();
    const conn = this.table.open(socket, formatHostPort(details.srcIP, details.srcPort), false);
    const late = connectDeadline(socket, host, port, timeoutMs);
    const timer = setTimeout(() => socket.destroy(late()), timeoutMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      if (conn.state === 'connecting') reject();
      conn.fail(connectError(err, host, port));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      if (!this.running) {
        reject();
        conn.abort();
        return;
      }
      conn.attach(accept());
    });
  }
}

function asEngineError(err: unknown): EngineError {
  return err instanceof EngineError ? err : new EngineError('INTERNAL', String(err), err);
}
