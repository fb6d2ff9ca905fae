import { randomUUID } from 'node:crypto';
import type { Rule } from '../../src-shared/model/rule';
import { ruleServerId } from '../../src-shared/model/rule';
import type { SshServer, SshServerDraft, SshServerEntry } from '../../src-shared/model/ssh';
import { SshServerDraftSchema } from '../../src-shared/model/ssh';
import type { RuleStore } from '../store/rule-store';
import { type SecretStore, secretKey } from '../store/secret-store';
import type { SessionPool } from '../ssh/session-pool';
import { ServiceError } from './service-error';

export interface ServerInput {
  server: SshServerDraft;
  password?: string;
  passphrase?: string;
}

function secretKeyOf(server: SshServer, kind: 'password' | 'passphrase'): string {
  return kind === 'password' ? secretKey.sshPassword(server.id) : secretKey.sshPassphrase(server.id);
}

/** Saved SSH servers: CRUD, their write-only secrets, and their live connection state for the UI. */
export class ServerRegistry {
  constructor(
    private readonly store: RuleStore,
    private readonly secrets: SecretStore,
    private readonly pool: () => SessionPool,
    private readonly rules: () => Rule[],
    private readonly changed: () => void,
  ) {}

  list(): SshServerEntry[] {
    return this.store.listServers().map((s) => this.entry(s));
  }

  get(id: string): SshServer | undefined {
    return this.store.getServer(id);
  }

  require(id: string): SshServer {
    const s = this.store.getServer(id);
    if (!s) throw new ServiceError('NOT_FOUND', `No SSH server with id ${id} — it may have been deleted`, [{ path: 'server', message: 'choose a saved SSH server' }]);
    return s;
  }

  /** The server's jump hosts, resolved in traversal order. */
  jumpChain(server: SshServer): SshServer[] {
    return server.jump.map((id) => this.require(id));
  }

  create(input: ServerInput): SshServerEntry {
    const server: SshServer = { ...SshServerDraftSchema.parse(input.server), id: randomUUID() };
    this.checkJumps(server);
    this.saveSecrets(server, input);
    this.store.putServer(this.withSecretFlags(server));
    this.changed();
    return this.entry(this.require(server.id));
  }

  update(id: string, input: ServerInput): SshServerEntry {
    this.require(id);
    const server: SshServer = { ...SshServerDraftSchema.parse(input.server), id };
    this.checkJumps(server);
    this.saveSecrets(server, input);
    this.store.putServer(this.withSecretFlags(server));
    // New credentials or address: let a failed or waiting session try again now.
    this.pool().get(id)?.reconnect();
    this.changed();
    return this.entry(this.require(id));
  }

  remove(id: string): void {
    const server = this.require(id);
    const users = this.usedBy(id);
    if (users.length > 0) {
      const names = users.map((r) => `"${r.name}"`).join(', ');
      throw new ServiceError('CONFLICT', `The SSH server "${server.name}" is used by ${names} — delete or change those mappings first`);
    }
    const jumpers = this.store.listServers().filter((s) => s.jump.includes(id));
    if (jumpers.length > 0) {
      throw new ServiceError('CONFLICT', `The SSH server "${server.name}" is a jump host of "${jumpers[0]!.name}" — change that server first`);
    }
    this.store.removeServer(id);
    this.secrets.delete(secretKey.sshPassword(id));
    this.secrets.delete(secretKey.sshPassphrase(id));
    this.changed();
  }

  secret(server: SshServer, kind: 'password' | 'passphrase'): string | undefined {
    return this.secrets.get(secretKeyOf(server, kind));
  }

  /**
   * The secret for a login attempt. A saved one that cannot be read here (encrypted by the desktop
   * app's keyring, say) rejects with the reason, so the attempt fails saying so instead of sending
   * nothing or, worse, the stored ciphertext.
   */
  async loginSecret(server: SshServer, kind: 'password' | 'passphrase'): Promise<string | undefined> {
    const value = this.secret(server, kind);
    const problem = value === undefined ? this.secrets.problem(secretKeyOf(server, kind)) : undefined;
    if (problem) throw new Error(`the saved ${kind} cannot be used here: ${problem} — enter it again in the server's settings`);
    return value;
  }

  /** A saved secret of this server that cannot be read here, as a status message for the list. */
  private secretProblem(server: SshServer): string | undefined {
    const kind = server.auth.method === 'password' ? 'password' : server.auth.method === 'key' ? 'passphrase' : undefined;
    const problem = kind && this.secrets.problem(secretKeyOf(server, kind));
    return problem ? `The saved ${kind} cannot be used here: ${problem} — enter it again in the server's settings` : undefined;
  }

  private usedBy(id: string): Rule[] {
    return this.rules().filter((r) => ruleServerId(r) === id);
  }

  private entry(server: SshServer): SshServerEntry {
    const session = this.pool().get(server.id);
    const state = session ? (session.state === 'closed' ? 'idle' : session.state) : 'idle';
    const err = session?.lastError;
    const unreadable = this.secretProblem(server);
    return {
      // The flags say whether a secret is usable here: one this process cannot read is asked for again.
      server: unreadable ? this.withSecretFlags(server, true) : server,
      state,
      ...(err && state !== 'ready' ? { error: { code: err.code, message: err.message } } : unreadable ? { error: { code: 'AUTH_FAILED', message: unreadable } } : {}),
      ...(session?.nextRetryAt && state === 'retrying' ? { nextRetryAt: session.nextRetryAt } : {}),
      usedBy: this.usedBy(server.id).map((r) => r.id),
    };
  }

  private checkJumps(server: SshServer): void {
    const seen = new Set<string>([server.id]);
    for (const id of server.jump) {
      if (seen.has(id)) throw new ServiceError('INVALID_INPUT', 'A server cannot jump through itself or the same host twice', [{ path: 'server.jump', message: 'remove the repeated jump host' }]);
      seen.add(id);
      if (!this.store.getServer(id)) throw new ServiceError('INVALID_INPUT', `Jump host ${id} is not a saved server`, [{ path: 'server.jump', message: 'choose saved servers as jump hosts' }]);
    }
  }

  private saveSecrets(server: SshServer, input: ServerInput): void {
    const put = (key: string, value: string | undefined) => {
      if (value === undefined) return;
      if (value === '') this.secrets.delete(key);
      else this.secrets.set(key, value);
    };
    put(secretKey.sshPassword(server.id), server.auth.method === 'password' ? input.password : undefined);
    put(secretKey.sshPassphrase(server.id), server.auth.method === 'key' ? input.passphrase : undefined);
  }

  /**
   * The saved server records only whether a secret exists — derived from the secret store itself.
   * One this process cannot read still exists (the desktop app may read it); `usable` asks instead
   * whether it can be used here, for what the list shows.
   */
  private withSecretFlags(server: SshServer, usable = false): SshServer {
    const has = (kind: 'password' | 'passphrase') =>
      this.secret(server, kind) !== undefined || (!usable && this.secrets.problem(secretKeyOf(server, kind)) !== undefined);
    const auth = server.auth;
    if (auth.method === 'password') return { ...server, auth: { ...auth, hasPassword: has('password') } };
    if (auth.method === 'key') return { ...server, auth: { ...auth, hasPassphrase: has('passphrase') } };
    return server;
  }
}
