import { z } from 'zod';
import { RelayDraftSchema } from './relay';
import { RuleDraftSchema } from './rule';
import { SshServerDraftSchema } from './ssh';

// Porthole's own export/import file (YAML or JSON): rules with the SSH servers and relays they use.
// Rules and servers refer to each other by `ref`, a name local to the file (jump hosts too), never by
// the ids of the machine that exported them. Secrets appear only when the person opted in.

export const PORTHOLE_DOC_VERSION = 1;

const Ref = z.string().trim().min(1, 'empty ref').max(64, 'ref is longer than 64 characters');

export const DocServerSchema = SshServerDraftSchema.extend({
  ref: Ref,
  /** Refs of other servers in this file. */
  jump: z.array(Ref).max(8).default([]),
  password: z.string().max(4096).optional(),
  passphrase: z.string().max(4096).optional(),
}).strict();

export const DocRelaySchema = RelayDraftSchema.extend({
  ref: Ref,
  token: z.string().max(4096).optional(),
}).strict();

/** A rule as written in the file: `server` / `relay` hold refs; `socksPassword` only with secrets. */
export const DocRuleSchema = z.looseObject({ type: z.string(), server: Ref.optional(), relay: Ref.optional(), socksPassword: z.string().max(255).optional() });

export const PortholeDocSchema = z
  .object({
    /** The format version; files without it are read as version 1. */
    porthole: z.literal(PORTHOLE_DOC_VERSION).optional(),
    exportedAt: z.string().max(64).optional(),
    servers: z.array(z.unknown()).max(2000).default([]),
    relays: z.array(z.unknown()).max(2000).default([]),
    rules: z.array(z.unknown()).max(5000).default([]),
  })
  .loose();

export type DocServer = z.output<typeof DocServerSchema>;
export type DocRelay = z.output<typeof DocRelaySchema>;

/** Checks one rule of the file (refs are kept as they are: the importer maps them to ids). */
export function parseDocRule(raw: unknown): z.ZodSafeParseResult<z.output<typeof RuleDraftSchema> & { socksPassword?: string }> {
  const base = DocRuleSchema.safeParse(raw);
  if (!base.success) return base as never;
  const { socksPassword, ...rest } = base.data;
  // Refs stand in for ids here; a ref is any short text, so validate with a placeholder id.
  const placeholder = { ...rest, ...(rest.server !== undefined ? { server: 'ref' } : {}), ...(rest.relay !== undefined ? { relay: 'ref' } : {}) };
  const r = RuleDraftSchema.safeParse(placeholder);
  if (!r.success) return r as never;
  const data = { ...r.data, ...(rest.server !== undefined ? { server: rest.server } : {}), ...(rest.relay !== undefined ? { relay: rest.relay } : {}) } as z.output<typeof RuleDraftSchema>;
  return { success: true, data: socksPassword !== undefined ? { ...data, socksPassword } : data } as never;
}
