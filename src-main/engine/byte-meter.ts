export interface MeterSnapshot {
  bytesIn: number;
  bytesOut: number;
  activeConnections: number;
  totalConnections: number;
}

/** Cell order of a meter's counters (UdpMeter appends its own after these). */
export const METER_CELLS = 4;

/**
 * Running totals for one forwarder, bumped in the data path (per chunk: a typed-array add, cheap) and
 * sampled by the stats ticker. bytesIn = client → target, bytesOut = target → client.
 *
 * The counters live in a Float64Array so that the data plane can move them into shared memory
 * (share()): its forwarders run in a worker thread, and the control thread then reads the exact
 * totals at any time without a message. Doubles count bytes exactly up to 2^53 (8 PiB).
 */
export class ByteMeter {
  protected cells: Float64Array;

  constructor(cells = METER_CELLS) {
    this.cells = new Float64Array(cells);
  }

  get bytesIn(): number {
    return this.cells[0]!;
  }
  set bytesIn(v: number) {
    this.cells[0] = v;
  }
  get bytesOut(): number {
    return this.cells[1]!;
  }
  set bytesOut(v: number) {
    this.cells[1] = v;
  }
  get activeConnections(): number {
    return this.cells[2]!;
  }
  set activeConnections(v: number) {
    this.cells[2] = v;
  }
  get totalConnections(): number {
    return this.cells[3]!;
  }
  set totalConnections(v: number) {
    this.cells[3] = v;
  }

  /** Moves the counters (values kept) into a SharedArrayBuffer and returns it; idempotent. */
  share(): SharedArrayBuffer {
    if (this.cells.buffer instanceof SharedArrayBuffer) return this.cells.buffer;
    const shared = new Float64Array(new SharedArrayBuffer(this.cells.byteLength));
    shared.set(this.cells);
    this.cells = shared;
    return shared.buffer as SharedArrayBuffer;
  }

  snapshot(): MeterSnapshot {
    return {
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      activeConnections: this.activeConnections,
      totalConnections: this.totalConnections,
    };
  }
}

/**
 * Reads a meter that share() moved into shared memory, from another thread. Aligned 8-byte loads and
 * stores are single instructions on the 64-bit platforms Porthole ships for, so a value is never torn;
 * the counters of one snapshot may be a few chunks apart, as they always were between two reads.
 */
export function readSharedMeter(buffer: SharedArrayBuffer): MeterSnapshot {
  const c = new Float64Array(buffer, 0, METER_CELLS);
  return { bytesIn: c[0]!, bytesOut: c[1]!, activeConnections: c[2]!, totalConnections: c[3]! };
}
