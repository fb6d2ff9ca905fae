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
    return this.secrets.get(kind === 'password' ? secretKey.sshPassword(server.id) : secretKey.sshPassphrase(server.id));
  }

  private usedBy(id: string): Rule[] {
    return this.rules().filter((r) => ruleServerId(r) === id);
  }

  private entry(server: SshServer): SshServerEntry {
    const session = this.pool().get(server.id);
    const state = session ? (session.state === 'closed' ? 'idle' : session.state) : 'idle';
    const err = session?.lastError;
    return {
      server,
      state,
      ...(err && state !== 'ready' ? { error: { code: err.code, message: err.message } } : {}),
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

  /** The saved server records only whether a secret exists — derived from the secret store itself. */
  private withSecretFlags(server: SshServer): SshServer {
    const auth = server.auth;
    if (auth.method === 'password') return { ...server, auth: { ...auth, hasPassword: this.secret(server, 'password') !== undefined } };
    if (auth.method === 'key') return { ...server, auth: { ...auth, hasPassphrase: this.secret(server, 'passphrase') !== undefined } };
    return server;
  }
}
