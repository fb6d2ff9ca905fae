import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Endpoint } from '../../src-shared/model/primitives';
import type { ByteMeter } from '../engine/byte-meter';
import { type EngineError, udpTargetError } from '../engine/engine-error';
import { DatagramReader, encodeDatagram } from './protocol';

export interface UdpPeerHooks {
  opened(client: string): void;
  closed(client: string, bytesIn: number, bytesOut: number, durationMs: number): void;
  error(client: string, error: EngineError): void;
}

/** Past this many bytes queued on the stream, datagrams are dropped (UDP semantics, bounded memory). */
export const UDP_STREAM_HIGH_WATER = 1024 * 1024;

/**
 * The agent's side of a UDP exposure: datagrams arrive on the stream tagged with the public peer; each
 * peer gets its own socket towards the local target (so replies find their way back), closed after
 * `idleMs` without traffic.
 */
export class UdpPeers {
  private readonly reader = new DatagramReader();
  private readonly peers = new Map<string, { sock: UdpSocket; last: number; since: number; bytesIn: number; bytesOut: number }>();
  private readonly sweep: NodeJS.Timeout;
  dropped = 0;

  constructor(
    private readonly target: Endpoint,
    private readonly stream: Duplex,
    private readonly meter: ByteMeter,
    private readonly hooks: UdpPeerHooks,
    private readonly idleMs = 60_000,
    private readonly maxPeers = 1000,
  ) {
    stream.on('data', (chunk: Buffer) => {
      let grams;
      try {
        grams = this.reader.push(chunk);
      } catch {
        stream.destroy(new Error('malformed datagram frame'));
        return;
      }
      for (const g of grams) this.toTarget(g.peer, g.payload);
    });
    this.sweep = setInterval(() => this.expire(), Math.min(idleMs, 5000));
    this.sweep.unref();
  }

  private toTarget(peer: string, payload: Buffer): void {
    let p = this.peers.get(peer);
    if (!p) {
      if (this.peers.size >= this.maxPeers) {
        this.dropped++;
        return;
      }
      const sock = createSocket(isIPv6(this.target.host) ? 'udp6' : 'udp4');
      const entry = { sock, last: Date.now(), since: Date.now(), bytesIn: 0, bytesOut: 0 };
      p = entry;
      this.peers.set(peer, entry);
      sock.on('error', (err) => {
        this.hooks.error(peer, udpTargetError(err, this.target.host, this.target.port));
        this.drop(peer);
      });
      sock.on('message', (msg) => {
        entry.last = Date.now();
        if (this.stream.writableLength > UDP_STREAM_HIGH_WATER || !this.stream.writable) {
          this.dropped++;
          return;
        }
        entry.bytesOut += msg.length;
        this.meter.bytesOut += msg.length;
        this.stream.write(encodeDatagram(peer, msg));
      });
      sock.connect(this.target.port, this.target.host);
      this.meter.activeConnections++;
      this.meter.totalConnections++;
      this.hooks.opened(peer);
    }
    const entry = p;
    entry.last = Date.now();
    entry.bytesIn += payload.length;
    this.meter.bytesIn += payload.length;
    const send = () => entry.sock.send(payload, () => undefined);
    // The first datagram may arrive before connect() finished.
    try {
      send();
    } catch {
      entry.sock.once('connect', send);
    }
  }

  private drop(peer: string): void {
    const p = this.peers.get(peer);
    if (!p) return;
    this.peers.delete(peer);
    this.meter.activeConnections--;
    p.sock.close();
    this.hooks.closed(peer, p.bytesIn, p.bytesOut, Date.now() - p.since);
  }

  private expire(): void {
    const cutoff = Date.now() - this.idleMs;
    for (const [peer, p] of this.peers) if (p.last < cutoff) this.drop(peer);
  }

  close(): void {
    clearInterval(this.sweep);
    for (const peer of [...this.peers.keys()]) this.drop(peer);
  }
}
