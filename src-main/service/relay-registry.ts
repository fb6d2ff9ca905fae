import { randomUUID } from 'node:crypto';
import { normalizeFingerprint } from '../../src-shared/format/fingerprint';
import { type Relay, type RelayDraft, RelayDraftSchema, type RelayEntry } from '../../src-shared/model/relay';
import { type Rule, ruleRelayId } from '../../src-shared/model/rule';
import type { SharedPool } from '../engine/shared-pool';
import type { DataPlane } from '../dataplane/data-plane';
import { RelayAgent } from '../relay/relay-agent';
import type { RuleStore } from '../store/rule-store';
import type { SecretBatch } from '../store/secret-batch';
import { type SecretStore, secretKey } from '../store/secret-store';
import { type Step, StagedList, saveAlone } from './saved-batch';
import { ServiceError } from './service-error';
import { said } from '../../src-shared/model/log-text';
import { type KeyedLog, extraOf, logLine } from './log-buffer';

export interface RelayInputParsed {
  relay: RelayDraft;
  token?: string;
}

/** Relay changes checked one by one and saved in one write of the list; see ServerBatch. */
export interface RelayBatch extends Step {
  create(input: RelayInputParsed): Relay;
  update(id: string, input: RelayInputParsed): Relay;
  remove(id: string): void;
  /** Whether the relay is saved or staged, and not removed, in this batch. */
  has(id: string): boolean;
}

function notFound(id: string): ServiceError {
  return new ServiceError('NOT_FOUND', `No relay with id ${id} — it may have been deleted`, [{ path: 'relay', message: 'choose a saved relay' }]);
}

/**
 * Saved relays (this machine is their agent): CRUD, the write-only token, the pinned certificate
 * fingerprint (set on first use, or given), and each agent connection's live state for the UI.
 */
export class RelayRegistry {
  /** What the last agent of each relay saw, kept after a failed agent is released (for the UI). */
  private readonly last = new Map<string, { state: RelayEntry['state']; error?: { code: string; message: string }; fingerprint?: string }>();

  constructor(
    private readonly store: RuleStore,
    private readonly secrets: SecretStore,
    private readonly pool: () => SharedPool<RelayAgent>,
    private readonly rules: () => Rule[],
    private readonly changed: () => void,
    private readonly software: string,
    private readonly log: KeyedLog,
  ) {}

  list(): RelayEntry[] {
    return this.store.listRelays().map((r) => this.entry(r));
  }

  get(id: string): Relay | undefined {
    return this.store.getRelay(id);
  }

  require(id: string): Relay {
    const r = this.store.getRelay(id);
    if (!r) throw notFound(id);
    return r;
  }

  create(input: RelayInputParsed): RelayEntry {
    return this.entry(this.require(saveAlone(this.secrets, (s) => this.batch(s), (b) => b.create(input)).id));
  }

  update(id: string, input: RelayInputParsed): RelayEntry {
    return this.entry(this.require(saveAlone(this.secrets, (s) => this.batch(s), (b) => b.update(id, input)).id));
  }

  remove(id: string): void {
    saveAlone(this.secrets, (s) => this.batch(s), (b) => b.remove(id));
  }

  batch(secrets: SecretBatch): RelayBatch {
    const list = new StagedList<Relay>({ path: this.store.path, list: () => this.store.listRelays(), putMany: (put, removed) => this.store.putRelays(put, removed) }, (updated) => {
      for (const id of updated) {
        this.last.delete(id);
        this.pool().get(id)?.reconnect();
      }
      this.changed();
    });
    const require = (id: string) => {
      const r = list.get(id);
      if (!r) throw notFound(id);
      return r;
    };
    const stage = (relay: Relay, token: string | undefined) => {
      if (token !== undefined) {
        if (token === '') secrets.delete(secretKey.relayToken(relay.id));
        else secrets.set(secretKey.relayToken(relay.id), token);
      }
      const saved = this.withTokenFlag(relay, secrets);
      list.put(saved);
      return saved;
    };
    return {
      create: (input) => stage({ ...RelayDraftSchema.parse(input.relay), id: randomUUID() }, input.token),
      update: (id, input) => {
        const before = require(id);
        const relay: Relay = { ...RelayDraftSchema.parse(input.relay), id };
        // A new address is a different relay: its certificate has to be pinned again.
        if ((relay.host !== before.host || relay.port !== before.port) && relay.fingerprint === before.fingerprint) delete relay.fingerprint;
        return stage(relay, input.token);
      },
      remove: (id) => {
        const relay = require(id);
        const users = this.rules().filter((r) => ruleRelayId(r) === id);
        if (users.length > 0) {
          throw new ServiceError('CONFLICT', `The relay "${relay.name}" is used by ${users.map((r) => `"${r.name}"`).join(', ')} — delete or change those mappings first`);
        }
        list.delete(id);
        secrets.delete(secretKey.relayToken(id));
      },
      has: (id) => list.get(id) !== undefined,
      commit: () => list.commit(),
      undo: () => list.undo(),
    };
  }

  /** Pins the certificate fingerprint the person compared (after a change); the agent retries with it. */
  trust(id: string, fingerprint: string): RelayEntry {
    const relay = this.require(id);
    const fp = normalizeFingerprint(fingerprint);
    if (!fp) throw new ServiceError('INVALID_INPUT', 'not a SHA-256 fingerprint', [{ path: 'fingerprint', message: '64 hex digits, colons optional' }]);
    this.store.putRelay({ ...relay, fingerprint: fp });
    logLine(this.log, 'warn', 'relayTrusting', { name: relay.name, fingerprint: fp });
    this.pool().get(id)?.reconnect();
    this.changed();
    return this.entry(this.require(id));
  }

  /** Builds the agent connection of a relay (the pool calls this on first use); its data connections run in `dataPlane`. */
  makeAgent(id: string, dataPlane?: DataPlane): RelayAgent {
    const relay = this.require(id);
    const agent = new RelayAgent({
      relay: { host: relay.host, port: relay.port },
      agent: relay.agentName,
      token: this.secrets.get(secretKey.relayToken(id)) ?? '',
      // A saved token this process cannot read is never sent (not even as ''): the agent fails at once, saying why.
      ...(this.tokenProblem(id) ? { tokenProblem: this.tokenProblem(id) } : {}),
      tls: relay.tls,
      acceptAssigned: relay.acceptAssigned,
      software: this.software,
      pinAdvice: 'compare the new fingerprint with the one the relay shows, then choose "Trust the new certificate" for this relay (Servers → Relays).',
      // The pin lives on the saved relay: read fresh on every connection, written on first use.
      pins: {
        get: () => this.store.getRelay(id)?.fingerprint,
        set: (_host, _port, fp) => {
          const current = this.store.getRelay(id);
          if (current) this.store.putRelay({ ...current, fingerprint: normalizeFingerprint(fp) ?? fp });
          this.changed();
        },
      },
      // The agent's own line, after the relay's name: `Relay "Home": relay 203.0.113.5:9015 serves …`.
      log: (level, _m, line) => {
        const [message, wrapped] = said('relayLine', { name: relay.name }, line);
        this.log(level, message, extraOf(wrapped));
      },
      ...(dataPlane ? { dataPlane } : {}),
    });
    agent.on('state', (s) => {
      this.last.set(id, {
        state: s === 'closed' ? (this.last.get(id)?.state === 'failed' ? 'failed' : 'idle') : s,
        ...(agent.lastError && s !== 'ready' ? { error: { code: agent.lastError.code, message: agent.lastError.message } } : {}),
        ...(agent.fingerprint ? { fingerprint: agent.fingerprint } : {}),
      });
      this.changed();
    });
    return agent;
  }

  private entry(relay: Relay): RelayEntry {
    const agent = this.pool().get(relay.id);
    const last = this.last.get(relay.id);
    const state = agent ? (agent.state === 'closed' ? 'idle' : agent.state) : (last?.state ?? 'idle');
    const err = agent?.lastError ? { code: agent.lastError.code, message: agent.lastError.message } : agent ? undefined : last?.error;
    const seen = agent?.fingerprint ?? last?.fingerprint;
    const unreadable = this.tokenProblem(relay.id);
    return {
      // hasToken says whether the token is usable here: one this process cannot read is asked for again.
      relay: unreadable ? { ...relay, hasToken: false } : relay,
      state,
      ...(err && state !== 'ready' ? { error: err } : unreadable ? { error: { code: 'AUTH_FAILED', message: unreadable } } : {}),
      ...(agent?.nextRetryAt && state === 'retrying' ? { nextRetryAt: agent.nextRetryAt } : {}),
      ...(seen ? { seenFingerprint: seen } : {}),
      usedBy: this.rules()
        .filter((r) => ruleRelayId(r) === relay.id)
        .map((r) => r.id),
    };
  }

  /** A saved token that cannot be read here, as a message naming what to do. */
  private tokenProblem(id: string): string | undefined {
    const problem = this.secrets.problem(secretKey.relayToken(id));
    return problem ? `The saved token cannot be used here: ${problem} — enter it again in the relay's settings` : undefined;
  }

  /** Whether a token is stored at all: one this process cannot read may still be the desktop app's. */
  private withTokenFlag(relay: Relay, secrets: SecretBatch): Relay {
    const key = secretKey.relayToken(relay.id);
    return { ...relay, hasToken: secrets.get(key) !== undefined || secrets.problem(key) !== undefined };
  }
}
