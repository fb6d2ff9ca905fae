import { randomUUID } from 'node:crypto';
import type { ImportApplyInput, ImportOutcome, ImportPreview, ImportSource, ImportUndoOutcome } from '../../src-shared/model/import';
import type { Relay } from '../../src-shared/model/relay';
import type { Rule, RuleDraftParsed } from '../../src-shared/model/rule';
import type { SshServer } from '../../src-shared/model/ssh';
import { ProfileError } from '../profiles/profile-error';
import { relayConfigFor } from '../profiles/relay-config-export';
import { type ImportBundle, readImportText } from '../profiles/import-bundle';
import { type SecretStore, secretKey } from '../store/secret-store';
import { type HostImportSource, type PlanContext, type Planned, PlannedListeners, planFile } from './import-plan';
import type { RelayRegistry } from './relay-registry';
import type { RuleBatch } from './rule-batch';
import type { ServerRegistry } from './server-registry';
import { ServiceError } from './service-error';
import type { TunnelService } from './tunnel-service';

// Preview → decisions → apply (all or nothing: a failure part-way undoes what was done) → undo the
// last import. Previews live in memory for 30 minutes; secrets read from a file never leave the host
// (the preview says only that an item has one). Imported mappings arrive switched off unless apply
// is asked to `start` them; a porthole:// link can never ask that, and its mappings that would
// listen off loopback are skipped unless the user chooses them.

export type { HostImportSource } from './import-plan';

const PREVIEW_TTL_MS = 30 * 60_000;
const MAX_PREVIEWS = 10;

interface StoredPreview {
  preview: ImportPreview;
  planned: Planned[];
  at: number;
  /** Each file's bundle, by its index in preview.files (undefined: the file was refused). */
  bundles?: Array<ImportBundle | undefined>;
  /** Tokens made for a relay config offered from this preview (the file's own was short or missing): the saved relay gets the same one. */
  relayTokens?: Map<ImportBundle, Map<string, string>>;
}

interface UndoRecord {
  rules: string[];
  servers: string[];
  relays: string[];
  replacedRules: Rule[];
  /** SOCKS passwords the import wrote over, by rule id (undefined: there was none). */
  replacedSocksPasswords: Array<{ id: string; password: string | undefined }>;
  replacedServers: Array<{ server: SshServer; password?: string; passphrase?: string }>;
  replacedRelays: Array<{ relay: Relay; token?: string }>;
}

export class ImportService {
  private readonly previews = new Map<string, StoredPreview>();
  /** Ids of host-started previews no window has taken yet (oldest first): see claim(). */
  private offered: string[] = [];
  private undoRecord: UndoRecord | undefined;

  constructor(
    private readonly service: TunnelService,
    private readonly servers: ServerRegistry,
    private readonly relays: RelayRegistry,
    private readonly secrets: SecretStore,
  ) {}

  get canUndo(): boolean {
    return this.undoRecord !== undefined;
  }

  /** The API's preview: whatever a caller sends is text (it cannot claim to be a file read by path). */
  preview(sources: readonly ImportSource[]): ImportPreview {
    return this.previewFrom(sources.map((s) => ({ name: s.name, text: s.text, origin: 'text' })));
  }

  /**
   * The config of the Porthole relay that takes the place of the frps / rathole server a previewed file
   * goes through (issue 15): offered from the preview, so that side can run `porthole relay`. A token
   * made here (the file's was short or missing) is kept with the preview and given to the relay it saves.
   */
  relayConfig(previewId: string, file: number): { fileName: string; yaml: string; notes: string[] } {
    const stored = this.previews.get(previewId);
    if (!stored) throw new ServiceError('NOT_FOUND', 'This import preview has expired — drop the files again');
    const bundle = stored.bundles?.[file];
    if (!bundle) throw new ServiceError('INVALID_INPUT', 'No such file in this preview', [{ path: 'file', message: 'not a file of this preview' }]);
    const tokens = (stored.relayTokens ??= new Map()).get(bundle) ?? new Map<string, string>();
    let out;
    try {
      out = relayConfigFor(bundle, tokens.values().next().value);
    } catch (err) {
      if (err instanceof ProfileError) throw new ServiceError('INVALID_INPUT', err.message, [{ path: 'file', message: 'no relay side' }]);
      throw err;
    }
    if (out.generated && out.relayRef !== undefined) {
      tokens.set(out.relayRef, out.token);
      stored.relayTokens.set(bundle, tokens);
    }
    return { fileName: 'porthole-relay.yaml', yaml: out.yaml, notes: out.notes };
  }

  /** A preview of sources the host read itself (CLI argument, file dialog, opened file, link). */
  previewFrom(sources: readonly HostImportSource[]): ImportPreview {
    this.expire();
    const files: ImportPreview['files'] = [];
    const rules = this.service.rules();
    const ctx: PlanContext = {
      servers: this.servers.list().map((e) => e.server),
      relays: this.relays.list().map((e) => e.relay),
      rulesByName: new Map(rules.map((r) => [r.name, r])),
      // Which saved mapping already listens where an imported one would: indexed once for the whole preview.
      listeners: this.service.listenIndex(),
      ruleNames: new Set(rules.map((r) => r.name)),
      planned: [],
      plannedListeners: new PlannedListeners(),
    };
    const bundles: Array<ImportBundle | undefined> = [];
    for (const [bi, src] of sources.entries()) {
      let bundle: ImportBundle;
      try {
        // An ssh_config's Include lines are read only for a file the user named by its path.
        bundle = readImportText(src.text, src.name, { followIncludes: src.origin === 'file' });
      } catch (err) {
        if (!(err instanceof ProfileError)) throw err;
        files.push({ name: src.name, error: err.message, warnings: [], origin: src.origin });
        bundles.push(undefined);
        continue;
      }
      files.push({ name: src.name, format: bundle.format, warnings: bundle.warnings, origin: src.origin });
      bundles.push(bundle);
      planFile(ctx, src, bi, bundle);
    }
    const { planned } = ctx;
    const preview: ImportPreview = { id: randomUUID(), files, items: planned.map((p) => p.item), canStart: sources.every((s) => s.origin !== 'link') };
    this.previews.set(preview.id, { preview, planned, at: Date.now(), bundles });
    while (this.previews.size > MAX_PREVIEWS) this.previews.delete(this.previews.keys().next().value!);
    return preview;
  }

  /**
   * A preview the host starts itself (deep link, opened file, tray drop): every window listening is
   * asked to show it, and it is kept until a window claims it — at a cold start the page subscribes
   * only after its first render, and in browser mode no window may be open yet.
   */
  offer(sources: readonly HostImportSource[]): ImportPreview {
    const preview = this.previewFrom(sources);
    this.offered = [...this.offered.filter((id) => this.previews.has(id)), preview.id];
    this.service.emit('import-preview', preview);
    return preview;
  }

  /** Takes the host-started previews no window has taken yet: those named, or all; oldest first. */
  claim(ids?: readonly string[]): ImportPreview[] {
    this.expire();
    const taken = this.offered.filter((id) => ids === undefined || ids.includes(id));
    this.offered = this.offered.filter((id) => !taken.includes(id));
    return taken.flatMap((id) => {
      const stored = this.previews.get(id);
      return stored ? [stored.preview] : [];
    });
  }

  async apply(input: ImportApplyInput): Promise<ImportOutcome> {
    this.expire();
    const stored = this.previews.get(input.previewId);
    if (!stored) throw new ServiceError('NOT_FOUND', 'This import preview has expired — drop the files again');
    const decisions = new Map((input.decisions ?? []).map((d) => [d.key, d]));
    for (const d of decisions.values()) {
      const p = stored.planned.find((x) => x.item.key === d.key);
      if (!p) throw new ServiceError('INVALID_INPUT', `Unknown import item ${d.key}`, [{ path: 'decisions', message: 'not in this preview' }]);
      if (!p.item.actions.includes(d.action)) throw new ServiceError('INVALID_INPUT', `"${p.item.name}" cannot be imported with "${d.action}" (choose ${p.item.actions.join(', ')})`, [{ path: 'decisions', message: 'not allowed for this item' }]);
    }
    const choice = (p: Planned) => decisions.get(p.item.key) ?? { key: p.item.key, action: p.item.action, newName: p.item.renameTo };
    const start = input.start === true;
    if (start && !stored.preview.canStart) {
      throw new ServiceError('INVALID_INPUT', 'Mappings from a porthole:// link are never started by the import — import them, check them, then switch them on in Mappings', [
        { path: 'start', message: 'not allowed for an import from a link' },
      ]);
    }
    const undo: UndoRecord = { rules: [], servers: [], relays: [], replacedRules: [], replacedSocksPasswords: [], replacedServers: [], replacedRelays: [] };
    const outcome: ImportOutcome = { rules: 0, servers: 0, relays: 0, replaced: 0, skipped: 0, ruleIds: [], startedIds: [], canUndo: false };
    // ref → saved id, per bundle
    const serverIds = new Map<ImportBundle, Map<string, string>>();
    const relayIds = new Map<ImportBundle, Map<string, string>>();
    const mapOf = (m: Map<ImportBundle, Map<string, string>>, b: ImportBundle) => m.get(b) ?? m.set(b, new Map()).get(b)!;
    let batch: RuleBatch | undefined;
    try {
      for (const p of orderServers(stored.planned.filter((x) => x.server))) {
        const s = p.server!;
        const c = choice(p);
        const ids = mapOf(serverIds, p.bundle);
        if (c.action === 'skip') {
          outcome.skipped++;
          continue;
        }
        if (c.action === 'reuse') {
          ids.set(s.ref, p.item.conflicts[0]!.existingId);
          continue;
        }
        const jump = s.jump.map((ref) => {
          const id = ids.get(ref);
          if (!id) throw new ServiceError('INVALID_INPUT', `The server "${s.name}" jumps through "${ref}", which you chose to skip`);
          return id;
        });
        const { ref: _ref, password, passphrase, ...draft } = s;
        const server = { ...draft, jump, ...(c.action === 'rename' && c.newName ? { name: c.newName } : {}) };
        const input2 = { server, ...(password !== undefined ? { password } : {}), ...(passphrase !== undefined ? { passphrase } : {}) };
        if (c.action === 'replace') {
          const id = p.item.conflicts[0]!.existingId;
          const before = this.servers.list().find((e) => e.server.id === id)!.server;
          undo.replacedServers.push({ server: before, ...this.serverSecrets(before) });
          this.servers.update(id, input2);
          ids.set(s.ref, id);
          outcome.replaced++;
        } else {
          const e = this.servers.create(input2);
          undo.servers.push(e.server.id);
          ids.set(s.ref, e.server.id);
          outcome.servers++;
        }
      }
      for (const p of stored.planned.filter((x) => x.relay)) {
        const r = p.relay!;
        const c = choice(p);
        const ids = mapOf(relayIds, p.bundle);
        if (c.action === 'skip') {
          outcome.skipped++;
          continue;
        }
        if (c.action === 'reuse') {
          ids.set(r.ref, p.item.conflicts[0]!.existingId);
          continue;
        }
        const { ref: _ref, token: fileToken, ...draft } = r;
        // A relay config offered from this preview made a new token: the relay saved here uses it too.
        const token = stored.relayTokens?.get(p.bundle)?.get(r.ref) ?? fileToken;
        const relay = { ...draft, ...(token !== undefined ? { hasToken: true } : {}), ...(c.action === 'rename' && c.newName ? { name: c.newName } : {}) };
        const input2 = { relay, ...(token !== undefined ? { token } : {}) };
        if (c.action === 'replace') {
          const id = p.item.conflicts[0]!.existingId;
          const before = this.relays.list().find((e) => e.relay.id === id)!.relay;
          const oldToken = this.secrets.get(secretKey.relayToken(id));
          undo.replacedRelays.push({ relay: before, ...(oldToken !== undefined ? { token: oldToken } : {}) });
          this.relays.update(id, input2);
          ids.set(r.ref, id);
          outcome.replaced++;
        } else {
          const e = this.relays.create(input2);
          undo.relays.push(e.relay.id);
          ids.set(r.ref, e.relay.id);
          outcome.relays++;
        }
      }
      // Each mapping is checked as it comes, in order, but all are saved in one write at the end.
      batch = this.service.batch();
      for (const p of stored.planned.filter((x) => x.rule)) {
        const c = choice(p);
        if (c.action === 'skip') {
          outcome.skipped++;
          continue;
        }
        const { socksPassword, ...rule } = p.rule!;
        // Switched off unless the user asked to start what the file has on (never a SOCKS server without its password).
        const enabled = start && p.item.startsOn === true;
        let draft: RuleDraftParsed = { ...rule, enabled, ...(c.action === 'rename' && c.newName ? { name: c.newName } : {}) };
        if ('server' in draft) {
          const id = mapOf(serverIds, p.bundle).get(draft.server);
          if (!id) throw new ServiceError('INVALID_INPUT', `The mapping "${draft.name}" uses the server "${draft.server}", which you chose to skip — skip the mapping too, or import the server`);
          draft = { ...draft, server: id };
        }
        if (draft.type === 'relay-expose') {
          const id = mapOf(relayIds, p.bundle).get(draft.relay);
          if (!id) throw new ServiceError('INVALID_INPUT', `The mapping "${draft.name}" uses the relay "${draft.relay}", which you chose to skip — skip the mapping too, or import the relay`);
          draft = { ...draft, relay: id };
        }
        let id: string;
        if (c.action === 'replace') {
          id = p.item.conflicts.find((x) => x.kind === 'listen')?.existingId ?? p.item.conflicts[0]!.existingId;
          undo.replacedRules.push(this.service.entryOf(id).rule);
          batch.update(id, draft);
          outcome.replaced++;
        } else {
          id = batch.create(draft).id;
          undo.rules.push(id);
          outcome.rules++;
        }
        // Stored before the batch is saved and started: the mapping never runs without it.
        if (socksPassword !== undefined) {
          if (c.action === 'replace') undo.replacedSocksPasswords.push({ id, password: this.secrets.get(secretKey.socksPassword(id)) });
          this.secrets.set(secretKey.socksPassword(id), socksPassword);
        }
        outcome.ruleIds.push(id);
        if (enabled) outcome.startedIds.push(id);
      }
      await batch.commit();
    } catch (err) {
      // All or nothing: put back what this import already changed. Mappings of a batch that was never
      // saved are not there to remove or restore, but the passwords stored for them are.
      if (batch && !batch.saved) {
        for (const id of undo.rules) this.secrets.delete(secretKey.socksPassword(id));
        undo.rules = [];
        undo.replacedRules = [];
      }
      await this.revert(undo);
      throw err;
    }
    this.previews.delete(input.previewId);
    this.undoRecord = undo;
    this.service.log.line('info', 'importApplied', {
      rules: outcome.rules,
      servers: outcome.servers,
      relays: outcome.relays,
      replaced: outcome.replaced,
      skipped: outcome.skipped,
      started: outcome.startedIds.length,
    });
    return { ...outcome, canUndo: true };
  }

  async undo(): Promise<ImportUndoOutcome> {
    const u = this.undoRecord;
    if (!u) throw new ServiceError('NOT_FOUND', 'There is no import to undo');
    this.undoRecord = undefined;
    const result = await this.revert(u);
    this.service.log.line('info', 'importUndone', { removed: result.removedRules, restored: result.restoredRules });
    return result;
  }

  private async revert(u: UndoRecord): Promise<ImportUndoOutcome> {
    const out: ImportUndoOutcome = { removedRules: 0, restoredRules: 0, removedServers: 0, removedRelays: 0 };
    const known = new Set(this.service.rules().map((r) => r.id));
    // One write and one rules-changed for all the mappings, as the import itself made.
    const batch = this.service.batch();
    const removed = u.rules.filter((id) => known.has(id));
    for (const id of [...removed].reverse()) {
      batch.remove(id);
      out.removedRules++;
    }
    for (const rule of [...u.replacedRules].reverse()) {
      if (!known.has(rule.id)) continue;
      const { id, ...draft } = rule;
      batch.update(id, draft);
      out.restoredRules++;
    }
    await batch.commit();
    for (const id of removed) this.secrets.delete(secretKey.socksPassword(id));
    for (const { id, password } of [...u.replacedSocksPasswords].reverse()) {
      if (!known.has(id)) continue;
      if (password === undefined) this.secrets.delete(secretKey.socksPassword(id));
      else this.secrets.set(secretKey.socksPassword(id), password);
    }
    for (const id of [...u.relays].reverse()) {
      try {
        this.relays.remove(id);
        out.removedRelays++;
      } catch {
        // Used by a mapping made after the import: keep it.
      }
    }
    for (const r of [...u.replacedRelays].reverse()) this.relays.update(r.relay.id, { relay: stripId(r.relay), token: r.token ?? '' });
    for (const id of [...u.servers].reverse()) {
      try {
        this.servers.remove(id);
        out.removedServers++;
      } catch {
        // Used by a mapping or a jump made after the import: keep it.
      }
    }
    for (const s of [...u.replacedServers].reverse()) {
      this.servers.update(s.server.id, { server: stripId(s.server), password: s.password ?? '', passphrase: s.passphrase ?? '' });
    }
    return out;
  }

  private serverSecrets(s: SshServer): { password?: string; passphrase?: string } {
    const password = this.servers.secret(s, 'password');
    const passphrase = this.servers.secret(s, 'passphrase');
    return { ...(password !== undefined ? { password } : {}), ...(passphrase !== undefined ? { passphrase } : {}) };
  }

  private expire(): void {
    const cutoff = Date.now() - PREVIEW_TTL_MS;
    for (const [id, p] of this.previews) if (p.at < cutoff) this.previews.delete(id);
  }
}

function stripId<T extends { id: string }>(x: T): Omit<T, 'id'> {
  const { id: _id, ...rest } = x;
  return rest;
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

