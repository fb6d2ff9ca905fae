import { z } from 'zod';

/** One live connection (TCP) or session (UDP) of a rule, for the Connections view. */
export interface ConnectionRow {
  ruleId: string;
  /** Unique within the rule while it runs. */
  id: number;
  protocol: 'tcp' | 'udp';
  /** The client's address, host:port. */
  client: string;
  /** Epoch ms. */
  since: number;
  bytesIn: number;
  bytesOut: number;
  state: 'connecting' | 'open' | 'half-closed' | 'active';
}

export const ConnectionsQuerySchema = z.object({ ruleId: z.string().max(64).optional() }).strict();
export const ConnectionCloseSchema = z.object({ ruleId: z.string().max(64), id: z.number().int().min(0) }).strict();
