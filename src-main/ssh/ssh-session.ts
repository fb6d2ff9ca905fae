import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import type { RuleErrorCode } from '../../src-shared/model/errors';
import type { SshServer } from '../../src-shared/model/ssh';
import { formatHostPort } from '../../src-shared/format/address';
import { RetrySchedule } from '../engine/backoff';
import { EngineError } from '../engine/engine-error';
import type { HostKeyPromptFn } from './host-key-verifier';
import type { KnownHostsStore } from './known-hosts';
import { serverLabel } from './ssh-auth';
import type { SshSecrets } from './ssh-auth';
import { channelOpenError } from './ssh-errors';
import type { Ssh2Error } from './ssh-errors';
import { SshHop } from './ssh-hop';
import { RemoteRoutes } from './remote-routes';
import type { RemoteConnectionHandler } from './remote-routes';

export type { RemoteConnectionHandler } from './remote-routes';

export type SshSessionState = 'connecting' | 'ready' | 'retrying' | 'failed' | 'closed';

export interface SshSessionOptions {
  server: SshServer;
  /** Jump hosts in traversal order, already resolved from the server's `jump` ids. */
  jump?: SshServer[];
  secrets: SshSecrets;
  knownHosts: KnownHostsStore;
  prompt?: HostKeyPromptFn;
  /** Agent socket path; default SSH_AUTH_SOCK (Pageant on Windows). */
  agentPath?: string;
  readyTimeoutMs?: number;
  /** Reconnect delays: initialMs doubling up to maxMs, each ±jitter (a fraction). */
  backoff?: { initialMs?: number; maxMs?: number; jitter?: number };
}

export interface SshSessionEvents {
  state: [SshSessionState];
  ready: [];
  /** A connection attempt failed or the connection was lost (state says whether a retry follows). */
  down: [EngineError];
}

// Retrying these would only repeat the refusal (and lock accounts or re-prompt): the user must act.
const FATAL: ReadonlySet<RuleErrorCode> = new Set(['AUTH_FAILED', 'HOST_KEY_CHANGED', 'HOST_KEY_UNKNOWN']);

/**
 * One SSH connection (through its jump chain) to a saved server, shared by every rule on it. It
 * reconnects by itself with exponential backoff until close(); remote forwards must be requested
 * again after each 'ready' (the server dropped them with the connection).
 */
export class SshSession extends EventEmitter<SshSessionEvents> {
  state: SshSessionState = 'connecting';
  nextRetryAt: number | undefined;
  lastError: EngineError | undefined;
  /** Connection attempts started (for diagnostics and tests). */
  attempts = 0;
  private hops: SshHop[] = [];
  private started = false;
  private generation = 0;
  private readonly retry: RetrySchedule;
  private readonly remote = new RemoteRoutes();

  constructor(private readonly opts: SshSessionOptions) {
    super();
    this.retry = new RetrySchedule(opts.backoff);
  }

  get server(): SshServer {
    return this.opts.server;
  }

  get label(): string {
    return serverLabel(this.opts.server);
  }

  /** Starts connecting (once; later calls do nothing). */
  start(): void {
    if (this.started || this.state === 'closed') return;
    this.started = true;
    this.attempt();
  }

  /** Tries again now, from 'retrying' or 'failed' (e.g. after the user fixed the password or the known_hosts file). */
  reconnect(): void {
    if (this.state !== 'retrying' && this.state !== 'failed') return;
    this.clearRetry();
    this.retry.reset();
    this.attempt();
  }

  /** Ends the connection for good: no reconnect ever follows. Resolves when every socket has closed. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.generation++;
    this.clearRetry();
    this.remote.clear();
    const hops = this.hops;
    this.hops = [];
    this.setState('closed');
    await Promise.all(hops.map((h) => h.end()));
  }

  /** Resolves once ready; rejects at once when not connecting (retrying/failed/closed) or when this attempt fails. */
  whenReady(): Promise<void> {
    if (this.state === 'ready') return Promise.resolve();
    if (this.state !== 'connecting') return Promise.reject(this.unavailable());
    return new Promise((resolve, reject) => {
      const onState = (state: SshSessionState): void => {
        if (state === 'connecting') return;
        this.off('state', onState);
        if (state === 'ready') resolve();
        else reject(this.unavailable());
      };
      this.on('state', onState);
    });
  }

  /** A direct-tcpip channel to dst (resolved on the server); src is reported to the server as the origin. */
  async forwardOut(srcHost: string, srcPort: number, dstHost: string, dstPort: number): Promise<ClientChannel> {
    await this.whenReady();
    const client = this.finalHop()?.client;
    const server = this.opts.server;
    return new Promise((resolve, reject) => {
      const fail = (err: unknown): void => reject(channelOpenError(err as Ssh2Error, server, dstHost, dstPort));
      try {
        client?.forwardOut(srcHost, srcPort, dstHost, dstPort, (err, channel) => (err ? fail(err) : resolve(channel)));
      } catch (err) {
        fail(err); // "Not connected": the connection dropped between whenReady() and here
      }
    });
  }

  /** Asks the server to listen (tcpip-forward); resolves with the bound port (the assigned one for port 0). */
  async forwardIn(bindHost: string, bindPort: number, handler: RemoteConnectionHandler): Promise<number> {
    await this.whenReady();
    const client = this.finalHop()?.client;
    const where = formatHostPort(bindHost, bindPort);
    return new Promise((resolve, reject) => {
      const fail = (err: unknown): void =>
        reject(
          new EngineError(
            'PORT_IN_USE',
            `${this.label} could not listen on ${where} — the port may be in use there or below 1024, or the server forbids remote forwarding (AllowTcpForwarding, GatewayPorts)`,
            err,
          ),
        );
      try {
        client?.forwardIn(bindHost, bindPort, (err, port) => {
          if (err) return fail(err);
          this.remote.set(bindHost, port, handler);
          resolve(port);
        });
      } catch (err) {
        fail(err);
      }
    });
  }

  /** Cancels a remote forward; quietly done when the connection is already gone (so is the forward). */
  async unforwardIn(bindHost: string, bindPort: number): Promise<void> {
    this.remote.delete(bindHost, bindPort);
    const client = this.state === 'ready' ? this.finalHop()?.client : undefined;
    if (!client) return;
    await new Promise<void>((resolve) => {
      try {
        client.unforwardIn(bindHost, bindPort, () => resolve());
      } catch {
        resolve();
      }
    });
  }

  private finalHop(): SshHop | undefined {
    return this.hops[this.hops.length - 1];
  }

  private attempt(): void {
    const gen = ++this.generation;
    this.attempts++;
    this.nextRetryAt = undefined;
    this.setState('connecting');
    this.connectChain(gen).then(
      (hops) => {
        if (gen !== this.generation) {
          void Promise.all(hops.map((h) => h.end()));
          return;
        }
        this.hops = hops;
        this.retry.reset();
        this.lastError = undefined;
        for (const hop of hops) hop.once('down', (err) => this.onLost(gen, err));
        hops[hops.length - 1]?.client.on('tcp connection', (details, accept, reject) => this.remote.dispatch(details, accept, reject));
        this.setState('ready');
        this.emit('ready');
      },
      (err: unknown) => {
        if (gen !== this.generation) return;
        const error = err instanceof EngineError ? err : new EngineError('INTERNAL', `SSH connection to ${this.label} failed: ${String(err)}`, err);
        this.fail(error);
      },
    );
  }

  /** Connects hop by hop; each later hop rides a direct-tcpip channel of the one before (ProxyJump). */
  private async connectChain(gen: number): Promise<SshHop[]> {
    const servers = [...(this.opts.jump ?? []), this.opts.server];
    const hops: SshHop[] = [];
    this.hops = hops; // so close() during the attempt can end what exists
    try {
      let sock: Duplex | undefined;
      for (let i = 0; i < servers.length; i++) {
        const server = servers[i] as SshServer;
        const hop = new SshHop({
          server,
          sock,
          via: servers[i - 1],
          secrets: this.opts.secrets,
          agentPath: this.opts.agentPath,
          knownHosts: this.opts.knownHosts,
          prompt: this.opts.prompt,
          readyTimeoutMs: this.opts.readyTimeoutMs ?? 20_000,
        });
        hops.push(hop);
        await hop.connect();
        if (gen !== this.generation) break;
        const next = servers[i + 1];
        if (next) sock = await hop.openChannel(next);
      }
      return hops;
    } catch (err) {
      await Promise.all(hops.map((h) => h.end()));
      throw err;
    }
  }

  private onLost(gen: number, err: EngineError): void {
    if (gen !== this.generation || this.state !== 'ready') return;
    const hops = this.hops;
    this.hops = [];
    this.remote.clear();
    for (const hop of hops) void hop.end();
    this.fail(err);
  }

  private fail(err: EngineError): void {
    this.lastError = err;
    if (FATAL.has(err.code)) {
      this.setState('failed');
    } else {
      this.retry.schedule(() => this.attempt());
      this.nextRetryAt = this.retry.nextAt;
      this.setState('retrying');
    }
    this.emit('down', err);
  }

  private unavailable(): EngineError {
    if (this.state === 'closed') return new EngineError('INTERNAL', `The SSH session to ${this.label} is closed`);
    const last = this.lastError;
    const why = last ? last.message : 'not connected';
    if (this.state === 'failed') return new EngineError(last?.code ?? 'INTERNAL', `The SSH server ${this.label} cannot be used: ${why}`, last);
    const wait = this.nextRetryAt !== undefined ? ` — retrying in ${Math.max(1, Math.ceil((this.nextRetryAt - Date.now()) / 1000))} s` : '';
    return new EngineError(last?.code ?? 'TARGET_UNREACHABLE', `The SSH server ${this.label} is unreachable (${why})${wait}`, last);
  }

  private clearRetry(): void {
    this.retry.cancel();
    this.nextRetryAt = undefined;
  }

  private setState(state: SshSessionState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', state);
  }
}
