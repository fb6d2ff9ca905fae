import { z } from 'zod';
import { isValidHost } from '../format/address';

// The user's mappings. These schemas are the single source of truth: the store, the API handlers,
// the renderer's forms and the CLI all validate with them.

export const HostSchema = z
  .string()
  .trim()
  .min(1, 'enter a host')
  .max(253, 'host name is too long')
  .refine(isValidHost, { message: 'not a valid host name or IP address' });

export const PortSchema = z
  .number({ message: 'enter a port number' })
  .int('a port is a whole number')
  .min(1, 'port must be between 1 and 65535')
  .max(65535, 'port must be between 1 and 65535');

export const EndpointSchema = z.object({ host: HostSchema, port: PortSchema });
export type Endpoint = z.infer<typeof EndpointSchema>;

export const RuleIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a rule id');

const RuleCommon = {
  name: z.string().trim().min(1, 'give the mapping a name').max(80, 'name is too long (80 characters at most)'),
  /** The on/off switch: the state the user asked for. Persisted, so it survives a restart. */
  enabled: z.boolean().default(false),
  /** When false the rule comes up switched off at launch, whatever `enabled` said. */
  autoStart: z.boolean().default(true),
  group: z.string().trim().max(60).optional(),
  tags: z.array(z.string().trim().min(1).max(30)).max(20).default([]),
  notes: z.string().max(2000).optional(),
};

export const TcpForwardFields = {
  type: z.literal('tcp-forward'),
  /** Where Porthole listens. Defaults to loopback: all interfaces needs an explicit choice. */
  listen: EndpointSchema,
  /** Where each accepted connection is forwarded. */
  target: EndpointSchema,
};

export const TcpForwardDraftSchema = z.object({ ...RuleCommon, ...TcpForwardFields });
export const RuleDraftSchema = z.discriminatedUnion('type', [TcpForwardDraftSchema]);
export type RuleDraft = z.input<typeof RuleDraftSchema>;
export type RuleDraftParsed = z.output<typeof RuleDraftSchema>;

export const TcpForwardRuleSchema = TcpForwardDraftSchema.extend({ id: RuleIdSchema });
export const RuleSchema = z.discriminatedUnion('type', [TcpForwardRuleSchema]);
export type Rule = z.output<typeof RuleSchema>;
export type RuleType = Rule['type'];
export const RULE_TYPES: readonly RuleType[] = ['tcp-forward'];

/** The listen endpoint a rule occupies on this machine, if any. */
export function ruleListenEndpoint(rule: Rule | RuleDraftParsed): Endpoint | undefined {
  return rule.listen;
}
