import { z } from 'zod';

// Import preview → decisions → apply (all or nothing) → undo the last import.

/** One file (or pasted text, or share link) to import. At most 1 MiB of text each. */
export const ImportSourceSchema = z
  .object({
    name: z.string().trim().min(1).max(260),
    text: z.string().max(1024 * 1024, 'the file is larger than 1 MiB'),
  })
  .strict();
export type ImportSource = z.output<typeof ImportSourceSchema>;

export const ImportPreviewInputSchema = z.object({ sources: z.array(ImportSourceSchema).min(1).max(20) }).strict();

/**
 * Where the text of an import came from. Only host code knows and says so: whatever arrives through
 * imports.preview is `text`. `file`: a file the user named by its path (CLI argument, the desktop
 * file dialog, a file opened with the app or dropped on the tray), whose ssh_config Includes are
 * followed. `link`: a porthole:// link (inline or downloaded) — anyone's web page can send one.
 */
export type ImportOrigin = 'file' | 'text' | 'link';

export type ImportAction = 'import' | 'skip' | 'rename' | 'replace' | 'reuse';

export interface ImportConflict {
  /** `listen-import`: another mapping of the same import listens on the same address. */
  kind: 'name' | 'listen' | 'listen-import' | 'same-server' | 'same-relay';
  message: string;
  /** The saved entity in the way; for `listen-import`, the key of the other item of this preview. */
  existingId: string;
}

export interface ImportItem {
  /** Stable within the preview; decisions refer to it. */
  key: string;
  kind: 'rule' | 'server' | 'relay';
  name: string;
  /** One line: what it is (e.g. `tcp-forward 127.0.0.1:8080 → db:5432`). */
  summary: string;
  /** A server's jump hosts, counted (the UI says "via N jump hosts" in its language after the summary). */
  jumps?: number;
  ruleType?: string;
  source: string;
  conflicts: ImportConflict[];
  /** What apply does unless told otherwise. */
  action: ImportAction;
  /** Actions that make sense for this item. */
  actions: ImportAction[];
  /** For `rename`: the proposed new name. */
  renameTo?: string;
  /** The item carries a secret (password, passphrase, token) from the file. */
  hasSecret?: boolean;
  /** Rules: where it listens once switched on (`0.0.0.0:8080`; for ssh-remote the SSH server's address, for relay-expose the relay's port). */
  listenAt?: string;
  /** Rules: that address is reachable from other machines (any interface, a LAN or public address, a relay's public port). */
  offLoopback?: boolean;
  /** Rules: the file has it switched on, so "start after import" starts it. */
  startsOn?: boolean;
  /** Rules: why it arrives switched off even with "start after import" (a SOCKS user name without its password). */
  cannotStart?: { reason: 'socks-password'; user: string };
  /** Rules from a porthole:// link that listen off loopback: skipped unless the user chooses to import them. */
  skippedBecause?: 'link-off-loopback';
}

export interface ImportPreview {
  id: string;
  files: Array<{ name: string; format?: string; error?: string; warnings: string[]; origin: ImportOrigin }>;
  items: ImportItem[];
  /** False when a source came from a porthole:// link: nothing of this preview may start on apply. */
  canStart: boolean;
}

export const ImportApplyInputSchema = z
  .object({
    previewId: z.string().min(1).max(64),
    decisions: z
      .array(
        z
          .object({
            key: z.string().min(1).max(200),
            action: z.enum(['import', 'skip', 'rename', 'replace', 'reuse']),
            newName: z.string().trim().min(1).max(80).optional(),
          })
          .strict(),
      )
      .max(10_000)
      .default([]),
    /** Switch on the imported mappings the file has on (ImportItem.startsOn). Default: all arrive switched off. */
    start: z.boolean().default(false),
  })
  .strict();
export type ImportApplyInput = z.input<typeof ImportApplyInputSchema>;

export interface ImportOutcome {
  rules: number;
  servers: number;
  relays: number;
  replaced: number;
  skipped: number;
  /** Ids of the rules created or replaced. */
  ruleIds: string[];
  /** Ids of the rules switched on by `start` (the others arrived switched off). */
  startedIds: string[];
  canUndo: boolean;
}

/** A Porthole relay config offered from an import preview (imports.relayConfig); it holds an agent token. */
export interface ImportRelayConfig {
  fileName: string;
  yaml: string;
  /** What to know about it: a new token, ports the relay will pick from. */
  notes: string[];
}

export interface ImportUndoOutcome {
  removedRules: number;
  restoredRules: number;
  removedServers: number;
  removedRelays: number;
  /** Replaced mappings left as imported: the server or relay of their old version was deleted since (present when > 0). */
  keptRules?: number;
}

export const ExportInputSchema = z
  .object({
    ruleIds: z.array(z.string().max(64)).max(5000).optional(),
    groups: z.array(z.string().max(60)).max(200).optional(),
    format: z.enum(['yaml', 'json', 'ssh-config']),
    includeSecrets: z.boolean().default(false),
  })
  .strict();
export type ExportRequest = z.input<typeof ExportInputSchema>;

export interface ExportOutput {
  fileName: string;
  text: string;
  warnings: string[];
  counts: { rules: number; servers: number; relays: number };
}
