import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Passwords, passphrases and tokens never go into porthole.json. They live in `secrets.json` next to it
// (mode 0600), each value passed through a codec: Electron's safeStorage (OS keychain) in the desktop
// app; in headless mode the file mode is the only protection, and the UI says so.

export interface SecretCodec {
  /** Shown to the user: where secrets are kept and how well. */
  readonly backend: string;
  encode(plain: string): string;
  decode(stored: string): string;
  /**
   * 'memory': keep secrets for this session only. Nothing is written, and a secrets file found on
   * disk (from earlier runs or the CLI) is read but removed at the next change, since the set in
   * memory is then the whole truth. Default 'disk'. Read on every write, so it may change at run time.
   */
  readonly keep?: 'disk' | 'memory';
  /** Lets the store hear that `keep` changed, so it writes (or removes) the file at once. */
  onKeepChange?(listener: () => void): void;
}

export const fileOnlyCodec: SecretCodec = {
  backend: 'file readable only by you (secrets.json, mode 0600)',
  encode: (s) => s,
  decode: (s) => s,
};

export interface SecretStore {
  readonly backend: string;
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
}

export const SECRETS_FILE = 'secrets.json';

export class FileSecretStore implements SecretStore {
  private readonly path: string;
  private entries: Record<string, string>;

  constructor(
    dataDir: string,
    private readonly codec: SecretCodec = fileOnlyCodec,
  ) {
    this.path = join(dataDir, SECRETS_FILE);
    this.entries = this.load();
    codec.onKeepChange?.(() => this.applyKeep());
  }

  /** Brings the disk in line with `codec.keep`: the file is written, or removed for memory-only. */
  private applyKeep(): void {
    if (this.codec.keep === 'memory') rmSync(this.path, { force: true });
    else if (Object.keys(this.entries).length > 0) this.write(this.entries);
  }

  get backend(): string {
    return this.codec.backend;
  }

  get(key: string): string | undefined {
    const v = this.entries[key];
    if (v === undefined) return undefined;
    try {
      return this.codec.decode(v);
    } catch {
      // Encrypted by another user account or OS keychain: unusable, ask again.
      return undefined;
    }
  }

  set(key: string, value: string): void {
    this.write({ ...this.entries, [key]: this.codec.encode(value) });
  }

  delete(key: string): void {
    if (!(key in this.entries)) return;
    const next = { ...this.entries };
    delete next[key];
    this.write(next);
  }

  private load(): Record<string, string> {
    if (!existsSync(this.path)) return {};
    try {
      const doc: unknown = JSON.parse(readFileSync(this.path, 'utf8'));
      const entries = (doc as { entries?: unknown })?.entries;
      if (typeof entries !== 'object' || entries === null) return {};
      return Object.fromEntries(Object.entries(entries).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    } catch {
      // A damaged secrets file loses only the secrets; keep it aside for the curious.
      renameSync(this.path, `${this.path}.corrupt-${Date.now()}`);
      return {};
    }
  }

  private write(next: Record<string, string>): void {
    if (this.codec.keep === 'memory') {
      this.entries = next;
      rmSync(this.path, { force: true });
      return;
    }
    const tmp = `${this.path}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify({ version: 1, entries: next }), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
    this.entries = next;
  }
}

/** Keys under which each kind of secret is stored. */
export const secretKey = {
  sshPassword: (serverId: string) => `ssh:${serverId}:password`,
  sshPassphrase: (serverId: string) => `ssh:${serverId}:passphrase`,
  socksPassword: (ruleId: string) => `socks:${ruleId}:password`,
  relayToken: (relayId: string) => `relay:${relayId}:token`,
  /** A token the in-app relay server expects from one agent name. */
  localRelayAgentToken: (agentName: string) => `relay-server:${agentName}:token`,
};
