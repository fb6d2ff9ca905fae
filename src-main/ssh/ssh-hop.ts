import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { Client, ConnectConfig } from 'ssh2';
import type { SshServer } from '../../src-shared/model/ssh';
import { EngineError } from '../engine/engine-error';
import { HostKeyVerifier } from './host-key-verifier';
import type { HostKeyPromptFn } from './host-key-verifier';
import type { KnownHostsStore } from './known-hosts';
import { prepareAuth, serverLabel } from './ssh-auth';
import type { PreparedAuth, SshSecrets } from './ssh-auth';
import { channelOpenError, sessionError } from './ssh-errors';
import type { HopFailureContext, Ssh2Error } from './ssh-errors';

export interface SshHopOptions {
  server: SshServer;
  /** The channel to this hop opened through the previous one (jump host); unset: dial TCP directly. */
  sock?: Duplex;
  via?: SshServer;
  secrets: SshSecrets;
  agentPath?: string;
  knownHosts: KnownHostsStore;
  prompt?: HostKeyPromptFn;
  readyTimeoutMs: number;
}

/**
 * One ssh2 Client: one server in a jump chain, or the whole session without jumps. connect()
 * resolves once logged in; afterwards a lost connection is reported once as 'down', unless end()
 * was called first (an intentional close is not a failure).
 */
export class SshHop extends EventEmitter<{ down: [EngineError] }> {
  readonly client: Client = new ssh2.Client();
  private ended = false;
  private closed = false;
  private readonly closeWaiters: (() => void)[] = [];

  constructor(private readonly opts: SshHopOptions) {
    super();
    this.client.once('close', () => {
      this.closed = true;
      for (const wake of this.closeWaiters.splice(0)) wake();
    });
  }

  get server(): SshServer {
    return this.opts.server;
  }

  async connect(): Promise<void> {
    const { server, sock, via } = this.opts;
    let auth: PreparedAuth;
    try {
      auth = await prepareAuth(server, this.opts.secrets, this.opts.agentPath);
    } catch (err) {
      this.opts.sock?.destroy();
      throw err;
    }
    if (this.ended) throw new EngineError('INTERNAL', `The SSH session to ${serverLabel(server)} was closed`);
    const verifier = new HostKeyVerifier({
      serverId: server.id,
      host: server.host,
      port: server.port,
      policy: server.hostKeyPolicy,
      store: this.opts.knownHosts,
      knownHostsFile: server.knownHostsFile,
      prompt: this.opts.prompt,
    });
    const ctx: HopFailureContext = { server, tried: auth.tried, via };
    const client = this.client;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      let firstError: Ssh2Error | undefined;
      let timedOut: EngineError | undefined;
      // ssh2's readyTimeout would also run while the user reads a host-key prompt; this deadline
      // is re-armed for as long as a prompt is open.
      const onDeadline = (): void => {
        if (verifier.prompting) {
          timer = setTimeout(onDeadline, this.opts.readyTimeoutMs);
          return;
        }
        timedOut = new EngineError(
          'TARGET_TIMEOUT',
          `${serverLabel(server)} did not complete the SSH handshake within ${Math.round(this.opts.readyTimeoutMs / 1000)} s — check the address and port, and whether a firewall drops the connection`,
        );
        this.destroySocket();
      };
      let timer: NodeJS.Timeout | undefined = setTimeout(onDeadline, this.opts.readyTimeoutMs);
      const clear = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
      };
      client.on('error', (err: Ssh2Error) => {
        // An unusable agent is not fatal: ssh2 moves on to the next method, and the message helps later.
        if (err.level === 'agent') {
          ctx.agentProblem ??= err.message;
          return;
        }
        firstError ??= err;
      });
      client.once('ready', () => {
        ready = true;
        // ssh2 leaves Nagle on: every small SSH packet (a channel open, a 64-byte echo, a close) then
        // waits ~40 ms for a delayed ACK. OpenSSH sets TCP_NODELAY on interactive sessions too.
        client.setNoDelay(true);
        clear();
        resolve();
      });
      client.once('close', () => {
        clear();
        const error = verifier.rejection ?? timedOut ?? sessionError(firstError, ctx, ready);
        if (!ready) reject(error);
        else if (!this.ended) this.emit('down', error);
      });
      const config: ConnectConfig = {
        host: server.host,
        port: server.port,
        username: server.user,
        readyTimeout: 0,
        keepaliveInterval: server.keepaliveIntervalMs,
        keepaliveCountMax: server.keepaliveCountMax,
        hostVerifier: verifier.hostVerifier,
        authHandler: auth.authHandler,
        tryKeyboard: server.auth.method === 'password',
        ...(sock ? { sock } : {}),
      };
      try {
        client.connect(config);
      } catch (err) {
        clear();
        reject(sessionError(err as Ssh2Error, ctx, false));
      }
    });
  }

  /** A direct-tcpip channel to the next hop of a jump chain (its `sock`). */
  openChannel(next: SshServer): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const fail = (err: unknown): void => reject(channelOpenError(err as Ssh2Error, this.server, next.host, next.port));
      try {
        this.client.forwardOut('127.0.0.1', 0, next.host, next.port, (err, channel) => (err ? fail(err) : resolve(channel)));
      } catch (err) {
        fail(err);
      }
    });
  }

  /** Closes the connection without reporting 'down'; resolves once its socket has closed. */
  end(): Promise<void> {
    this.ended = true;
    if (this.closed) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    // A hop that never got as far as connect() has no socket to close.
    if (!this.destroySocket()) {
      this.closed = true;
      return Promise.resolve();
    }
    this.opts.sock?.destroy();
    return done;
  }

  /**
   * Client.destroy() skips a socket that is no longer writable (say, mid-way through an orderly end
   * the peer never finishes), which would leave 'close' pending; destroying the socket itself never does.
   */
  private destroySocket(): boolean {
    const sock = (this.client as unknown as { _sock?: Duplex })._sock;
    if (sock === undefined) return false;
    sock.destroy();
    return true;
  }
}
