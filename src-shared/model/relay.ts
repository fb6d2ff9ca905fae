import { z } from 'zod';
import { normalizeFingerprint } from '../format/fingerprint';
import { HostSchema, RuleIdSchema } from './primitives';
import { type RouterMappingStatus, RouterOptionSchema } from './router';
import { TOKEN_TOO_SHORT, tokenTooShort } from './relay-token';

// Relays are saved entities that `relay-expose` rules refer to by id (this machine is the agent).
// The token lives in the secret store; the relay records only that one exists. The pinned
// certificate fingerprint is set on first use (or given) and then checked on every connection.

export const FingerprintSchema = z
  .string()
  .refine((v) => normalizeFingerprint(v) !== undefined, { message: 'a SHA-256 fingerprint is 64 hex digits (colons optional)' })
  .transform((v) => normalizeFingerprint(v)!);

export const RelayDraftSchema = z
  .object({
    name: z.string().trim().min(1, 'give the relay a name').max(80),
    host: HostSchema,
    port: z.number().int().min(1, 'port must be between 1 and 65535').max(65535, 'port must be between 1 and 65535').default(9015),
    /** The name this agent announces (the relay's `remote_name`). */
    agentName: z
      .string()
      .trim()
      .min(1, 'enter the agent name the relay knows this machine by')
      .max(80)
      .refine((v) => !/\p{Cc}/u.test(v), 'no control characters'),
    /** TLS with a pinned certificate (default). Off = plain TCP, only for testing on a trusted network. */
    tls: z.boolean().default(true),
    /** Pinned certificate fingerprint (SHA-256); empty until the first connection pins it. */
    fingerprint: FingerprintSchema.optional(),
    hasToken: z.boolean().default(false),
    /** Also serve the ports the relay's own config assigns to this agent name (port-proxy's model). */
    acceptAssigned: z.boolean().default(false),
  })
  .strict();
export type RelayDraft = z.input<typeof RelayDraftSchema>;
export const RelaySchema = RelayDraftSchema.extend({ id: RuleIdSchema });
export type Relay = z.output<typeof RelaySchema>;

export { MIN_TOKEN_LENGTH, TOKEN_HOW_TO, TOKEN_TOO_SHORT, tokenTooShort } from './relay-token';

/** A token as set through the API: empty (delete it) or at least MIN_TOKEN_LENGTH characters. */
export const AgentTokenSchema = z
  .string()
  .max(4096)
  .refine((v) => !tokenTooShort(v), TOKEN_TOO_SHORT);

/** Input of relays.create / relays.update: the relay plus its write-only token. */
export const RelayInputSchema = z
  .object({
    relay: RelayDraftSchema,
    /** Set or replace the stored token; empty string deletes it. */
    token: AgentTokenSchema.optional(),
  })
  .strict();
export type RelayInput = z.input<typeof RelayInputSchema>;

export type RelayConnectionState = 'idle' | 'connecting' | 'ready' | 'retrying' | 'failed';

/** A saved relay as the UI shows it: definition, the agent connection's state, which rules use it. */
export interface RelayEntry {
  relay: Relay;
  state: RelayConnectionState;
  error?: { code: string; message: string };
  nextRetryAt?: number;
  /** Fingerprint seen on the last connection. */
  seenFingerprint?: string;
  usedBy: string[];
}

// ---- the relay server (this machine is the relay) ----

export interface RelayExposureStatus {
  id: string;
  protocol: 'tcp' | 'udp';
  kind: 'tcp' | 'http';
  publicAddress: string;
  /** `config`: a port_list entry of the relay's config; `agent`: asked for by the agent. */
  source: 'config' | 'agent';
  localPort?: number;
  name?: string;
  bytesIn: number;
  bytesOut: number;
  activeConnections: number;
  totalConnections: number;
}

export interface RelayAgentStatus {
  name: string;
  online: boolean;
  address?: string;
  since?: number;
  exposures: RelayExposureStatus[];
  /** Port ranges the agent may ask for itself, e.g. `20000-20100, 8080`. */
  allowPorts: string;
  configuredPorts: number;
}

export interface RelayServerStatus {
  running: boolean;
  listening?: string;
  tls: boolean;
  fingerprint?: string;
  metrics?: string;
  startedAt?: number;
  agents: RelayAgentStatus[];
  error?: { code: string; message: string };
  /** Warnings from reading the config (unknown keys, insecure choices). */
  warnings: string[];
  /** "Open on router": one entry per port the relay has asked the home router for (while it runs with it on). */
  router?: RelayRouterPort[];
}

/** One port of the in-app relay on the home router: its agent port, or a public port an agent holds. */
export interface RelayRouterPort {
  role: 'agent-port' | 'public';
  /** Public ports: the agent holding it, and the name it gave the port. */
  agent?: string;
  name?: string;
  protocol: 'tcp' | 'udp';
  /** The relay's own port (the same port is asked for on the router). */
  port: number;
  mapping: RouterMappingStatus;
}

/**
 * The in-app relay's "Open on router": its agent port and every public port it opens for agents, each on
 * the same external port as on this machine (so what agents are told stays true on the router).
 */
export const LocalRelayRouterSchema = RouterOptionSchema.omit({ externalPort: true });
export type LocalRelayRouterOption = z.output<typeof LocalRelayRouterSchema>;

/** The in-app relay's settings (Relay view): what `porthole relay --config` reads from YAML. */
export const LocalRelayAgentSchema = z
  .object({
    name: z.string().trim().min(1, 'enter the agent name').max(80).refine((v) => !/\p{Cc}/u.test(v), 'no control characters'),
    /** Ranges the agent may ask for, e.g. `20000-20100, 8080`. */
    allowPorts: z
      .string()
      .trim()
      .max(500)
      .refine((v) => v === '' || v.split(',').every((p) => /^\s*\d{1,5}(\s*-\s*\d{1,5})?\s*$/.test(p)), { message: 'ports or ranges separated by commas, e.g. 20000-20100, 8080' }),
    hasToken: z.boolean().default(false),
  })
  .strict();

export const LocalRelayConfigSchema = z
  .object({
    bind: z.object({ host: HostSchema, port: z.number().int().min(1).max(65535) }).strict(),
    publicHost: HostSchema.default('127.0.0.1'),
    tls: z.boolean().default(true),
    agents: z.array(LocalRelayAgentSchema).max(200).default([]),
    /** Absent in settings saved before it existed. */
    router: LocalRelayRouterSchema.optional(),
  })
  .strict();
export type LocalRelayConfig = z.output<typeof LocalRelayConfigSchema>;
