import { z } from 'zod';
import { parseCidr } from '../format/cidr';
import { type Endpoint, EndpointSchema, RuleIdSchema } from './primitives';

// The user's mappings. These schemas are the single source of truth: the store, the API handlers,
// the renderer's forms and the CLI all validate with them.

export { EndpointSchema, HostSchema, PortSchema, RuleIdSchema, type Endpoint } from './primitives';


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

/** Source addresses as IPs or CIDR ranges, v4 and v6. */
export const CidrListSchema = z
  .array(
    z
      .string()
      .trim()
      .refine((v) => parseCidr(v).ok, { message: 'not an IP address or CIDR range (e.g. 192.168.1.0/24)' }),
  )
  .max(200, 'at most 200 entries')
  .default([]);

export const TcpOptionsSchema = z
  .object({
    /** Only these sources may connect (empty: everyone). Checked before the target is dialled. */
    allow: CidrListSchema,
    /** These sources are refused; deny wins over allow. */
    deny: CidrListSchema,
    /** 0 = no limit. Beyond it new connections are refused (and logged once per burst). */
    maxConnections: z.number().int().min(0).max(1_000_000).default(0),
    connectTimeoutMs: z.number().int().min(100).max(300_000).default(10_000),
    /** Close a connection with no traffic either way for this long; 0 = never. */
    idleTimeoutMs: z.number().int().min(0).max(7 * 24 * 3600_000).default(0),
    keepAlive: z.boolean().default(true),
    /** Send a PROXY protocol header to the target so it sees the real client address. */
    proxyProtocol: z.enum(['off', 'v1', 'v2']).default('off'),
  })
  .strict()
  .prefault({});
export type TcpOptions = z.output<typeof TcpOptionsSchema>;

export const UdpOptionsSchema = z
  .object({
    allow: CidrListSchema,
    deny: CidrListSchema,
    /** A client with no datagram either way for this long loses its session. */
    idleTimeoutMs: z.number().int().min(1000).max(24 * 3600_000).default(60_000),
    maxSessions: z.number().int().min(1).max(100_000).default(1000),
  })
  .strict()
  .prefault({});
export type UdpOptions = z.output<typeof UdpOptionsSchema>;

export const TcpForwardFields = {
  type: z.literal('tcp-forward'),
  /** Where Porthole listens. Defaults to loopback: all interfaces needs an explicit choice. */
  listen: EndpointSchema,
  /** Where each accepted connection is forwarded. */
  target: EndpointSchema,
  options: TcpOptionsSchema,
};

export const UdpForwardFields = {
  type: z.literal('udp-forward'),
  listen: EndpointSchema,
  target: EndpointSchema,
  options: UdpOptionsSchema,
};

export const TcpForwardDraftSchema = z.object({ ...RuleCommon, ...TcpForwardFields });
export const UdpForwardDraftSchema = z.object({ ...RuleCommon, ...UdpForwardFields });
export const RuleDraftSchema = z.discriminatedUnion('type', [TcpForwardDraftSchema, UdpForwardDraftSchema]);
export type RuleDraft = z.input<typeof RuleDraftSchema>;
export type RuleDraftParsed = z.output<typeof RuleDraftSchema>;

export const TcpForwardRuleSchema = TcpForwardDraftSchema.extend({ id: RuleIdSchema });
export const UdpForwardRuleSchema = UdpForwardDraftSchema.extend({ id: RuleIdSchema });
export const RuleSchema = z.discriminatedUnion('type', [TcpForwardRuleSchema, UdpForwardRuleSchema]);
export type Rule = z.output<typeof RuleSchema>;
export type RuleType = Rule['type'];
export const RULE_TYPES: readonly RuleType[] = ['tcp-forward', 'udp-forward'];

/** The listen endpoint (and its protocol) a rule occupies on this machine, if any. */
export function ruleListenEndpoint(rule: Rule | RuleDraftParsed): (Endpoint & { protocol: 'tcp' | 'udp' }) | undefined {
  switch (rule.type) {
    case 'tcp-forward':
      return { ...rule.listen, protocol: 'tcp' };
    case 'udp-forward':
      return { ...rule.listen, protocol: 'udp' };
  }
}
