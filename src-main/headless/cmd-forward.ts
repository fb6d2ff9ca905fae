import { formatHostPort, isWildcardHost, parseHostPort } from '../../src-shared/format/address';
import { formatBytes } from '../../src-shared/format/units';
import type { MeterSnapshot } from '../engine/byte-meter';
import { EngineError } from '../engine/engine-error';
import { describePortInUse } from '../engine/port-owner';
import { DataPlane, type DataPlaneStoppedError } from '../dataplane/data-plane';
import { type ListenerSpec, type PlaneEvent, plainTcpListener } from '../dataplane/protocol';
import type { RemoteListener } from '../dataplane/remote-listener';
import { UsageError, parseArgs } from './args';
import { untilSignal } from './signals';
import { ConnectionLines } from './connection-lines';
import { UPNP_FLAGS, forwardRouter, normaliseUpnpArgv, parseUpnpOption } from './forward-upnp';

const RESTART_DELAY_MS = 500;

/** `porthole forward [--udp] [LISTEN_HOST:]LISTEN_PORT TARGET_HOST:TARGET_PORT` — the seed script, done right. */
export async function cmdForward(argv: string[]): Promise<number> {
  const args = parseArgs(normaliseUpnpArgv(argv), { values: ['data-dir', ...UPNP_FLAGS], booleans: ['udp'] });
  const upnp = parseUpnpOption(args.values);
  if (args.positionals.length !== 2) {
    throw new UsageError('expected [LISTEN_HOST:]LISTEN_PORT TARGET_HOST:TARGET_PORT, e.g. porthole forward 10022 192.168.0.10:22');
  }
  const listen = parseHostPort(args.positionals[0]!, '127.0.0.1');
  if (!listen.ok) throw new UsageError(`listen address: ${listen.error}`);
  const target = parseHostPort(args.positionals[1]!);
  if (!target.ok) throw new UsageError(`target address: ${target.error}`);
  // One write (and one timestamp) for lines said together: the data plane sends connection events in
  // batches, and a busy forward was paying a formatted date and a write(2) per open and per close.
  const sayAll = (lines: string[]) => {
    const at = new Date().toISOString();
    process.stdout.write(lines.map((line) => `${at} ${line}\n`).join(''));
  };
  const say = (line: string) => sayAll([line]);
  const udp = args.booleans.has('udp');
  const spec: ListenerSpec = udp
    ? { kind: 'udp', listen: listen.value, target: target.value, idleTimeoutMs: 60_000, maxSessions: 1000, allow: [], deny: [] }
    : plainTcpListener(listen.value, target.value);
  // The bytes move in the data plane's thread, away from this process's CLI, API and store modules.
  const plane = new DataPlane();
  const run = new ForwardRun(plane, spec, say, sayAll, udp ? 'sessions' : 'connections');
  try {
    let bound: { host: string; port: number };
    try {
      bound = await run.start();
    } catch (err) {
      if (err instanceof EngineError) {
        const l = listen.value;
        const message = err.code === 'PORT_IN_USE' ? await describePortInUse(udp ? 'udp' : 'tcp', l.host, l.port) : err.message;
        process.stderr.write(`porthole forward: ${message} [${err.code}]\n`);
        return 1;
      }
      throw err;
    }
    if (isWildcardHost(listen.value.host)) {
      process.stderr.write(`warning: listening on all interfaces (${listen.value.host}) — anyone on your network can use this port\n`);
    }
    const proto = udp ? 'udp' : 'tcp';
    say(
      `forwarding ${proto} ${formatHostPort(bound.host, bound.port)} → ${formatHostPort(target.value.host, target.value.port)} (Ctrl-C to stop)`,
    );
    // Listening for signals before asking the router, so Ctrl-C during the request still unmaps.
    const signalled = untilSignal();
    const router = upnp && forwardRouter(upnp, { ...bound, protocol: proto }, args.values['data-dir'], say);
    if (router && !(await router.start())) {
      await router.stop();
      await run.stop();
      return 1;
    }
    const failed = await Promise.race([signalled.then(() => undefined), run.failure]);
    await router?.stop();
    const m = run.totals();
    await run.stop();
    run.flushLog();
    const what = udp ? 'sessions' : 'connections';
    say(`stopped: ${m.totalConnections} ${what}, ${formatBytes(m.bytesIn)} in, ${formatBytes(m.bytesOut)} out`);
    if (failed) {
      process.stderr.write(`porthole forward: ${failed.message} [${failed.code}]\n`);
      return 1;
    }
    return 0;
  } finally {
    await plane.close();
  }
}

/**
 * The one listener of `porthole forward`. If the data plane stops under it, a new one takes the same
 * port after a short pause (the restart is announced); a data plane that keeps stopping ends the command.
 */
class ForwardRun {
  private listener: RemoteListener | undefined;
  private carried: MeterSnapshot = { bytesIn: 0, bytesOut: 0, activeConnections: 0, totalConnections: 0 };
  private stopped = false;
  private fail!: (err: EngineError) => void;
  /** Lines of the events delivered in this turn, written together once they are all delivered. */
  private lines: string[] = [];
  private queued = false;
  private readonly log: ConnectionLines;
  /** Resolves when the forward cannot go on (never rejects). */
  readonly failure = new Promise<EngineError>((resolve) => (this.fail = resolve));

  constructor(
    private readonly plane: DataPlane,
    private readonly spec: ListenerSpec,
    private readonly say: (line: string) => void,
    private readonly sayAll: (lines: string[]) => void,
    what: string,
  ) {
    this.log = new ConnectionLines((line) => this.queue(line), what);
  }

  async start(): Promise<{ host: string; port: number }> {
    this.listener = await this.plane.listen(this.spec, { event: (e) => this.event(e), lost: (err) => this.lost(err) });
    return this.listener.bound;
  }

  totals(): MeterSnapshot {
    const live = this.listener?.snapshot();
    const c = this.carried;
    return {
      bytesIn: c.bytesIn + (live?.bytesIn ?? 0),
      bytesOut: c.bytesOut + (live?.bytesOut ?? 0),
      activeConnections: live?.activeConnections ?? 0,
      totalConnections: c.totalConnections + (live?.totalConnections ?? 0),
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.listener?.stop();
  }

  private lost(err: DataPlaneStoppedError): void {
    this.carried = this.totals();
    this.listener = undefined;
    if (!err.restartable) {
      this.fail(err);
      return;
    }
    this.say(`${err.message}`);
    setTimeout(() => {
      if (this.stopped) return;
      this.start().then(
        (b) => this.say(`forwarding again on ${formatHostPort(b.host, b.port)}`),
        (e: unknown) => this.fail(e instanceof EngineError ? e : new EngineError('INTERNAL', String(e))),
      );
    }, RESTART_DELAY_MS);
  }

  /** Writes what the log holds now (at stop: before the totals). */
  flushLog(): void {
    this.log.flush();
    this.writeLines();
  }

  private event(e: PlaneEvent): void {
    this.log.add(e);
  }

  /** A batch of events is delivered in one synchronous loop: its lines go out together right after it. */
  private queue(line: string): void {
    this.lines.push(line);
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => this.writeLines());
  }

  private writeLines(): void {
    this.queued = false;
    const lines = this.lines;
    this.lines = [];
    if (lines.length > 0) this.sayAll(lines);
  }
}
