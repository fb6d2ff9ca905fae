import { type MeterSnapshot, readSharedMeter } from '../engine/byte-meter';
import type { DataPlane } from './data-plane';
import type { WireConnection } from './protocol';
import { checkConnections } from './protocol-checks';

/** The control thread's handle on one listener running in the data plane. */
export class RemoteListener {
  /** Set once the listener is stopped or the data plane is gone; requests then answer with nothing. */
  gone = false;

  constructor(
    private readonly plane: DataPlane,
    readonly lid: number,
    readonly bound: { host: string; port: number },
    private readonly meter: SharedArrayBuffer,
  ) {}

  /** Exact totals, read from the shared meter (no message); a gone listener has no live connections. */
  snapshot(): MeterSnapshot {
    const s = readSharedMeter(this.meter);
    return this.gone ? { ...s, activeConnections: 0 } : s;
  }

  connections(): Promise<WireConnection[]> {
    return this.plane.request(this.lid, { op: 'connections', lid: this.lid }, checkConnections, []);
  }

  closeConnection(id: number): Promise<boolean> {
    const asBool = (v: unknown) => v === true;
    return this.plane.request(this.lid, { op: 'close-connection', lid: this.lid, id }, asBool, false);
  }

  /** Closes the listener and every connection of it; resolves when they are closed (or the plane is gone). */
  stop(): Promise<void> {
    return this.plane.stopListener(this.lid);
  }
}
