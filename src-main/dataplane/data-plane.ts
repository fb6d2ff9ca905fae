import { type ResourceLimits, Worker } from 'node:worker_threads';
import { EngineError } from '../engine/engine-error';
import { defaultEntry } from './entry';
import { type AgentSessionSpec, type AgentStats, DATA_PLANE_PROTOCOL, type ListenerSpec, type PlaneEvent, type PlaneMessage, type PlaneRequest } from './protocol';
import { checkMessage, checkStartResult } from './protocol-checks';
import { withoutMemoryReducer } from './no-memory-reducer';
import { RemoteAgentSession } from './remote-agent-session';
import { RemoteListener } from './remote-listener';
import { DataPlaneStoppedError, WHAT } from './stopped-error';

export { DataPlaneStoppedError } from './stopped-error';
export { setDataPlaneEntry } from './entry';

// The control thread's handle on the data plane: a worker thread that owns every socket of the TCP,
// UDP and SOCKS listeners (see worker-main.ts), started on the first listener. A thread rather than a
// child process: measured alike for CPU per GB and GCs (docs in bench/tools/isolate-compare.mjs), but
// a thread shares the process — the desktop app's main process keeps it within reach without
// Electron's utilityProcess, the port owner lookup still says "Porthole itself", and byte meters are
// shared memory the stats ticker reads without a message.
//
// If the thread stops unexpectedly (crash, out of memory, terminated, stopped answering), each of its
// listeners is told (lost()) and the next listen() starts a new thread: the rules restart with their
// usual backoff. Stopping again and again within a minute is reported as final instead, so a data
// plane that cannot live does not loop.

export interface ListenerHandlers {
  event(e: PlaneEvent): void;
  /** The data plane stopped: the listener and its connections are gone. */
  lost(err: DataPlaneStoppedError): void;
}

export interface DataPlaneOptions {
  /** The worker script; default: dataplane-worker.js next to the bundle (see setDataPlaneEntry). */
  entry?: string;
  /**
   * Collect the old generation while the plane is idle (idle-gc.ts; default: on unless
   * PORTHOLE_IDLE_GC=0). Off is for measuring what that collection trades (bench/tools/idle-pause.mjs).
   */
  idleGc?: boolean;
  /**
   * Let V8's memory reducer run in the worker (no-memory-reducer.ts; default: off unless
   * PORTHOLE_PLANE_MEMORY_REDUCER=1, which is for measuring what leaving it out trades).
   */
  memoryReducer?: boolean;
  resourceLimits?: ResourceLimits;
  /** Liveness: a ping every intervalMs; no answer within deadlineMs ends the thread as failed. */
  watchdog?: { intervalMs: number; deadlineMs: number };
  /** This many unexpected stops within windowMs make the next one final (not restarted by itself). */
  crashLoop?: { max: number; windowMs: number };
}

const DEFAULT_WATCHDOG = { intervalMs: 2_000, deadlineMs: 15_000 };
const DEFAULT_CRASH_LOOP = { max: 3, windowMs: 60_000 };
// The data plane's heap is a few MB; a leak there ends the thread (and restarts its rules), where an
// unlimited heap would first grow and then abort the whole process. The young generation is kept at
// 6 MB (2 MB semi-spaces): when much of what is new survives — a burst of connections that stay open —
// V8 grows its two semi-spaces to 16 MB each, and those pages stay resident (3.3 of the 8.9 KiB RSS per idle
// connection of `npm run bench` with 9,950 connections). Bulk transfers keep it small anyway (pooled
// reads allocate little and nothing survives): measured the same Gbit/s, CPU-s/GB and GC counts.
const DEFAULT_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 6 };

interface Thread {
  worker: Worker;
  gen: number;
  ready: boolean;
  /** Set by an intentional close(): its exit is no failure. */
  closing: boolean;
  failure?: string;
  pingSince?: number;
}

interface Pending {
  gen: number;
  holdsRef: boolean;
  resolve(v: unknown): void;
  reject(e: Error): void;
}

interface Entry {
  gen: number;
  handlers: ListenerHandlers;
  remote?: { gone: boolean };
}

type Req = PlaneRequest extends infer R ? (R extends PlaneRequest ? Omit<R, 'rid'> : never) : never;

export class DataPlane {
  private thread: Thread | undefined;
  private gen = 0;
  private nextRid = 1;
  private nextLid = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<number, Entry>();
  private stops: number[] = [];
  private watchdog: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly opts: Required<Omit<DataPlaneOptions, 'entry'>> & { entry?: string };

  constructor(opts: DataPlaneOptions = {}) {
    this.opts = {
      idleGc: opts.idleGc ?? process.env.PORTHOLE_IDLE_GC !== '0',
      memoryReducer: opts.memoryReducer ?? process.env.PORTHOLE_PLANE_MEMORY_REDUCER === '1',
      resourceLimits: opts.resourceLimits ?? DEFAULT_LIMITS,
      watchdog: opts.watchdog ?? DEFAULT_WATCHDOG,
      crashLoop: opts.crashLoop ?? DEFAULT_CRASH_LOOP,
      ...(opts.entry ? { entry: opts.entry } : {}),
    };
  }

  /** The worker's thread id while one runs (tests). */
  get threadId(): number | undefined {
    return this.thread?.worker.threadId;
  }

  /** Starts a listener in the data plane; rejects with the listener's EngineError (PORT_IN_USE, …). */
  async listen(spec: ListenerSpec, handlers: ListenerHandlers): Promise<RemoteListener> {
    const t = this.ensureThread();
    const lid = this.nextLid++;
    // Registered before the request so that no event of the new listener can arrive unclaimed.
    const entry: Entry = { gen: t.gen, handlers };
    this.listeners.set(lid, entry);
    try {
      const res = checkStartResult(await this.send(t, { op: 'start', lid, spec }));
      const remote = new RemoteListener(this, lid, { host: res.host, port: res.port }, res.meter);
      entry.remote = remote;
      return remote;
    } catch (err) {
      this.listeners.delete(lid);
      this.updateRef();
      throw err;
    }
  }

  /**
   * Starts a relay agent session's data connections in the data plane (the worker dials them). Throws
   * when no data plane can run (shut down, worker script missing); the session's `started` rejects
   * when the worker refused it. Events and lost() come like a listener's.
   */
  agentSession(spec: AgentSessionSpec, handlers: ListenerHandlers): RemoteAgentSession {
    const t = this.ensureThread();
    const lid = this.nextLid++;
    const entry: Entry = { gen: t.gen, handlers };
    this.listeners.set(lid, entry);
    const started = this.send(t, { op: 'agent-start', lid, spec }).then(() => undefined);
    const remote = new RemoteAgentSession(this, lid, started);
    entry.remote = remote;
    // Refused by the worker: nothing of it lives there, so it neither keeps the thread nor hears of its loss.
    started.catch((err: unknown) => {
      if (err instanceof DataPlaneStoppedError || this.listeners.get(lid) !== entry) return;
      this.listeners.delete(lid);
      this.updateRef();
    });
    return remote;
  }

  /** The counters of every relay agent session in the current thread (status, tests). */
  async agentSessionStats(): Promise<AgentStats[]> {
    const t = this.thread;
    const all = await Promise.all(
      [...this.listeners.values()].map((e) => (t && e.gen === t.gen && e.remote instanceof RemoteAgentSession ? e.remote.stats() : undefined)),
    );
    return all.filter((s): s is AgentStats => s !== undefined);
  }

  /** Stops every listener, then the thread. Further listen() calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    const t = this.thread;
    if (!t) return;
    await Promise.all([...this.listeners.keys()].map((lid) => this.stopListener(lid)));
    t.closing = true;
    await t.worker.terminate();
  }

  /** Ends the thread the way a crash would (tests; the watchdog uses the same path). */
  async kill(reason?: string): Promise<void> {
    const t = this.thread;
    if (!t) return;
    if (reason) t.failure = reason;
    await t.worker.terminate();
    // 'exit' is emitted after terminate() settles; wait for it so callers see its effects.
    if (this.thread === t) await new Promise<void>((resolve) => t.worker.once('exit', () => setImmediate(resolve)));
  }

  /** @internal For RemoteListener: a request about one listener; `fallback` once the listener or the plane is gone. */
  async request<T>(lid: number, msg: Req, parse: (v: unknown) => T, fallback: T): Promise<T> {
    const entry = this.listeners.get(lid);
    const t = this.thread;
    if (!entry || !t || t.gen !== entry.gen) return fallback;
    try {
      return parse(await this.send(t, msg));
    } catch (err) {
      if (err instanceof DataPlaneStoppedError) return fallback;
      throw err;
    }
  }

  /** @internal */
  async stopListener(lid: number): Promise<void> {
    const entry = this.listeners.get(lid);
    if (!entry) return;
    await this.request(lid, { op: 'stop', lid }, () => undefined, undefined).finally(() => {
      if (entry.remote) entry.remote.gone = true;
      this.listeners.delete(lid);
      this.updateRef();
    });
  }

  private ensureThread(): Thread {
    if (this.closed) throw new EngineError('INTERNAL', `${WHAT} is shut down (Porthole is quitting)`);
    if (this.thread) return this.thread;
    const make = () =>
      new Worker(this.opts.entry ?? defaultEntry(), {
        workerData: { protocol: DATA_PLANE_PROTOCOL, idleGc: this.opts.idleGc },
        resourceLimits: this.opts.resourceLimits,
      });
    const worker = this.opts.memoryReducer ? make() : withoutMemoryReducer(make);
    const t: Thread = { worker, gen: ++this.gen, ready: false, closing: false };
    this.thread = t;
    worker.on('message', (m: unknown) => this.onMessage(t, m));
    worker.on('messageerror', (err) => this.fail(t, `sent a message that could not be read (${err.message})`));
    worker.on('error', (err) => {
      t.failure ??= err.message;
    });
    worker.on('exit', (code) => this.onExit(t, code));
    this.startWatchdog();
    return t;
  }

  private send(t: Thread, msg: Req): Promise<unknown> {
    const rid = this.nextRid++;
    const holdsRef = msg.op !== 'ping';
    const done = new Promise<unknown>((resolve, reject) => this.pending.set(rid, { gen: t.gen, holdsRef, resolve, reject }));
    t.worker.postMessage({ ...msg, rid });
    this.updateRef();
    return done;
  }

  private onMessage(t: Thread, raw: unknown): void {
    if (t !== this.thread) return;
    let m: PlaneMessage;
    try {
      m = checkMessage(raw);
    } catch (err) {
      this.fail(t, `sent an invalid message (${(err as Error).message})`);
      return;
    }
    switch (m.t) {
      case 'ready':
        t.ready = m.protocol === DATA_PLANE_PROTOCOL;
        break;
      case 'reply': {
        const p = this.pending.get(m.rid);
        if (!p) return;
        this.pending.delete(m.rid);
        if (m.ok) p.resolve(m.value);
        else p.reject(new EngineError(m.error.code, m.error.message));
        this.updateRef();
        break;
      }
      case 'events':
        for (const e of m.events) {
          const entry = this.listeners.get(e.lid);
          if (entry && entry.gen === t.gen) entry.handlers.event(e);
        }
        break;
    }
  }

  private fail(t: Thread, reason: string): void {
    t.failure ??= reason;
    void t.worker.terminate();
  }

  private onExit(t: Thread, code: number): void {
    if (this.thread === t) this.thread = undefined;
    if (!this.thread) this.stopWatchdog();
    const err = t.closing ? new DataPlaneStoppedError(`${WHAT} was shut down`, false) : this.stoppedError(t, code);
    for (const [rid, p] of this.pending) {
      if (p.gen !== t.gen) continue;
      this.pending.delete(rid);
      p.reject(err);
    }
    for (const [lid, entry] of this.listeners) {
      if (entry.gen !== t.gen) continue;
      this.listeners.delete(lid);
      if (entry.remote) entry.remote.gone = true;
      if (!t.closing) entry.handlers.lost(err);
    }
  }

  private stoppedError(t: Thread, code: number): DataPlaneStoppedError {
    const detail = `exit code ${code}${t.failure ? `: ${t.failure}` : ''}`;
    if (!t.ready) {
      const reason = `${WHAT} could not start (${detail})`;
      return new DataPlaneStoppedError(`${reason} — reinstall or rebuild Porthole`, false, reason);
    }
    const now = Date.now();
    const { max, windowMs } = this.opts.crashLoop;
    this.stops = [...this.stops.filter((at) => now - at < windowMs), now];
    if (this.stops.length >= max) {
      const reason = `${WHAT} stopped unexpectedly ${this.stops.length} time${this.stops.length === 1 ? '' : 's'} within ${seconds(windowMs)} (last: ${detail})`;
      return new DataPlaneStoppedError(`${reason} — switch the mapping on again to retry`, false, reason);
    }
    return new DataPlaneStoppedError(`${WHAT} stopped unexpectedly (${detail}) — Porthole restarts it with its mappings`, true);
  }

  /** A live thread keeps the process alive only while it has listeners or requests in flight, like a listening socket would. */
  private updateRef(): void {
    const t = this.thread;
    if (!t) return;
    let held = false;
    for (const e of this.listeners.values()) if (e.gen === t.gen) held = true;
    if (!held) for (const p of this.pending.values()) if (p.gen === t.gen && p.holdsRef) held = true;
    if (held) t.worker.ref();
    else t.worker.unref();
  }

  private startWatchdog(): void {
    if (this.watchdog) return;
    const { intervalMs, deadlineMs } = this.opts.watchdog;
    this.watchdog = setInterval(() => {
      const t = this.thread;
      if (!t || t.closing) return;
      const now = Date.now();
      if (t.pingSince !== undefined) {
        if (now - t.pingSince > deadlineMs) this.fail(t, `stopped answering for ${seconds(deadlineMs)}`);
        return;
      }
      t.pingSince = now;
      this.send(t, { op: 'ping' }).then(
        () => {
          t.pingSince = undefined;
        },
        () => undefined,
      );
    }, intervalMs);
    this.watchdog.unref();
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
  }
}

function seconds(ms: number): string {
  return `${ms % 1000 === 0 ? ms / 1000 : (ms / 1000).toFixed(1)} s`;
}
