import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseHostPort } from '../../src-shared/format/address';
import { HostSchema, PortSchema } from '../../src-shared/model/primitives';
import { UsageError } from '../headless/args';

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
  agents: Array<{ name: string; ports: Array<{ type: 'tcp' | 'http'; bind: { host: string; port: number }; remotePort: number }> }>;
  /** Secret. */
  token?: string;
}

export type RelayImportFormat = 'port-proxy-server' | 'port-proxy-client' | 'frpc-toml' | 'frpc-ini' | 'rathole-client';

export interface ImportResult {
  format: RelayImportFormat;
  relays: ImportedRelay[];
  exposes: ImportedExpose[];
  relayServer?: ImportedRelayServerConfig;
  warnings: string[];
}

const NameSchema = z.string().trim().min(1, 'empty name').max(80, 'name is longer than 80 characters');
const TokenSchema = z.string().min(1, 'empty token').max(4096, 'token is longer than 4096 characters');

export const ImportedRelaySchema = z.strictObject({
  ref: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  name: NameSchema,
  host: HostSchema,
  port: PortSchema,
  token: TokenSchema.optional(),
  tls: z.boolean().optional(),
  agentName: NameSchema.optional(),
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
export const ImportedRelayServerConfigSchema = z.strictObject({
  bind: BindSchema,
  agents: z.array(
    z.strictObject({
      name: NameSchema,
      ports: z.array(z.strictObject({ type: z.enum(['tcp', 'http']), bind: BindSchema, remotePort: PortSchema })),
    }),
  ),
  token: TokenSchema.optional(),
});

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

/** `host:port` / `[v6]:port` (or a bare port with `defaultHost`) → endpoint, or a UsageError at `where`. */
export function hostPortOrThrow(where: string, field: string, value: string, defaultHost?: string): { host: string; port: number } {
  const r = parseHostPort(value, defaultHost);
  if (!r.ok) throw new UsageError(`${where}: ${field}${r.error.startsWith(`"${value.trim()}"`) ? '' : ` "${value}"`}: ${r.error}`);
  return r.value;
}

/** A zod check of one draft; the first issue becomes a UsageError at `where`. */
export function validated<T>(schema: z.ZodType<T>, draft: unknown, where: string, what: string): T {
  const r = schema.safeParse(draft);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.join('.');
  throw new UsageError(`${where}: ${what}${field ? ` ${field}` : ''}: ${issue.message}`);
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

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a table';
  return typeof v === 'string' ? `"${v.length > 60 ? `${v.slice(0, 57)}…` : v}"` : `${typeof v} ${String(v)}`;
}
