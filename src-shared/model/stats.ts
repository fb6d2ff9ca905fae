/**
 * Traffic of one rule. Direction is seen from the client of the mapping:
 * `bytesIn` flowed client → target, `bytesOut` flowed target → client.
 */
export interface RuleStats {
  bytesIn: number;
  bytesOut: number;
  /** Bytes per second over the last tick. */
  rateIn: number;
  rateOut: number;
  activeConnections: number;
  totalConnections: number;
}

/** One batch per tick for all rules. */
export interface StatsBatch {
  /** Epoch ms when the tick was taken. */
  ts: number;
  /** Tick length in ms. */
  intervalMs: number;
  rules: Record<string, RuleStats>;
}

export function emptyStats(): RuleStats {
  return { bytesIn: 0, bytesOut: 0, rateIn: 0, rateOut: 0, activeConnections: 0, totalConnections: 0 };
}
