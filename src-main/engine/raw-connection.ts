import { lookup as dnsLookup } from 'node:dns';
import { formatHostPort } from '../../src-shared/format/address';
import type { ByteMeter } from './byte-meter';
import type { EngineError } from './engine-error';
import { connectError, connectTimeout, lookupTimeout } from './engine-error';
import type { ConnectionInfo, ConnectionState, ForwardTarget, Spliced, SplicedHooks } from './forward-connection';
import { PooledReader } from './pooled-reader';
import { RawEnd, type RawEndOwner } from './raw-end';
import { setSocketOptions, uvError } from './raw-tcp';
import type { RawHandle, RawTcp, SockAddr } from './raw-tcp';
import { LOOKUP_OPTIONS, attemptMs, dialOrder } from './dial-order';


/**
 * A client that spoke a protocol of its own before its target was known (SOCKS5): its owner reads it
 * until the target answers, then the connection answers the client and takes the handle over.
 */
export interface RawOpening {
  /** The target connected (`bound`: the target socket's local address): what the client gets first. */
  connected(bound: SockAddr): Uint8Array;
  /** What the client sent after its request, for the target before anything else. */
  takeEarly(): Uint8Array;
  /** The client's FIN arrived while the target was being dialled. */
  readonly clientEnded: boolean;
  /** The owner is reading the client right now (not stopped for a bound, no FIN or error yet). */
  readonly clientReading: boolean;
  /** The target could not be reached: what the client gets before a FIN (not a reset), then it closes. */
  failed(error: EngineError): Uint8Array;
}

/**
 * One accepted client spliced to one target connection on raw TCP handles (raw-tcp.ts): the fast path
 * of TcpForwarder, with ForwardConnection's behaviour — the client is read only once the target is
 * connected; each FIN is passed on on its own (half-closed protocols work) and an end closes once it
 * has both received and sent one; an error or reset on either side aborts both with a RST; a failure
 * on the target's side (refused, unreachable, timed out, reset) is the connection's error.
 */
export class RawConnection implements Spliced, RawEndOwner {
  private readonly client: RawEnd;
  private target: RawEnd | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The target's name is being resolved (no target handle yet). */
  private resolving = false;
  /** The wait for one of several addresses of a name before the next is tried. */
  private attempt: NodeJS.Timeout | undefined;
  private openHandles = 2;
  private failed = false;
  private connected = false;
  /** The byte count the idle sweep last saw, and when it changed (idleFor). */
  private seenTotal = -1;
  private activeAt = 0;
  /** Early bytes of an opening, written to the target before the relay started. */
  private earlyIn = 0;
  /** An opening's target failed: the client is being answered (reply, FIN) and closes once its own FIN is in. */
  private answering = false;

  constructor(
    readonly info: ConnectionInfo,
    private readonly raw: RawTcp,
    clientHandle: RawHandle,
    private readonly to: ForwardTarget,
    private readonly meter: ByteMeter,
    private readonly hooks: SplicedHooks,
    /** The client's address as accepted (for a PROXY header: by the time the target answers, the client may be gone). */
    private readonly peer: SockAddr,
    private readonly opening?: RawOpening,
  ) {
    this.client = new RawEnd(raw, clientHandle, new PooledReader(meter, true), this, false, !opening);
  }

  get bytesIn(): number {
    return this.client.reader.bytes + this.earlyIn;
  }

  get bytesOut(): number {
    return this.target?.reader.bytes ?? 0;
  }

  /**
   * How long no byte has moved either way, as seen by calls to this (the forwarder's idle sweep): the
   * time since the first call that saw the counters at their present values. 0 while connecting.
   */
  idleFor(now: number): number {
    if (!this.connected) return 0;
    const total = this.bytesIn + this.bytesOut;
    if (total !== this.seenTotal) {
      this.seenTotal = total;
      this.activeAt = now;
    }
    return now - this.activeAt;
  }

  get state(): ConnectionState {
    if (!this.connected) return 'connecting';
    return this.client.eof || this.client.shutting ? 'half-closed' : 'open';
  }

  /** Starts connecting to the target; call once, right after construction. */
  connect(): void {
    const { host, port, family, connectTimeoutMs, lookup = dnsLookup } = this.to;
    if (this.client.closed) {
      // Aborted before it was dialled (destroy() from a 'connection-open' listener): no target to close.
      this.handleClosed();
      return;
    }
    // The whole connect — the name's lookup, every address tried — within connectTimeoutMs.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Still resolving: no address was dialled, so say that rather than "did not answer".
      const err = this.resolving ? lookupTimeout(host, connectTimeoutMs) : connectTimeout(host, port, connectTimeoutMs);
      this.fail(connectError(err, host, port));
    }, connectTimeoutMs);
    if (family !== 0) {
      this.dial([{ address: host, family }], 0, []);
      return;
    }
    // A name: resolved for each connection, as net.connect does (the answer may change).
    this.resolving = true;
    lookup(host, LOOKUP_OPTIONS, (err, found) => {
      // Timed out or destroyed meanwhile: abandonLookup() has counted the target as closed.
      if (!this.resolving) return;
      const addresses = err ? [] : dialOrder(found);
      if (addresses.length === 0) {
        this.fail(connectError(err ?? Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), host, port));
      } else {
        this.resolving = false;
        this.dial(addresses, 0, []);
      }
    });
  }

  /**
   * Dials addresses[i]; where it fails (or, with more addresses left, does not answer within net's
   * autoSelectFamily attempt timeout, 250 ms by default) the next one is tried, as net.connect does
   * for a name. When the last fails, the connection's error is the first attempt's (net reports its
   * AggregateError the same way), with every attempt's error kept as its cause.
   */
  private dial(addresses: readonly { address: string; family: number }[], i: number, failures: Error[]): void {
    const { host, port } = this.to;
    const { address, family } = addresses[i]!;
    const more = i + 1 < addresses.length;
    // Every attempt after the first is one more handle to close.
    if (i > 0) this.openHandles += 1;
    const handle = this.raw.newSocket();
    const target = new RawEnd(this.raw, handle, new PooledReader(this.meter, false), this, true);
    this.target = target;
    target.other = this.client;
    this.client.other = target;
    const next = (error: Error): void => {
      this.clearAttempt();
      failures.push(error);
      if (more) {
        target.close(false);
        this.dial(addresses, i + 1, failures);
      } else {
        this.fail(connectError(failures.length > 1 ? new AggregateError(failures, `connect to ${host}:${port} failed on every address`) : error, host, port));
      }
    };
    const req = this.raw.connectReq();
    req.oncomplete = (status: number) => {
      if (target.closed) return;
      if (status < 0) next(uvError(status, 'connect', address, port));
      else {
        this.clearAttempt();
        this.onTargetConnect(target);
      }
    };
    const err = family === 6 ? handle.connect6(req, address, port) : handle.connect(req, address, port);
    if (err !== 0) next(uvError(err, 'connect', address, port));
    else if (more) {
      this.attempt = setTimeout(
        () => next(Object.assign(new Error(`connect ETIMEDOUT ${formatHostPort(address, port)} (no answer within ${attemptMs()} ms, next address tried)`), { code: 'ETIMEDOUT' })),
        attemptMs(),
      );
    }
  }

  /** Aborts both sides at once (RST where the OS allows it); used by stop() and to close one connection. */
  destroy(): void {
    this.abort();
  }

  private onTargetConnect(target: RawEnd): void {
    this.clearTimer();
    this.connected = true;
    const { keepAliveMs, header } = this.to;
    setSocketOptions(target.handle, keepAliveMs);
    if (header) {
      const { peer } = this;
      const local: SockAddr = {};
      this.client.handle.getsockname(local);
      target.write(header({ remoteAddress: peer.address, remotePort: peer.port, localAddress: local.address, localPort: local.port }));
      if (target.closed) return;
    }
    const o = this.opening;
    if (o) {
      const bound: SockAddr = {};
      target.handle.getsockname(bound);
      this.client.write(o.connected(bound));
      if (this.client.closed) return;
      const early = o.takeEarly();
      if (early.length > 0) {
        this.earlyIn = early.length;
        this.meter.bytesIn += early.length;
        target.write(early);
        if (target.closed) return;
      }
      this.client.takeReads(o.clientReading);
      if (o.clientEnded) {
        // Its FIN came during the dial: passed on after the early bytes; the target is still read.
        target.start();
        this.client.start(false);
        this.client.inputEnded();
        return;
      }
    }
    target.start();
    this.client.start();
  }

  /**
   * An opening's owner saw the client's FIN (it reads the client until the target answers): noted for
   * the connect, and a client being answered closes once our FIN is out too.
   */
  clientEnded(): void {
    if (this.connected || this.client.closed) return;
    this.client.eof = true;
    this.client.finishIfDone();
  }

  /** A read, write or shutdown on `end` failed: both sides go (RST); the target's failure is reported. */
  endFailed(end: RawEnd, status: number, syscall: string): void {
    if (end.isTarget) {
      const { host, port } = this.to;
      this.fail(connectError(uvError(status, syscall, host, port), host, port));
    } else {
      this.abort();
    }
  }

  /** Both sides go at once, with nothing reported. */
  private abort(): void {
    this.clearTimer();
    this.abandonLookup();
    this.client.close(true);
    this.target?.close(this.connected);
  }

  private fail(error: EngineError): void {
    // An opening's client is told why (a SOCKS reply) and gets a FIN rather than a reset.
    const answer = this.opening !== undefined && !this.connected && !this.client.closed && !this.answering;
    if (answer) this.answering = true;
    if (!this.failed) {
      this.failed = true;
      this.hooks.onError(this, error);
    }
    if (answer) {
      this.clearTimer();
      this.abandonLookup();
      this.target?.close(false);
      this.client.write(this.opening!.failed(error));
      // Closed once the client's FIN is in as well (clientEnded), by the owner's timer, or by a reset.
      this.client.shutdown();
      return;
    }
    this.abort();
  }

  /** One of the connection's handles is closed (or, for a target never opened, will not be). */
  handleClosed(): void {
    this.openHandles -= 1;
    if (this.openHandles > 0) return;
    this.client.reader.dispose();
    this.target?.reader.dispose();
    this.hooks.onClose(this);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.clearAttempt();
  }

  /** Given up while the name was being resolved: no target will be opened (a lookup cannot be cancelled). */
  private abandonLookup(): void {
    if (!this.resolving) return;
    this.resolving = false;
    this.handleClosed();
  }

  private clearAttempt(): void {
    if (this.attempt !== undefined) {
      clearTimeout(this.attempt);
      this.attempt = undefined;
    }
  }
}
