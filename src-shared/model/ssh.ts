import { z } from 'zod';
import { HostSchema, RuleIdSchema } from './primitives';

// SSH servers are saved entities that SSH rules refer to by id. Secrets (passwords, passphrases) are
// never stored here: the server records only that one exists, and the host keeps it in its secret
// store (Electron safeStorage in the desktop app, a 0600 file in headless mode).

export const SshAuthSchema = z.discriminatedUnion('method', [
  /**
   * An SSH agent: `socket` (ssh_config IdentityAgent) or else SSH_AUTH_SOCK (Pageant on Windows).
   * `publicKeyPath` (IdentityFile x.pub, or x whose private half is not on disk): the agent's key
   * matching that public key is offered first — and, with `identitiesOnly`, no other key.
   */
  z
    .object({
      method: z.literal('agent'),
      socket: z.string().trim().min(1).max(4096).optional(),
      publicKeyPath: z.string().trim().min(1).max(4096).optional(),
      identitiesOnly: z.boolean().optional(),
    })
    .strict(),
  /** A private key file; `hasPassphrase` says a passphrase is kept in the secret store. */
  z.object({ method: z.literal('key'), keyPath: z.string().trim().min(1, 'choose a key file').max(4096), hasPassphrase: z.boolean().default(false) }).strict(),
  /** Password auth; the password itself lives in the secret store. */
  z.object({ method: z.literal('password'), hasPassword: z.boolean().default(false) }).strict(),
]);
export type SshAuth = z.output<typeof SshAuthSchema>;

/**
 * What to do with a host key that is not known yet: `ask` raises a prompt in the UI; `accept-new`
 * records it (OpenSSH StrictHostKeyChecking=accept-new); `strict` refuses unknown keys (=yes);
 * `off` accepts any key and never records it (=no). A CHANGED key is always refused except with `off`.
 */
export const HostKeyPolicySchema = z.enum(['ask', 'accept-new', 'strict', 'off']);
export type HostKeyPolicy = z.output<typeof HostKeyPolicySchema>;

export const SshServerDraftSchema = z
  .object({
    name: z.string().trim().min(1, 'give the server a name').max(80),
    host: HostSchema,
    port: z.number().int().min(1, 'port must be between 1 and 65535').max(65535, 'port must be between 1 and 65535').default(22),
    user: z.string().trim().min(1, 'enter a user name').max(64).regex(/^[^\s@:]+$/, 'a user name has no spaces, @ or :'),
    auth: SshAuthSchema,
    /** Jump hosts (ProxyJump), in the order they are traversed: ids of other saved servers. */
    jump: z.array(RuleIdSchema).max(8).default([]),
    keepaliveIntervalMs: z.number().int().min(0).max(600_000).default(15_000),
    keepaliveCountMax: z.number().int().min(1).max(100).default(3),
    hostKeyPolicy: HostKeyPolicySchema.default('ask'),
    /** An extra known_hosts file to trust (ssh_config UserKnownHostsFile). */
    knownHostsFile: z.string().trim().max(4096).optional(),
  })
  .strict();
export type SshServerDraft = z.input<typeof SshServerDraftSchema>;
export const SshServerSchema = SshServerDraftSchema.extend({ id: RuleIdSchema });
export type SshServer = z.output<typeof SshServerSchema>;

/** Optional RFC 1929 username/password on a SOCKS5 listener (the password sits in the secret store). */
export const SocksOptionsSchema = z
  .object({
    username: z.string().trim().max(255).optional(),
    hasPassword: z.boolean().default(false),
    connectTimeoutMs: z.number().int().min(100).max(300_000).default(10_000),
  })
  .strict()
  .prefault({});
export type SocksOptions = z.output<typeof SocksOptionsSchema>;

/** A host key the user is asked about (event `host-key-prompt`, answered with `hostKeys.answer`). */
export interface HostKeyPrompt {
  promptId: string;
  serverId: string;
  host: string;
  port: number;
  keyType: string;
  /** OpenSSH style: `SHA256:` + base64 of sha256(key blob), without padding. */
  fingerprint: string;
  /** Set when a different key was recorded before (this prompt is then only informative: it fails). */
  previousFingerprint?: string;
}

/** Input of servers.create / servers.update: the server plus write-only secrets (never returned). */
export const SshServerInputSchema = z
  .object({
    server: SshServerDraftSchema,
    /** Set or replace the stored password (auth method `password`); empty string deletes it. */
    password: z.string().max(4096).optional(),
    /** Set or replace the stored key passphrase (auth method `key`); empty string deletes it. */
    passphrase: z.string().max(4096).optional(),
  })
  .strict();
export type SshServerInput = z.input<typeof SshServerInputSchema>;

export type SshSessionState = 'idle' | 'connecting' | 'ready' | 'retrying' | 'failed';

/** A saved server as the UI shows it: its definition, its live connection and which rules use it. */
export interface SshServerEntry {
  server: SshServer;
  state: SshSessionState;
  error?: { code: string; message: string };
  nextRetryAt?: number;
  usedBy: string[];
}

export const HostKeyAnswerSchema = z
  .object({ promptId: z.string().min(1).max(64), decision: z.enum(['once', 'always', 'reject']) })
  .strict();
