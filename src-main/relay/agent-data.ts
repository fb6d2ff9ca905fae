import type { Socket } from 'node:net';
import { type LineLog, type LogLine, said } from '../../src-shared/model/log-text';
// No zod here (only data-wire.ts and raw-reader.ts): the data plane worker runs this class too.
import { checkAdmit, checkOpen, DATA_MAGIC, type DataOpen, encodeFrame, PROTOCOL_VERSION, ticketMac } from './data-wire';
import { channelBinding, RawReader } from './raw-reader';

/**
 * Data connections dialled at once, each until the relay says it joined the pool; the rest of a grant
 * waits its turn (the relay falls back to HTTP/2 meanwhile). Well under the relay's cap on handshakes
 * in progress from one address (max_pending_per_address, 8 by default), which several agents behind
 * one NAT address share.
 */
const DIAL_CONCURRENCY = 2;
/** The relay's admission deadline is 10 s at most (relay-limits.ts). */
const ADMIT_TIMEOUT_MS = 12_000;
/** A public connection for an exposure this session has not named yet waits this long for its 'exposed'. */
const EARLY_WAIT_MS = 5000;
/** Once the relay started an open frame, the rest of it must follow within this. */
const OPEN_FRAME_TIMEOUT_MS = 10_000;
/** At most one warning about failing data connections per this long (no log flood when the relay is away). */
const WARN_EVERY_MS = 30_000;

export interface AgentDataOptions<E> {
  session: string;
  key: Buffer;
  /** A new connection to the relay (TLS with the pinned certificate checked, or plain TCP). */
  dial(): Promise<Socket>;
  /** The exposure the relay's id names in this session, if named yet. */
  exposureFor(id: string): E | undefined;
  /** Serves one public connection on `socket` (the open frame has been read off it). */
  serve(exposure: E, socket: Socket, peer: string): void;
  log: LineLog;
  /** The relay's host:port, for log lines. */
  relay: string;
}

/**
 * The agent's side of data connections (data-protocol.ts) for one session: dials one connection per
 * ticket the relay grants, proves the ticket, and keeps it idle until the relay opens a public
 * connection on it. Closed with the session (the relay closes idle ones it no longer wants).
 */
export class AgentDataConns<E> {
  private readonly queue: Array<{ id: number; exp: number; tries: number }> = [];
  private readonly retries = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<Socket>();
  private readonly early = new Map<string, Array<{ socket: Socket; peer: string; timer: NodeJS.Timeout }>>();
  private dialing = 0;
  private closed = false;
  private lastWarn = 0;
  /** Counters for status and tests. */
  readonly stats = { dialled: 0, failed: 0, opened: 0 };

  constructor(private readonly o: AgentDataOptions<E>) {}

  grant(ids: number[], exp: number): void {
    if (this.closed) return;
    for (const id of ids) this.queue.push({ id, exp, tries: 0 });
    // After this turn's I/O: a public connection opened on the data connection that prompted this
    // grant is served before the new dials' TLS handshakes take the event loop.
    setImmediate(() => this.pump());
  }

  /** The exposure `id` was just named: serve the public connections that waited for it. */
  released(id: string): void {
    const waiting = this.early.get(id);
    this.early.delete(id);
    const e = this.o.exposureFor(id);
    for (const w of waiting ?? []) {
      clearTimeout(w.timer);
      if (e && !w.socket.destroyed) this.o.serve(e, w.socket, w.peer);
      else w.socket.destroy();
    }
  }

  /** Idle and waiting data connections; the ones carrying traffic belong to their exposures. */
  get idle(): number {
    return this.sockets.size;
  }

  /** Closes like close() and returns the tickets not dialled yet (another AgentDataConns may use them). */
  drain(): Array<{ id: number; exp: number }> {
    const left = this.queue.map(({ id, exp }) => ({ id, exp }));
    this.close();
    return left;
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
    for (const t of this.retries) clearTimeout(t);
    this.retries.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    for (const list of this.early.values()) {
      for (const w of list) {
        clearTimeout(w.timer);
        w.socket.destroy();
      }
    }
    this.early.clear();
  }

  private pump(): void {
    while (!this.closed && this.dialing < DIAL_CONCURRENCY && this.queue.length > 0) {
      const t = this.queue.shift()!;
      if (t.exp < Date.now()) continue;
      this.dialing++;
      this.dialOne(t.id, t.exp)
        .catch((err: Error) => {
          this.warn(...said('agentDataDialFailed', { relay: this.o.relay, error: err.message }));
          // A refused ticket stays refused; a connection that failed on the way may try again.
          if (!(err instanceof RefusedError)) this.retry(t);
        })
        .finally(() => {
          this.dialing--;
          this.pump();
        });
    }
  }

  /** A ticket stays good until it expires: try again after 0.5, 1, 2… s while there is time. */
  private retry(t: { id: number; exp: number; tries: number }): void {
    const delay = 500 * 2 ** t.tries;
    if (this.closed || Date.now() + delay >= t.exp) return;
    const timer = setTimeout(() => {
      this.retries.delete(timer);
      if (this.closed) return;
      this.queue.push({ ...t, tries: t.tries + 1 });
      this.pump();
    }, delay);
    timer.unref();
    this.retries.add(timer);
  }

  private async dialOne(id: number, exp: number): Promise<void> {
    const socket = await this.o.dial();
    if (this.closed) return void socket.destroy();
    this.stats.dialled++;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    socket.on('error', () => undefined);
    const mac = ticketMac(this.o.key, this.o.session, id, exp, channelBinding(socket));
    socket.write(Buffer.concat([DATA_MAGIC, Buffer.from([PROTOCOL_VERSION]), encodeFrame({ session: this.o.session, id, exp, mac })]));
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    const admit = new RawReader(socket, ADMIT_TIMEOUT_MS);
    let verdict;
    try {
      verdict = await admit.readChecked(checkAdmit, 'relay verdict on a data connection');
    } catch (err) {
      socket.destroy();
      throw err;
    } finally {
      admit.detach();
    }
    if ('error' in verdict) {
      this.stats.failed++;
      socket.destroy();
      throw new RefusedError(`relay ${this.o.relay} refused a data connection: ${verdict.error.message}`);
    }
    if (this.closed) return void socket.destroy();
    // In the pool, idle until the relay speaks again: its next byte starts the open frame.
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      const reader = new RawReader(socket, OPEN_FRAME_TIMEOUT_MS);
      socket.resume();
      reader
        .readChecked(checkOpen, 'relay open frame')
        .then((msg) => {
          reader.detach();
          this.sockets.delete(socket);
          this.opened(socket, msg);
        })
        .catch((err: Error) => {
          reader.detach();
          this.stats.failed++;
          this.warn(...said('agentDataBroke', { relay: this.o.relay, error: err.message }));
          socket.destroy();
        });
    });
    socket.resume();
  }

  private opened(socket: Socket, msg: DataOpen): void {
    if ('error' in msg) {
      this.stats.failed++;
      this.warn(...said('agentDataRefused', { relay: this.o.relay, error: msg.error.message }));
      return void socket.destroy();
    }
    this.stats.opened++;
    // Idle, a FIN from the relay closes it; carrying a connection, a FIN is the client's half-close.
    socket.allowHalfOpen = true;
    const e = this.o.exposureFor(msg.open);
    if (e) return this.o.serve(e, socket, msg.peer);
    // As with HTTP/2 streams: the relay may open a public connection on a port whose 'exposed' is
    // still on its way over the control stream (another TCP connection, so no ordering between them).
    const list = this.early.get(msg.open) ?? [];
    let held = 0;
    for (const l of this.early.values()) held += l.length;
    if (held >= 256) return void socket.destroy();
    const entry = {
      socket,
      peer: msg.peer,
      timer: setTimeout(() => {
        const l = this.early.get(msg.open);
        const i = l ? l.indexOf(entry) : -1;
        if (i >= 0) l!.splice(i, 1);
        if (l?.length === 0) this.early.delete(msg.open);
        socket.end(encodeFrame({ error: { code: 'PROTOCOL_ERROR', message: `exposure ${msg.open} is unknown to this agent` } }));
        setTimeout(() => socket.destroy(), 1000).unref();
      }, EARLY_WAIT_MS),
    };
    list.push(entry);
    this.early.set(msg.open, list);
  }

  private warn(message: string, line: LogLine): void {
    const now = Date.now();
    if (this.closed || now - this.lastWarn < WARN_EVERY_MS) return;
    this.lastWarn = now;
    this.o.log('warn', message, line);
  }
}

/** The relay refused the ticket (or presented the wrong certificate): dialling it again cannot help. */
export class RefusedError extends Error {}
