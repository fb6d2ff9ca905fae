import { createHash } from 'node:crypto';
import { z } from 'zod';
import { isLoopbackHost, parseHostPort } from '../../src-shared/format/address';
export { normalizeFingerprint } from '../../src-shared/format/fingerprint';
import { HostSchema, PortSchema } from '../../src-shared/model/primitives';
import { ProfileError } from './profile-error';
import { RELAY_LIMIT_FIELDS, type RelayLimits } from '../relay/relay-limits';

// The format-neutral result of importing a reverse-tunnel config (port-proxy, frpc, rathole). The
// relay rule type and relay entities do not exist in the model yet; these drafts are what the relay
// work will turn into `relay-expose` rules and saved relays. Secrets (tokens) are kept in their own
// field so the caller can move them to the vault.

export interface ImportedRelay {
  /** Stable within one import: exposes refer to it by `relayRef`. */
  ref: string;
  name: string;
  host: string;
  port: number;
  /** Secret: store it in the vault, never in the rules file. */
  token?: string;
  tls?: boolean;
  /** port-proxy client: the name this agent announces to the relay. */
  agentName?: string;
  /** The relay certificate's SHA-256 to pin, as Node's `cert.fingerprint256` prints it ("AB:CD:…"). */
  fingerprint?: string;
}

export interface ImportedExpose {
  name: string;
  relayRef: string;
  protocol: 'tcp' | 'udp';
  localHost: string;
  localPort: number;
  /** 0 = the relay chooses (or, for rathole, the server's config decides). */
  remotePort: number;
  /** port-proxy's per-port `type`. */
  kind?: 'tcp' | 'http';
}

export interface ImportedRelayServerConfig {
  bind: { host: string; port: number };
  /** Secret: the shared token for agents without their own. */
  token?: string;
  tls?: boolean;
  /** Where ports that agents request themselves are opened (absent: the consumer uses 127.0.0.1). */
  publicHost?: string;
  /** Opt-in Prometheus endpoint; always on loopback. */
  metrics?: { host: string; port: number };
  /** Admission and public-port limits (`limits:`), already range-checked by the reader. */
  limits?: Partial<RelayLimits>;
  agents: Array<{
    name: string;
    /** Secret. */
    token?: string;
    ports: Array<{ type: 'tcp' | 'http' | 'udp'; bind: { host: string; port: number }; remotePort: number }>;
    /** Ports the agent may request itself; ranges of different agents may overlap (first come, first served). */
    allowPorts: Array<{ from: number; to: number }>;
  }>;
}

export type RelayImportFormat = 'port-proxy-server' | 'port-proxy-client' | 'frpc-toml' | 'frpc-ini' | 'rathole-client' | 'rathole-server';

export interface ImportResult {
  format: RelayImportFormat;
  relays: ImportedRelay[];
  exposes: ImportedExpose[];
  relayServer?: ImportedRelayServerConfig;
  warnings: string[];
}

const NameSchema = z.string().trim().min(1, 'empty name').max(80, 'name is longer than 80 characters');
export const TokenSchema = z.string().min(1, 'empty token').max(4096, 'token is longer than 4096 characters');

export const ImportedRelaySchema = z.strictObject({
  ref: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  name: NameSchema,
  host: HostSchema,
  port: PortSchema,
  token: TokenSchema.optional(),
  tls: z.boolean().optional(),
  agentName: NameSchema.optional(),
  fingerprint: z
    .string()
    .regex(/^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/, 'not a SHA-256 fingerprint (32 colon-separated hex pairs)')
    .optional(),
});

export const ImportedExposeSchema = z.strictObject({
  name: NameSchema,
  relayRef: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  protocol: z.enum(['tcp', 'udp']),
  localHost: HostSchema,
  localPort: PortSchema,
  remotePort: z.number().int().min(0).max(65535),
  kind: z.enum(['tcp', 'http']).optional(),
});

const BindSchema = z.strictObject({ host: HostSchema, port: PortSchema });
const PortRangeSchema = z.strictObject({ from: PortSchema, to: PortSchema }).refine((r) => r.from <= r.to, 'from is greater than to');
export const ImportedRelayServerConfigSchema = z.strictObject({
  bind: BindSchema,
  token: TokenSchema.optional(),
  tls: z.boolean().optional(),
  publicHost: HostSchema.optional(),
  metrics: BindSchema.refine((b) => isLoopbackHost(b.host), 'metrics must listen on loopback').optional(),
  limits: z.partialRecord(z.enum(RELAY_LIMIT_FIELDS), z.number().int().min(0)).optional(),
  agents: z.array(
    z.strictObject({
      name: NameSchema,
      token: TokenSchema.optional(),
      ports: z.array(z.strictObject({ type: z.enum(['tcp', 'http', 'udp']), bind: BindSchema, remotePort: PortSchema })),
      allowPorts: z.array(PortRangeSchema),
    }),
  ),
}) satisfies z.ZodType<ImportedRelayServerConfig>;

export { MAX_PROFILE_BYTES, normalizeProfileText, readProfileText } from './profile-file';

/** A relay ref: readable slug plus a hash of what identifies the relay. */
export function relayRef(format: string, host: string, port: number, extra = ''): string {
  const slug = host.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'relay';
  const hash = createHash('sha256').update(`${format}\0${host}\0${port}\0${extra}`).digest('hex').slice(0, 8);
  return `relay-${slug}-${hash}`;
}

export function truncateName(name: string): string {
  return name.length <= 80 ? name : `${name.slice(0, 79)}…`;
}

/** frp's Go templates (`{{ .Envs.X }}`) — Porthole never renders them. */
export function hasTemplate(s: string): boolean {
  return /\{\{.*\}\}/s.test(s);
}

/** `host:port` / `[v6]:port` (or a bare port with `defaultHost`) → endpoint, or a ProfileError at `where`. */
export function hostPortOrThrow(where: string, field: string, value: string, defaultHost?: string): { host: string; port: number } {
  const r = parseHostPort(value, defaultHost);
  if (!r.ok) throw new ProfileError(`${where}: ${field}${r.error.startsWith(`"${value.trim()}"`) ? '' : ` "${value}"`}: ${r.error}`);
  return r.value;
}

/** A zod check of one draft; the first issue becomes a ProfileError at `where`. */
export function validated<T>(schema: z.ZodType<T>, draft: unknown, where: string, what: string): T {
  const r = schema.safeParse(draft);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.join('.');
  throw new ProfileError(`${where}: ${what}${field ? ` ${field}` : ''}: ${issue.message}`);
}

/** A zod check of one draft; undefined plus a warning when it fails (the caller skips the item). */
export function validatedOrWarn<T>(schema: z.ZodType<T>, draft: unknown, where: string, what: string, warnings: string[]): T | undefined {
  const r = schema.safeParse(draft);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.join('.');
  warnings.push(`${where}: ${what} skipped: ${field ? `${field}: ` : ''}${issue.message}`);
  return undefined;
}

/** `8080` or `20000-20100` → a port range, or an error message. */
export function parsePortRange(s: string): { ok: true; value: { from: number; to: number } } | { ok: false; error: string } {
  const m = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/.exec(s.trim());
  if (!m) return { ok: false, error: 'not a port (8080) or a range (20000-20100)' };
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  for (const p of [from, to]) if (p < 1 || p > 65535) return { ok: false, error: `port ${p} is out of range (1–65535)` };
  if (from > to) return { ok: false, error: `${from} is greater than ${to}; write the lower port first` };
  return { ok: true, value: { from, to } };
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a table';
  return typeof v === 'string' ? `"${v.length > 60 ? `${v.slice(0, 57)}…` : v}"` : `${typeof v} ${String(v)}`;
}
