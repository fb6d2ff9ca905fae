import { z } from 'zod';
import { RuleIdSchema } from './primitives';

// "Is this listen port free?", asked by the rule editor as the person types (issue 18), answered by the
// host, which sees the saved mappings, what this machine has bound, and (on Linux) which process holds
// a port — the same facts the PORT_IN_USE error of a failed start names, before anything is saved.

export const PortCheckInputSchema = z
  .object({
    protocol: z.enum(['tcp', 'udp']),
    host: z.string().trim().min(1).max(255),
    port: z.number().int().min(1).max(65535),
    /** The mapping being edited: its own port is not "taken". */
    ruleId: RuleIdSchema.optional(),
  })
  .strict();
export type PortCheckInput = z.input<typeof PortCheckInputSchema>;

export type PortHolder =
  | { kind: 'mapping'; id: string; name: string }
  | { kind: 'process'; name: string; pid: number }
  /** This Porthole process, but not a saved mapping (e.g. the in-app relay or the UI server). */
  | { kind: 'porthole' }
  | { kind: 'unknown' };

export interface PortCheck {
  free: boolean;
  /** Why not: taken, not allowed (a port below 1024 without the right), or not an address of this machine. */
  problem?: 'in-use' | 'permission' | 'not-local';
  holder?: PortHolder;
  /** The next port after the asked one that is free here and in no saved mapping. */
  suggestion?: number;
}
