import type { Server, Socket } from 'node:net';
import { formatHostPort } from '../../src-shared/format/address';
import { type LineLog, type LogLine, said } from '../../src-shared/model/log-text';
import { BurstLog } from './burst-log';
import { type FailureLimits, FailureLimiter, sourceKey } from './failure-limiter';
import { formatSpan, type RelayLimits } from './relay-limits';

// Admission control for the relay's agent port (issue 14): every connection gets a ticket when TCP
// accepts it, and from then on one deadline for TLS and the Porthole handshake together. Tickets not
// yet authenticated are capped per source address (the newcomer is refused, before any TLS work) and
// in all (the oldest pending connection of the source with the most is dropped, so that a flood
// from many addresses can churn the table but never hold it: a real agent's handshake takes a few
// round trips). Sources whose handshakes keep failing wait longer before each next one is read, then
// are refused for a while. Node's TLS server does not close a socket on its own handshake timeout
// (it only emits 'tlsClientError'), so the raw socket is tracked from its 'connection' event on.

export type AdmissionLimits = Pick<RelayLimits, 'handshakeTimeoutMs' | 'maxPendingHandshakes' | 'maxPendingPerAddress'> & FailureLimits;

export interface AdmissionStats {
  /** Connections accepted and not yet authenticated, now. */
  pending: number;
  /** The most pending at once, in all and from one source, since start. */
  peakPending: number;
  peakPerAddress: number;
  admitted: number;
  /** Handshakes that failed: TLS errors, bad input, wrong token, deadline, closed half-way. */
  failed: number;
  /** Of those, past the deadline. */
  timedOut: number;
  /** Refused at once: the source had max_pending_per_address handshakes in progress. */
  refusedBusy: number;
  /** Refused at once: the source is refused after failed handshakes. */
  refusedBlocked: number;
  /** Pending connections dropped to make room when max_pending_handshakes were in progress. */
  evicted: number;
  /** Times a source got refused after failed handshakes. */
  blocks: number;
}

type Outcome = 'pending' | 'admitted' | 'failed' | 'dropped';

/** One connection from TCP accept until it authenticated or failed. */
export class AdmissionTicket {
  outcome: Outcome = 'pending';
  readonly openedAt: number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly gate: RelayAdmission,
    /** The TCP socket (under TLS, the one TLS runs on: destroying it ends both). */
    readonly raw: Socket,
    /** The limiter's key: the IP address (IPv6: its /64). */
    readonly source: string,
    /** `ip:port`, for log lines. */
    readonly peer: string,
    /** `ip|port`, fixed at accept (a closed socket no longer knows its peer). */
    readonly key: string,
  ) {
    this.openedAt = Date.now();
    this.timer = setTimeout(() => this.gate.expire(this), gate.limits.handshakeTimeoutMs);
    this.timer.unref();
  }

  /** What is left of the deadline, for the handshake's own timer. */
  remainingMs(): number {
    return Math.max(0, this.openedAt + this.gate.limits.handshakeTimeoutMs - Date.now());
  }

  /**
   * Waits out the source's delay after failed handshakes before its next one is read. False when
   * the connection is gone meanwhile or its source got refused (the connection is then closed).
   */
  async throttle(): Promise<boolean> {
    const wait = Math.min(this.gate.limiter.delayFor(this.source), this.gate.limits.handshakeTimeoutMs / 2);
    if (wait > 0 && this.outcome === 'pending') {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          this.raw.off('close', done);
          resolve();
        };
        const t = setTimeout(done, wait);
        this.raw.once('close', done);
      });
    }
    if (this.outcome !== 'pending' || this.raw.destroyed) return false;
    if (this.gate.limiter.blockedFor(this.source) > 0) {
      this.gate.drop(this, 'blocked');
      return false;
    }
    return true;
  }

  /** The handshake succeeded: the slot and the deadline are released, the source's failures forgotten. */
  admitted(): void {
    if (this.settle('admitted')) this.gate.onAdmitted(this);
  }

  /** The handshake failed (`AUTH_FAILED` counts towards the source's refusal). The caller closes the socket. */
  failed(code: string, message: string, line: LogLine): void {
    if (this.settle('failed')) this.gate.onFailed(this, code, message, line);
  }

  /** @internal */
  settle(outcome: Exclude<Outcome, 'pending'>): boolean {
    if (this.outcome !== 'pending') return false;
    this.outcome = outcome;
    clearTimeout(this.timer);
    this.gate.release(this);
    return true;
  }
}

export class RelayAdmission {
  readonly limiter: FailureLimiter;
  private readonly pending = new Set<AdmissionTicket>();
  private readonly bySource = new Map<string, Set<AdmissionTicket>>();
  /** `ip|port` → ticket: how a TLS server's socket finds the raw connection it runs on. */
  private readonly byPeer = new Map<string, AdmissionTicket>();
  private readonly log: BurstLog;
  private readonly counts: Omit<AdmissionStats, 'pending'> = {
    peakPending: 0,
    peakPerAddress: 0,
    admitted: 0,
    failed: 0,
    timedOut: 0,
    refusedBusy: 0,
    refusedBlocked: 0,
    evicted: 0,
    blocks: 0,
  };

  constructor(
    readonly limits: AdmissionLimits,
    write: LineLog,
  ) {
    this.limiter = new FailureLimiter(limits);
    this.log = new BurstLog(write);
  }

  /**
   * Guards a listener: each TCP connection is admitted (or refused at once), and `onReady` gets the
   * socket to run the handshake on with its ticket — at once on plain TCP, after TLS on a TLS server.
   */
  guard(server: Server, tls: boolean, onReady: (socket: Socket, ticket: AdmissionTicket) => void): void {
    // Before the TLS server's own listener: the address is read before TLS wraps the socket.
    server.prependListener('connection', (raw: Socket) => {
      const ticket = this.admit(raw);
      if (ticket && !tls) onReady(raw, ticket);
    });
    if (!tls) return;
    server.on('secureConnection', (socket: Socket) => {
      socket.on('error', () => undefined);
      const ticket = this.byPeer.get(peerKey(socket));
      if (!ticket || ticket.outcome !== 'pending') return void socket.destroy();
      onReady(socket, ticket);
    });
    server.on('tlsClientError', (err: Error, socket: Socket) => {
      const ticket = this.byPeer.get(peerKey(socket));
      ticket?.failed('TLS', ...said('relayTlsFailed', { peer: ticket.peer, error: err.message }));
      // Node leaves the socket open after its own handshake timeout: close it here.
      socket.destroy();
    });
  }

  stats(): AdmissionStats {
    return { pending: this.pending.size, ...this.counts };
  }

  /** Closes every connection still in its handshake (the relay is stopping). */
  close(): void {
    for (const t of [...this.pending]) {
      t.settle('dropped');
      t.raw.destroy();
    }
  }

  private admit(raw: Socket): AdmissionTicket | undefined {
    raw.on('error', () => undefined);
    const source = sourceKey(raw.remoteAddress);
    const peer = formatHostPort(raw.remoteAddress ?? '?', raw.remotePort ?? 0);
    if (raw.destroyed || raw.remoteAddress === undefined) return void raw.destroy();
    if (this.limiter.blockedFor(source) > 0) {
      this.counts.refusedBlocked++;
      return void raw.resetAndDestroy();
    }
    const mine = this.bySource.get(source);
    if (mine && mine.size >= this.limits.maxPendingPerAddress) {
      this.counts.refusedBusy++;
      this.log.note(`busy:${source}`, 'warn', ...said('relayBusySource', { peer, pending: mine.size, source }));
      return void raw.resetAndDestroy();
    }
    if (this.pending.size >= this.limits.maxPendingHandshakes) this.evictOne();
    const ticket = new AdmissionTicket(this, raw, source, peer, peerKey(raw));
    this.pending.add(ticket);
    const set = mine ?? new Set<AdmissionTicket>();
    set.add(ticket);
    this.bySource.set(source, set);
    this.byPeer.set(ticket.key, ticket);
    this.counts.peakPending = Math.max(this.counts.peakPending, this.pending.size);
    this.counts.peakPerAddress = Math.max(this.counts.peakPerAddress, set.size);
    raw.once('close', () => ticket.failed('CLOSED', ...said('relayHandshakeFailed', { peer, error: 'the peer closed the connection during the handshake' })));
    return ticket;
  }

  /** The oldest pending connection of the source with the most (ties: the older of those). */
  private evictOne(): void {
    let victim: AdmissionTicket | undefined;
    let most = 0;
    for (const set of this.bySource.values()) {
      const oldest = set.values().next().value as AdmissionTicket;
      if (set.size > most || (set.size === most && victim && oldest.openedAt < victim.openedAt)) {
        most = set.size;
        victim = oldest;
      }
    }
    if (!victim) return;
    this.log.note('full', 'warn', ...said('relayHandshakesFull', { pending: this.pending.size, source: victim.source, most }));
    this.drop(victim, 'evicted');
  }

  /** @internal */
  drop(t: AdmissionTicket, why: 'evicted' | 'blocked'): void {
    if (!t.settle('dropped')) return;
    if (why === 'evicted') this.counts.evicted++;
    else this.counts.refusedBlocked++;
    t.raw.resetAndDestroy();
  }

  /** @internal The deadline passed. */
  expire(t: AdmissionTicket): void {
    if (!t.settle('failed')) return;
    this.counts.failed++;
    this.counts.timedOut++;
    this.log.note('timeout', 'info', ...said('relayHandshakeTimeout', { peer: t.peer, span: formatSpan(this.limits.handshakeTimeoutMs) }));
    t.raw.destroy();
  }

  /** @internal */
  release(t: AdmissionTicket): void {
    this.pending.delete(t);
    const set = this.bySource.get(t.source);
    set?.delete(t);
    if (set?.size === 0) this.bySource.delete(t.source);
    if (this.byPeer.get(t.key) === t) this.byPeer.delete(t.key);
  }

  /** @internal */
  onAdmitted(t: AdmissionTicket): void {
    this.counts.admitted++;
    this.limiter.succeeded(t.source);
  }

  /** @internal */
  onFailed(t: AdmissionTicket, code: string, message: string, line: LogLine): void {
    this.counts.failed++;
    // The handshake's own timer runs to the same deadline and may fire first.
    if (code === 'TIMEOUT') {
      this.counts.timedOut++;
      this.log.note('timeout', 'info', ...said('relayHandshakeTimeout', { peer: t.peer, span: formatSpan(this.limits.handshakeTimeoutMs) }));
      return;
    }
    if (code !== 'AUTH_FAILED') {
      this.log.note(`fail:${t.source}`, 'info', message, line);
      return;
    }
    this.log.note(`auth:${t.source}`, 'warn', message, line);
    const block = this.limiter.fail(t.source);
    if (!block) return;
    this.counts.blocks++;
    this.log.always('warn', ...said('relayBlocked', { failures: block.failures, source: block.source, span: formatSpan(block.overMs), blockSpan: formatSpan(block.blockMs) }));
    // Its other connections waiting for their turn go now too.
    for (const other of [...(this.bySource.get(t.source) ?? [])]) this.drop(other, 'blocked');
  }
}

/** Under TLS the raw socket and the TLS socket on it report the same peer: that pairs them. */
function peerKey(s: Socket): string {
  return `${s.remoteAddress ?? ''}|${s.remotePort ?? 0}`;
}
