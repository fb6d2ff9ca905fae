import { z } from 'zod';
import { parseCidr } from '../format/cidr';
import { type InspectOption, InspectOptionSchema } from './inspector';
import { type Endpoint, EndpointSchema, HostSchema, RuleIdSchema } from './primitives';
import { type RouterOption, RouterOptionSchema } from './router';
import { SocksOptionsSchema } from './ssh';

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
  /** "Open on router": absent in rules saved before it existed. */
  router: RouterOptionSchema.optional(),
  /** "Inspect HTTP": record each request and response (absent: off). */
  inspect: InspectOptionSchema.optional(),
};

export const UdpForwardFields = {
  type: z.literal('udp-forward'),
  listen: EndpointSchema,
  target: EndpointSchema,
  options: UdpOptionsSchema,
  router: RouterOptionSchema.optional(),
};

/** `ssh -L`: listen here, connect to `target` from the SSH server's side. */
export const SshLocalFields = {
  type: z.literal('ssh-local'),
  server: RuleIdSchema,
  listen: EndpointSchema,
  target: EndpointSchema,
  inspect: InspectOptionSchema.optional(),
};

/** `ssh -R`: the SSH server listens on `remote` (port 0: the server picks one) and connections come to `target` here. */
export const SshRemoteFields = {
  type: z.literal('ssh-remote'),
  server: RuleIdSchema,
  remote: z.object({
    host: HostSchema.default('127.0.0.1'),
    port: z.number().int().min(0).max(65535, 'port must be between 0 and 65535'),
  }),
  target: EndpointSchema,
};

/** `ssh -D`: a local SOCKS5 server whose connections leave through the SSH server. */
export const SshDynamicFields = {
  type: z.literal('ssh-dynamic'),
  server: RuleIdSchema,
  listen: EndpointSchema,
  socks: SocksOptionsSchema,
};

/** A local SOCKS5 server that connects directly (no SSH). */
export const SocksFields = {
  type: z.literal('socks'),
  listen: EndpointSchema,
  socks: SocksOptionsSchema,
  router: RouterOptionSchema.optional(),
};

/** This machine's agent asks a relay to listen on a public port; its connections come to `target` here. */
export const RelayExposeFields = {
  type: z.literal('relay-expose'),
  relay: RuleIdSchema,
  /** The local service the public port leads to. */
  target: EndpointSchema,
  /** The relay's public port; 0 = any port the relay's policy allows. */
  remotePort: z.number().int().min(0).max(65535, 'port must be between 0 and 65535').default(0),
  protocol: z.enum(['tcp', 'udp']).default('tcp'),
  /** `http`: log each request (method, path, status, duration) in the rule's log, and inspect it (issue 17). */
  kind: z.enum(['tcp', 'http']).default('tcp'),
  /** The inspector's body limit (kind `http` switches inspection on). */
  inspect: InspectOptionSchema.optional(),
};

export const TcpForwardDraftSchema = z.object({ ...RuleCommon, ...TcpForwardFields });
export const UdpForwardDraftSchema = z.object({ ...RuleCommon, ...UdpForwardFields });
export const SshLocalDraftSchema = z.object({ ...RuleCommon, ...SshLocalFields });
export const SshRemoteDraftSchema = z.object({ ...RuleCommon, ...SshRemoteFields });
export const SshDynamicDraftSchema = z.object({ ...RuleCommon, ...SshDynamicFields });
export const SocksDraftSchema = z.object({ ...RuleCommon, ...SocksFields });
export const RelayExposeDraftSchema = z
  .object({ ...RuleCommon, ...RelayExposeFields })
  .refine((r) => !(r.protocol === 'udp' && r.kind === 'http'), { message: 'HTTP request logging needs TCP', path: ['kind'] });
export const RuleDraftSchema = z.discriminatedUnion('type', [
  TcpForwardDraftSchema,
  UdpForwardDraftSchema,
  SshLocalDraftSchema,
  SshRemoteDraftSchema,
  SshDynamicDraftSchema,
  SocksDraftSchema,
  RelayExposeDraftSchema,
]);
export type RuleDraft = z.input<typeof RuleDraftSchema>;
export type RuleDraftParsed = z.output<typeof RuleDraftSchema>;

export const TcpForwardRuleSchema = TcpForwardDraftSchema.extend({ id: RuleIdSchema });
export const UdpForwardRuleSchema = UdpForwardDraftSchema.extend({ id: RuleIdSchema });
export const RuleSchema = z.discriminatedUnion('type', [
  TcpForwardRuleSchema,
  UdpForwardRuleSchema,
  SshLocalDraftSchema.extend({ id: RuleIdSchema }),
  SshRemoteDraftSchema.extend({ id: RuleIdSchema }),
  SshDynamicDraftSchema.extend({ id: RuleIdSchema }),
  SocksDraftSchema.extend({ id: RuleIdSchema }),
  z
    .object({ ...RuleCommon, ...RelayExposeFields, id: RuleIdSchema })
    .refine((r) => !(r.protocol === 'udp' && r.kind === 'http'), { message: 'HTTP request logging needs TCP', path: ['kind'] }),
]);
export type Rule = z.output<typeof RuleSchema>;
export type RuleType = Rule['type'];
export const RULE_TYPES: readonly RuleType[] = ['tcp-forward', 'udp-forward', 'ssh-local', 'ssh-remote', 'ssh-dynamic', 'socks', 'relay-expose'];

/** The listen endpoint (and its protocol) a rule occupies on this machine, if any. */
export function ruleListenEndpoint(rule: Rule | RuleDraftParsed): (Endpoint & { protocol: 'tcp' | 'udp' }) | undefined {
  switch (rule.type) {
    case 'tcp-forward':
      return { ...rule.listen, protocol: 'tcp' };
    case 'udp-forward':
      return { ...rule.listen, protocol: 'udp' };
    case 'ssh-local':
    case 'ssh-dynamic':
    case 'socks':
      return { ...rule.listen, protocol: 'tcp' };
    case 'ssh-remote':
    case 'relay-expose':
      // It listens on the SSH server or the relay, not here.
      return undefined;
  }
}

/** The "Open on router" option of a rule that listens here and has it switched on. */
export function ruleRouterOption(rule: Rule | RuleDraftParsed): RouterOption | undefined {
  return 'router' in rule && rule.router?.enabled ? rule.router : undefined;
}

/**
 * The "Inspect HTTP" settings of a rule that has them switched on: tcp-forward and ssh-local by their
 * switch, relay-expose also by `kind: http` (what `type: http` in a port-proxy config means).
 */
export function ruleInspect(rule: Rule | RuleDraftParsed): InspectOption | undefined {
  switch (rule.type) {
    case 'tcp-forward':
    case 'ssh-local':
      return rule.inspect?.enabled ? rule.inspect : undefined;
    case 'relay-expose':
      if (rule.protocol !== 'tcp') return undefined;
      return rule.kind === 'http' || rule.inspect?.enabled ? InspectOptionSchema.parse({ ...rule.inspect, enabled: true }) : undefined;
    default:
      return undefined;
  }
}

/** The saved SSH server a rule goes through, if any. */
export function ruleServerId(rule: Rule | RuleDraftParsed): string | undefined {
  return 'server' in rule ? rule.server : undefined;
}

/** The saved relay a rule goes through, if any. */
export function ruleRelayId(rule: Rule | RuleDraftParsed): string | undefined {
  return rule.type === 'relay-expose' ? rule.relay : undefined;
}
