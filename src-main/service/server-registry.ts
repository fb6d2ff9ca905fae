import { randomUUID } from 'node:crypto';
import type { Rule } from '../../src-shared/model/rule';
import { ruleServerId } from '../../src-shared/model/rule';
import type { SshServer, SshServerDraft, SshServerEntry } from '../../src-shared/model/ssh';
import { SshServerDraftSchema } from '../../src-shared/model/ssh';
import type { RuleStore } from '../store/rule-store';
import type { SecretBatch } from '../store/secret-batch';
import { type SecretStore, secretKey } from '../store/secret-store';
import type { SessionPool } from '../ssh/session-pool';
import { type Step, StagedList, saveAlone } from './saved-batch';
import { ServiceError } from './service-error';

export interface ServerInput {
  server: SshServerDraft;
  password?: string;
  passphrase?: string;
}

/**
 * Server changes checked one by one as single ones are — against the saved servers with the batch's
 * earlier changes over them — and saved in one write of the list (an import, its undo). Their secrets
 * go into the batch's SecretBatch, which is written first (see commitAll).
 */
export interface ServerBatch extends Step {
  create(input: ServerInput): SshServer;
  update(id: string, input: ServerInput): SshServer;
  remove(id: string): void;
  /** Whether the server is saved or staged, and not removed, in this batch. */
  has(id: string): boolean;
}

type SecretReader = Pick<SecretStore, 'get' | 'problem'>;

function secretKeyOf(server: SshServer, kind: 'password' | 'passphrase'): string {
  return kind === 'password' ? secretKey.sshPassword(server.id) : secretKey.sshPassphrase(server.id);
}

function notFound(id: string): ServiceError {
  return new ServiceError('NOT_FOUND', `No SSH server with id ${id} — it may have been deleted`, [{ path: 'server', message: 'choose a saved SSH server' }]);
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
    if (!s) throw notFound(id);
    return s;
  }

  /** The server's jump hosts, resolved in traversal order. */
  jumpChain(server: SshServer): SshServer[] {
    return server.jump.map((id) => this.require(id));
  }

  create(input: ServerInput): SshServerEntry {
    return this.entry(this.require(saveAlone(this.secrets, (s) => this.batch(s), (b) => b.create(input)).id));
  }

  update(id: string, input: ServerInput): SshServerEntry {
    return this.entry(this.require(saveAlone(this.secrets, (s) => this.batch(s), (b) => b.update(id, input)).id));
  }

  remove(id: string): void {
    saveAlone(this.secrets, (s) => this.batch(s), (b) => b.remove(id));
  }

  batch(secrets: SecretBatch): ServerBatch {
    const list = new StagedList<SshServer>({ path: this.store.path, list: () => this.store.listServers(), putMany: (put, removed) => this.store.putServers(put, removed) }, (updated) => {
      // New credentials or address: let a failed or waiting session try again now.
      for (const id of updated) this.pool().get(id)?.reconnect();
      this.changed();
    });
    const require = (id: string) => {
      const s = list.get(id);
      if (!s) throw notFound(id);
      return s;
    };
    const stage = (server: SshServer, input: ServerInput) => {
      this.checkJumps(server, list);
      this.saveSecrets(server, input, secrets);
      const saved = this.withSecretFlags(server, secrets);
      list.put(saved);
      return saved;
    };
    return {
      create: (input) => stage({ ...SshServerDraftSchema.parse(input.server), id: randomUUID() }, input),
      update: (id, input) => {
        require(id);
        return stage({ ...SshServerDraftSchema.parse(input.server), id }, input);
      },
      remove: (id) => {
        const server = require(id);
        const users = this.usedBy(id);
        if (users.length > 0) {
          const names = users.map((r) => `"${r.name}"`).join(', ');
          throw new ServiceError('CONFLICT', `The SSH server "${server.name}" is used by ${names} — delete or change those mappings first`);
        }
        const jumper = [...list.values()].find((s) => s.jump.includes(id));
        if (jumper) throw new ServiceError('CONFLICT', `The SSH server "${server.name}" is a jump host of "${jumper.name}" — change that server first`);
        list.delete(id);
        secrets.delete(secretKey.sshPassword(id));
        secrets.delete(secretKey.sshPassphrase(id));
      },
      has: (id) => list.get(id) !== undefined,
      commit: () => list.commit(),
      undo: () => list.undo(),
    };
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
      server: unreadable ? this.withSecretFlags(server, this.secrets, true) : server,
      state,
      ...(err && state !== 'ready' ? { error: { code: err.code, message: err.message } } : unreadable ? { error: { code: 'AUTH_FAILED', message: unreadable } } : {}),
      ...(session?.nextRetryAt && state === 'retrying' ? { nextRetryAt: session.nextRetryAt } : {}),
      usedBy: this.usedBy(server.id).map((r) => r.id),
    };
  }

  private checkJumps(server: SshServer, list: StagedList<SshServer>): void {
    const seen = new Set<string>([server.id]);
    for (const id of server.jump) {
      if (seen.has(id)) throw new ServiceError('INVALID_INPUT', 'A server cannot jump through itself or the same host twice', [{ path: 'server.jump', message: 'remove the repeated jump host' }]);
      seen.add(id);
      if (!list.get(id)) throw new ServiceError('INVALID_INPUT', `Jump host ${id} is not a saved server`, [{ path: 'server.jump', message: 'choose saved servers as jump hosts' }]);
    }
  }

  private saveSecrets(server: SshServer, input: ServerInput, secrets: SecretBatch): void {
    const put = (key: string, value: string | undefined) => {
      if (value === undefined) return;
      if (value === '') secrets.delete(key);
      else secrets.set(key, value);
    };
    put(secretKey.sshPassword(server.id), server.auth.method === 'password' ? input.password : undefined);
    put(secretKey.sshPassphrase(server.id), server.auth.method === 'key' ? input.passphrase : undefined);
  }

  /**
   * The saved server records only whether a secret exists — derived from the secrets (those staged
   * with it, else the store). One this process cannot read still exists (the desktop app may read
   * it); `usable` asks instead whether it can be used here, for what the list shows.
   */
  private withSecretFlags(server: SshServer, secrets: SecretReader = this.secrets, usable = false): SshServer {
    const has = (kind: 'password' | 'passphrase') =>
      secrets.get(secretKeyOf(server, kind)) !== undefined || (!usable && secrets.problem(secretKeyOf(server, kind)) !== undefined);
    const auth = server.auth;
    if (auth.method === 'password') return { ...server, auth: { ...auth, hasPassword: has('password') } };
    if (auth.method === 'key') return { ...server, auth: { ...auth, hasPassphrase: has('passphrase') } };
    return server;
  }
}
