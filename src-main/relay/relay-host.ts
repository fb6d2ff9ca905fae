import { EventEmitter } from 'node:events';
import { type ResourceLimits, Worker } from 'node:worker_threads';
import type { RelayServerStatus } from '../../src-shared/model/relay';
import { EngineError } from '../engine/engine-error';
import { type RelayLimits, resolveRelayLimits } from './relay-limits';
import { formatRanges } from './relay-policy';
import type { RelayLog } from './relay-server';
import { checkBound, checkMetricsText, checkStatus, checkWorkerMessage } from './relay-worker-checks';
import { relayWorkerEntry } from './relay-worker-entry';
import { RELAY_WORKER_PROTOCOL, type RelayWorkerData, type RelayWorkerOptions, type RelayWorkerRequest } from './relay-worker-protocol';

// The main thread's handle on a relay that runs in a worker thread of its own (relay-worker-main.ts):
// the surface of RelayServer that `porthole relay` and the in-app relay use — start, stop, status(),
// metricsText(), limits, 'changed' and the log — driven by validated messages. status() stays
// synchronous: it answers the snapshot the worker pushes on every change and once per statusIntervalMs.
//
// One thread per start(); stop() ends it. A thread that ends otherwise (crash, out of memory,
// terminated, no status for watchdogMs) takes the agent port and every public port with it: the host
// reports 'failed' with a RelayWorkerStoppedError and is stopped; start() makes a new thread.

export interface RelayHostOptions extends RelayWorkerOptions {
  log?: RelayLog;
  /** The worker script; default: relay-worker.js next to the bundle (see setRelayWorkerEntry). */
  entry?: string;
  resourceLimits?: ResourceLimits;
  statusIntervalMs?: number;
  /** No message from a running worker for this long ends it as failed. */
  watchdogMs?: number;
}

/** How messages name the relay's thread to people. */
export const RELAY_THREAD = "the relay's worker thread (it carries the agent port, the public ports and their data)";

/** The relay's thread stopped unexpectedly: everything it carried is gone. */
export class RelayWorkerStoppedError extends EngineError {
  constructor(message: string) {
    super('DATA_PLANE_STOPPED', message);
    this.name = 'RelayWorkerStoppedError';
  }
}

// The relay's heap holds sessions and buffers' bookkeeping (the bytes themselves are off-heap): a few
// MB. A leak ends the thread — reported, restartable — before it could grow the whole process's.
const DEFAULT_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 512 };
/** RelayServer.stop() gives agents 200 ms to read GOAWAY; a thread still busy after this is ended. */
const STOP_GRACE_MS = 5_000;

interface Thread {
  worker: Worker;
  ready: Promise<void>;
  isReady: boolean;
  /** Settles on the thread's 'exit'. */
  exited: Promise<void>;
  closing: boolean;
  failure?: string;
  /** performance.now() of its last message: monotonic, so a sleeping machine or a clock change is not a stuck thread. */
  heardAt: number;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

type Op = RelayWorkerRequest['op'];

export class RelayHost extends EventEmitter<{ changed: []; failed: [RelayWorkerStoppedError] }> {
  readonly limits: RelayLimits;
  private thread: Thread | undefined;
  private snapshot: RelayServerStatus;
  private bound: { host: string; port: number } | undefined;
  /** The port of the first start: a restart of a relay configured on port 0 listens where agents were told. */
  private firstPort: number | undefined;
  private nextRid = 1;
  private readonly pending = new Map<number, Pending>();
  private watchdog: NodeJS.Timeout | undefined;

  constructor(private readonly opts: RelayHostOptions) {
    super();
    this.limits = resolveRelayLimits(opts.policy.limits, opts.limits);
    this.snapshot = this.offline();
  }

  get tls(): boolean {
    return this.opts.policy.tls !== false;
  }

  get address(): { host: string; port: number } | undefined {
    return this.bound;
  }

  /** The worker's thread id while one runs (tests, diagnostics). */
  get threadId(): number | undefined {
    return this.thread?.worker.threadId;
  }

  /** Starts the thread and the relay in it; rejects like RelayServer.start() (EngineError: PORT_IN_USE, …). */
  async start(): Promise<{ host: string; port: number }> {
    if (this.thread) throw new Error('the relay is already running');
    const t = this.spawn();
    try {
      await t.ready;
      this.bound = checkBound(await this.request(t, 'start'));
      this.firstPort ??= this.bound.port;
      // status() right after start() says running, as RelayServer's does.
      this.snapshot = checkStatus(await this.request(t, 'status'));
      this.startWatchdog();
      return this.bound;
    } catch (err) {
      await this.end(t);
      throw err;
    }
  }

  async stop(): Promise<void> {
    const t = this.thread;
    if (!t) return;
    // The relay tells its agents it is stopping (GOAWAY) before the thread ends; a thread that does
    // not answer within STOP_GRACE_MS is ended anyway.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.request(t, 'stop').catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)))]);
    clearTimeout(timer);
    await this.end(t);
    this.emit('changed');
  }

  /** The last status the worker pushed (offline while no thread runs). */
  status(): RelayServerStatus {
    return this.snapshot;
  }

  /** Asks the worker for its status now (counters of this instant); the snapshot otherwise. */
  async currentStatus(): Promise<RelayServerStatus> {
    const t = this.thread;
    if (!t) return this.snapshot;
    try {
      this.snapshot = checkStatus(await this.request(t, 'status'));
    } catch (err) {
      if (!(err instanceof RelayWorkerStoppedError)) throw err;
    }
    return this.snapshot;
  }

  /** Prometheus text of the relay's counters ('' while no thread runs). */
  async metricsText(): Promise<string> {
    const t = this.thread;
    return t ? checkMetricsText(await this.request(t, 'metrics')) : '';
  }

  /** Ends the thread the way a crash would (tests; the watchdog uses the same path). */
  async kill(reason = 'it was terminated'): Promise<void> {
    const t = this.thread;
    if (!t) return;
    t.failure ??= reason;
    await t.worker.terminate();
    await t.exited;
  }

  private spawn(): Thread {
    const entry = this.opts.entry ?? relayWorkerEntry();
    if (!entry) throw new EngineError('INTERNAL', `${RELAY_THREAD} is missing (no relay-worker.js next to Porthole's main bundle) — rebuild Porthole with npm run build or reinstall it`);
    const { log: _log, entry: _entry, resourceLimits, statusIntervalMs, watchdogMs: _w, ...rest } = this.opts;
    const bind = { ...rest.policy.bind, port: rest.policy.bind.port || (this.firstPort ?? 0) };
    const options: RelayWorkerOptions = { ...rest, policy: { ...rest.policy, bind } };
    const workerData: RelayWorkerData = { protocol: RELAY_WORKER_PROTOCOL, options, statusIntervalMs: statusIntervalMs ?? 1000 };
    const worker = new Worker(entry, { workerData, resourceLimits: resourceLimits ?? DEFAULT_LIMITS });
    let readyNow: () => void = () => undefined;
    let notReady: (e: Error) => void = () => undefined;
    let exitNow: () => void = () => undefined;
    const t: Thread = {
      worker,
      closing: false,
      isReady: false,
      heardAt: performance.now(),
      ready: new Promise<void>((res, rej) => ((readyNow = res), (notReady = rej))),
      exited: new Promise<void>((res) => (exitNow = res)),
    };
    t.ready.catch(() => undefined);
    this.thread = t;
    worker.on('message', (raw: unknown) => {
      if (this.thread !== t) return;
      t.heardAt = performance.now();
      let m;
      try {
        m = checkWorkerMessage(raw);
      } catch (err) {
        return this.fail(t, `it sent an invalid message (${(err as Error).message})`);
      }
      switch (m.t) {
        case 'ready':
          t.isReady = m.protocol === RELAY_WORKER_PROTOCOL;
          if (t.isReady) readyNow();
          else this.fail(t, `it speaks protocol ${m.protocol}, not ${RELAY_WORKER_PROTOCOL} (a mixed installation)`);
          break;
        case 'reply': {
          const p = this.pending.get(m.rid);
          if (!p) return;
          this.pending.delete(m.rid);
          if (m.ok) p.resolve(m.value);
          // Errors the relay throws as EngineError keep their code (PORT_IN_USE, …); others stay plain.
          else p.reject(m.error.code ? new EngineError(m.error.code as EngineError['code'], m.error.message) : new Error(m.error.message));
          break;
        }
        case 'status':
          this.snapshot = m.status;
          if (m.changed) this.emit('changed');
          break;
        case 'log':
          this.opts.log?.(m.level, m.message, m.line);
          break;
      }
    });
    worker.on('messageerror', (err) => this.fail(t, `it sent a message that could not be read (${err.message})`));
    worker.on('error', (err) => {
      t.failure ??= `${err.name}: ${err.message}`;
    });
    worker.on('exit', (code) => {
      notReady(this.onExit(t, code));
      exitNow();
    });
    return t;
  }

  private request(t: Thread, op: Op): Promise<unknown> {
    const rid = this.nextRid++;
    const done = new Promise<unknown>((resolve, reject) => this.pending.set(rid, { resolve, reject }));
    t.worker.postMessage({ op, rid } satisfies RelayWorkerRequest);
    return done;
  }

  /** Ends the thread on purpose (stop, a failed start). */
  private async end(t: Thread): Promise<void> {
    t.closing = true;
    await t.worker.terminate();
    await t.exited;
  }

  private fail(t: Thread, reason: string): void {
    t.failure ??= reason;
    void t.worker.terminate();
  }

  private onExit(t: Thread, code: number): RelayWorkerStoppedError {
    if (this.thread === t) this.thread = undefined;
    this.stopWatchdog();
    this.bound = undefined;
    this.snapshot = this.offline();
    const detail = `exit code ${code}${t.failure ? `: ${t.failure}` : ''}`;
    const err = t.closing
      ? new RelayWorkerStoppedError(`${RELAY_THREAD} was shut down`)
      : !t.isReady
        ? new RelayWorkerStoppedError(`The relay could not start: ${RELAY_THREAD} failed to load (${detail}) — reinstall or rebuild Porthole`)
        : new RelayWorkerStoppedError(`The relay stopped: ${RELAY_THREAD} ended unexpectedly (${detail}); its agent port and public ports are closed and its agents are disconnected`);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    // A thread that never got ready fails its start() instead (nothing ran that could have failed).
    if (!t.closing && t.isReady) {
      this.emit('failed', err);
      this.emit('changed');
    }
    return err;
  }

  /** Status as RelayServer answers it while stopped: every agent offline. */
  private offline(): RelayServerStatus {
    return {
      running: false,
      tls: this.tls,
      ...(this.tls && this.opts.identity ? { fingerprint: this.opts.identity.fingerprint } : {}),
      agents: this.opts.policy.agents.map((a) => ({ name: a.name, online: false, exposures: [], allowPorts: formatRanges(a.allowPorts), configuredPorts: a.ports.length })),
      warnings: [],
    };
  }

  private startWatchdog(): void {
    const deadline = this.opts.watchdogMs ?? Math.max(15_000, 10 * (this.opts.statusIntervalMs ?? 1000));
    this.watchdog = setInterval(() => {
      const t = this.thread;
      if (t && !t.closing && performance.now() - t.heardAt > deadline) this.fail(t, `it sent nothing for ${Math.round(deadline / 1000)} s (stuck)`);
    }, Math.min(2_000, deadline));
    this.watchdog.unref();
  }

  private stopWatchdog(): void {
    clearInterval(this.watchdog);
    this.watchdog = undefined;
  }
}
