export interface MeterSnapshot {
  bytesIn: number;
  bytesOut: number;
  activeConnections: number;
  totalConnections: number;
}

/**
 * Running totals for one forwarder, bumped in the data path (plain field adds, so cheap enough to do
 * per chunk) and sampled by the stats ticker. bytesIn = client → target, bytesOut = target → client.
 */
export class ByteMeter {
  bytesIn = 0;
  bytesOut = 0;
  activeConnections = 0;
  totalConnections = 0;

  snapshot(): MeterSnapshot {
    return {
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      activeConnections: this.activeConnections,
      totalConnections: this.totalConnections,
    };
  }
}
