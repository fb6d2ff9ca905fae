import type { ImportAction, ImportOutcome } from '../../src-shared/model/import';
import type { Relay } from '../../src-shared/model/relay';
import type { Rule, RuleDraftParsed } from '../../src-shared/model/rule';
import type { SshServer } from '../../src-shared/model/ssh';
import type { ImportBundle } from '../profiles/import-bundle';
import type { SecretBatch } from '../store/secret-batch';
import { type StoredSecret, secretKey } from '../store/secret-store';
import type { Planned } from './import-plan';
import type { RelayBatch } from './relay-registry';
import type { RuleBatch } from './rule-batch';
import type { ServerBatch } from './server-registry';
import { ServiceError } from './service-error';

// The apply half of an import: each chosen item of a preview staged into the batches it is saved
// with (checked as it comes, in order), and what undoing it takes. Writing the batches, and putting
// them back when a write fails, is import-service.ts.

/**
 * What undo needs to take an applied import back. The secrets of what the import wrote over are kept as
 * stored (SecretStore.stored; undefined: there was none) rather than as read: undo puts each back byte for
 * byte, even one this process cannot read (the desktop app's keychain ciphertext, when the import ran in
 * the CLI or the browser UI).
 */
export interface UndoRecord {
  rules: string[];
  servers: string[];
  relays: string[];
  replacedRules: Rule[];
  /** SOCKS passwords the import wrote over, by rule id. */
  replacedSocksPasswords: Array<{ id: string; password: StoredSecret | undefined }>;
  replacedServers: Array<{ server: SshServer; password: StoredSecret | undefined; passphrase: StoredSecret | undefined }>;
  replacedRelays: Array<{ relay: Relay; token: StoredSecret | undefined }>;
  /** Set once an undo has written the mappings back, so that an undo tried again after a later step failed does not write them twice. */
  /** Set once the mappings are undone: counts, and the replaced mappings left as imported (revertRules). */
  rulesUndone?: { removed: number; restored: number; kept: string[] };
}

/** The batches an import is saved in: secrets, servers, relays and rules, one write each. */
export interface ImportBatches {
  secrets: SecretBatch;
  servers: ServerBatch;
  relays: RelayBatch;
  rules: RuleBatch;
}

/** What is saved now, as the items an import replaces were before it (with their secrets, as stored). */
export interface SavedBefore {
  server(id: string): UndoRecord['replacedServers'][number];
  relay(id: string): UndoRecord['replacedRelays'][number];
  rule(id: string): Rule;
  socksPassword(ruleId: string): StoredSecret | undefined;
}

export type Choice = (p: Planned) => { action: ImportAction; newName?: string | undefined };

/** Where a server or relay of the file is saved, and what its undo record and count are. */
interface SaveTarget<I> {
  batch: { create(input: I): { id: string }; update(id: string, input: I): unknown };
  /** The undo record's list of ids made by the import. */
  created: string[];
  counted: 'servers' | 'relays';
  /** Records the saved one as it was, before it is replaced. */
  replacing(id: string): void;
}

/** Stages the chosen items of a preview into `batches`, counting them in `outcome` and recording in `undo` how to take them back. */
export class ImportStaging {
  readonly undo: UndoRecord = { rules: [], servers: [], relays: [], replacedRules: [], replacedSocksPasswords: [], replacedServers: [], replacedRelays: [] };
  readonly outcome: ImportOutcome = { rules: 0, servers: 0, relays: 0, replaced: 0, skipped: 0, ruleIds: [], startedIds: [], canUndo: false };
  /** ref → saved id, per bundle */
  private readonly serverIds = new Map<ImportBundle, Map<string, string>>();
  private readonly relayIds = new Map<ImportBundle, Map<string, string>>();

  constructor(
    private readonly batches: ImportBatches,
    private readonly before: SavedBefore,
    private readonly choice: Choice,
    /** Switch on what the file has on (never a SOCKS server without its password). */
    private readonly start: boolean,
    /** Tokens made for a relay config offered from the preview: the saved relay gets the same one. */
    private readonly relayTokens: Map<ImportBundle, Map<string, string>> | undefined,
  ) {}

  /** Stages the servers, relays and mappings of `planned`, in that order: a mapping may use a server or relay before it. */
  stage(planned: readonly Planned[]): void {
    for (const p of orderServers(planned.filter((x) => x.server))) this.server(p);
    for (const p of planned.filter((x) => x.relay)) this.relay(p);
    for (const p of planned.filter((x) => x.rule)) this.rule(p);
  }

  private server(p: Planned): void {
    const s = p.server!;
    const replacing = (id: string) => this.undo.replacedServers.push(this.before.server(id));
    this.saveAs(p, s.ref, this.serverIds, { batch: this.batches.servers, created: this.undo.servers, counted: 'servers', replacing }, (c, ids) => {
      const jump = s.jump.map((ref) => {
        const id = ids.get(ref);
        if (!id) throw new ServiceError('INVALID_INPUT', `The server "${s.name}" jumps through "${ref}", which you chose to skip`);
        return id;
      });
      const { ref: _ref, password, passphrase, ...draft } = s;
      const server = { ...draft, jump, ...(c.action === 'rename' && c.newName ? { name: c.newName } : {}) };
      return { server, ...(password !== undefined ? { password } : {}), ...(passphrase !== undefined ? { passphrase } : {}) };
    });
  }

  private relay(p: Planned): void {
    const r = p.relay!;
    const replacing = (id: string) => this.undo.replacedRelays.push(this.before.relay(id));
    this.saveAs(p, r.ref, this.relayIds, { batch: this.batches.relays, created: this.undo.relays, counted: 'relays', replacing }, (c) => {
      const { ref: _ref, token: fileToken, ...draft } = r;
      const token = this.relayTokens?.get(p.bundle)?.get(r.ref) ?? fileToken;
      const relay = { ...draft, ...(token !== undefined ? { hasToken: true } : {}), ...(c.action === 'rename' && c.newName ? { name: c.newName } : {}) };
      return { relay, ...(token !== undefined ? { token } : {}) };
    });
  }

  /** Stages a server or relay of the file as chosen — skipped, reused, replacing a saved one, or new — and notes its saved id under its ref. */
  private saveAs<I>(p: Planned, ref: string, idMap: Map<ImportBundle, Map<string, string>>, to: SaveTarget<I>, input: (c: ReturnType<Choice>, ids: Map<string, string>) => I): void {
    const c = this.choice(p);
    const ids = idsOf(idMap, p.bundle);
    if (c.action === 'skip') {
      this.outcome.skipped++;
      return;
    }
    if (c.action === 'reuse') {
      ids.set(ref, p.item.conflicts[0]!.existingId);
      return;
    }
    const value = input(c, ids);
    let id: string;
    if (c.action === 'replace') {
      id = p.item.conflicts[0]!.existingId;
      to.replacing(id);
      to.batch.update(id, value);
      this.outcome.replaced++;
    } else {
      id = to.batch.create(value).id;
      to.created.push(id);
      this.outcome[to.counted]++;
    }
    ids.set(ref, id);
  }

  private rule(p: Planned): void {
    const c = this.choice(p);
    if (c.action === 'skip') {
      this.outcome.skipped++;
      return;
    }
    const { socksPassword, ...rule } = p.rule!;
    const enabled = this.start && p.item.startsOn === true;
    let draft: RuleDraftParsed = { ...rule, enabled, ...(c.action === 'rename' && c.newName ? { name: c.newName } : {}) };
    if ('server' in draft) {
      const id = idsOf(this.serverIds, p.bundle).get(draft.server);
      if (!id) throw new ServiceError('INVALID_INPUT', `The mapping "${draft.name}" uses the server "${draft.server}", which you chose to skip — skip the mapping too, or import the server`);
      draft = { ...draft, server: id };
    }
    if (draft.type === 'relay-expose') {
      const id = idsOf(this.relayIds, p.bundle).get(draft.relay);
      if (!id) throw new ServiceError('INVALID_INPUT', `The mapping "${draft.name}" uses the relay "${draft.relay}", which you chose to skip — skip the mapping too, or import the relay`);
      draft = { ...draft, relay: id };
    }
    let id: string;
    if (c.action === 'replace') {
      id = p.item.conflicts.find((x) => x.kind === 'listen')?.existingId ?? p.item.conflicts[0]!.existingId;
      this.undo.replacedRules.push(this.before.rule(id));
      this.batches.rules.update(id, draft);
      this.outcome.replaced++;
    } else {
      id = this.batches.rules.create(draft).id;
      this.undo.rules.push(id);
      this.outcome.rules++;
    }
    // Stored with the secrets, which are written before the mappings are saved and started: the mapping never runs without it.
    if (socksPassword !== undefined) {
      if (c.action === 'replace') this.undo.replacedSocksPasswords.push({ id, password: this.before.socksPassword(id) });
      this.batches.secrets.set(secretKey.socksPassword(id), socksPassword);
    }
    this.outcome.ruleIds.push(id);
    if (enabled) this.outcome.startedIds.push(id);
  }
}

function idsOf(m: Map<ImportBundle, Map<string, string>>, b: ImportBundle): Map<string, string> {
  return m.get(b) ?? m.set(b, new Map()).get(b)!;
}

/** Jump hosts before the servers that use them (per bundle, by ref). */
function orderServers(list: Planned[]): Planned[] {
  const out: Planned[] = [];
  const done = new Set<Planned>();
  const visit = (p: Planned, depth: number) => {
    if (done.has(p) || depth > 16) return;
    for (const ref of p.server!.jump) {
      const dep = list.find((x) => x.bundle === p.bundle && x.server!.ref === ref);
      if (dep) visit(dep, depth + 1);
    }
    done.add(p);
    out.push(p);
  };
  for (const p of list) visit(p, 0);
  return out;
}
