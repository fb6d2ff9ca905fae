import { randomUUID } from 'node:crypto';
import type { ImportApplyInput, ImportOutcome, ImportPreview, ImportSource, ImportUndoOutcome } from '../../src-shared/model/import';
import { ProfileError } from '../profiles/profile-error';
import { relayConfigFor } from '../profiles/relay-config-export';
import { type ImportBundle, readImportText } from '../profiles/import-bundle';
import { SecretBatch } from '../store/secret-batch';
import { type SecretStore, secretKey } from '../store/secret-store';
import { type Choice, ImportStaging, type SavedBefore, type UndoRecord } from './import-apply';
import { type HostImportSource, type PlanContext, type Planned, PlannedListeners, planFile } from './import-plan';
import type { RelayRegistry } from './relay-registry';
import { Writes, commitAll } from './saved-batch';
import type { ServerRegistry } from './server-registry';
import { ServiceError, messageOf } from './service-error';
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

export class ImportService {
  private readonly previews = new Map<string, StoredPreview>();
  /** Ids of host-started previews no window has taken yet (oldest first): see claim(). */
  private offered: string[] = [];
  private undoRecord: UndoRecord | undefined;
  /** An undo is writing: a second one waits for it to end. */
  private undoing = false;

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
    const choice: Choice = (p) => decisions.get(p.item.key) ?? { action: p.item.action, newName: p.item.renameTo };
    const start = input.start === true;
    if (start && !stored.preview.canStart) {
      throw new ServiceError('INVALID_INPUT', 'Mappings from a porthole:// link are never started by the import — import them, check them, then switch them on in Mappings', [
        { path: 'start', message: 'not allowed for an import from a link' },
      ]);
    }
    // Every item is checked as it is staged, and nothing is written before all of them passed. Then
    // one write each: the secrets first (nothing saved is ever without its secret), the servers, the
    // relays, and the mappings, which start once saved.
    const secrets = new SecretBatch(this.secrets);
    const servers = this.servers.batch(secrets);
    const relays = this.relays.batch(secrets);
    const rules = this.service.batch({ server: (id) => servers.has(id), relay: (id) => relays.has(id) });
    const staging = new ImportStaging({ secrets, servers, relays, rules }, this.savedBefore(), choice, start, stored.relayTokens);
    const { undo, outcome } = staging;
    const writes = new Writes();
    try {
      staging.stage(stored.planned);
      for (const step of [secrets, servers, relays]) writes.commit(step);
      await rules.commit();
    } catch (err) {
      // All or nothing: put back what this import wrote, newest first. A failure to put something
      // back is added to the error, after the cause.
      const failures: unknown[] = [];
      if (rules.saved) await this.revertRules(undo).catch((e: unknown) => void failures.push(e));
      throw writes.undoAll(err, failures, 'the partial import');
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

  /**
   * Takes the last import back. Its record is dropped only once all of it is undone: when a write
   * fails, the record stays, noting what was already written back, and undo can be tried again.
   */
  async undo(): Promise<ImportUndoOutcome> {
    const u = this.undoRecord;
    if (!u) throw new ServiceError('NOT_FOUND', 'There is no import to undo');
    if (this.undoing) throw new ServiceError('CONFLICT', 'The last import is already being undone');
    this.undoing = true;
    let result: ImportUndoOutcome;
    try {
      result = await this.revert(u);
    } catch (err) {
      const error = messageOf(err);
      this.service.log.line('error', 'importUndoFailed', { error });
      throw new ServiceError(err instanceof ServiceError ? err.code : 'INTERNAL', `Could not undo the last import: ${error} — fix that, then undo the import again (what is already undone is not undone twice)`);
    } finally {
      this.undoing = false;
    }
    if (this.undoRecord === u) this.undoRecord = undefined;
    this.service.log.line('info', 'importUndone', { removed: result.removedRules, restored: result.restoredRules, kept: result.keptRules ?? 0 });
    return result;
  }

  /**
   * The mappings in one write, then the secrets, relays and servers all or none (commitAll). Tried
   * again after a failure, it skips the mappings if they were written back, and finishes what a
   * failed put-back of the second part left half undone: a relay or server already gone loses its secrets.
   */
  private async revert(u: UndoRecord): Promise<ImportUndoOutcome> {
    const known = new Set(this.service.rules().map((r) => r.id));
    if (!u.rulesUndone) {
      const { removed, restored, kept } = await this.revertRules(u);
      u.rulesUndone = { removed: removed.length, restored, kept };
    }
    const kept = new Set(u.rulesUndone.kept);
    const out: ImportUndoOutcome = { removedRules: u.rulesUndone.removed, restoredRules: u.rulesUndone.restored, removedServers: 0, removedRelays: 0, ...(kept.size > 0 ? { keptRules: kept.size } : {}) };
    // The rest in one write each, as the import made it: secrets, relays, servers.
    const secrets = new SecretBatch(this.secrets);
    // Every mapping the import made is gone now (or was deleted since, with its password).
    for (const id of u.rules) secrets.delete(secretKey.socksPassword(id));
    // Replaced items get their secrets back as they were stored, readable here or not; the updates
    // below leave secrets alone (no password, passphrase or token in their input).
    // (A mapping left as imported keeps the imported version's.)
    for (const { id, password } of [...u.replacedSocksPasswords].reverse()) if (known.has(id) && !kept.has(id)) secrets.putBack(secretKey.socksPassword(id), password);
    const relays = this.relays.batch(secrets);
    for (const id of [...u.relays].reverse()) {
      if (!relays.has(id)) {
        secrets.delete(secretKey.relayToken(id));
        continue;
      }
      try {
        relays.remove(id);
        out.removedRelays++;
      } catch {
        // Used by a mapping made after the import: keep it.
      }
    }
    // A replaced relay or server deleted since the import stays deleted, as a replaced mapping does (and
    // its update would fail, NOT_FOUND, on every try of the undo).
    for (const r of [...u.replacedRelays].reverse()) {
      if (!relays.has(r.relay.id)) continue;
      secrets.putBack(secretKey.relayToken(r.relay.id), r.token);
      relays.update(r.relay.id, { relay: stripId(r.relay) });
    }
    const servers = this.servers.batch(secrets);
    for (const id of [...u.servers].reverse()) {
      if (!servers.has(id)) {
        secrets.delete(secretKey.sshPassword(id));
        secrets.delete(secretKey.sshPassphrase(id));
        continue;
      }
      try {
        servers.remove(id);
        out.removedServers++;
      } catch {
        // Used by a mapping or a jump made after the import: keep it.
      }
    }
    for (const s of [...u.replacedServers].reverse()) {
      if (!servers.has(s.server.id)) continue;
      secrets.putBack(secretKey.sshPassword(s.server.id), s.password);
      secrets.putBack(secretKey.sshPassphrase(s.server.id), s.passphrase);
      // A jump host deleted since the import (possible once the imported version stopped using it)
      // cannot come back: the server is restored without it, rather than the undo failing on it for good.
      const server = stripId(s.server);
      servers.update(s.server.id, { server: { ...server, jump: server.jump.filter((id) => servers.has(id)) } });
    }
    commitAll([secrets, relays, servers], 'the partial undo');
    return out;
  }

  /**
   * Removes the mappings an import made and restores those it replaced, in one write and one
   * rules-changed. A replaced mapping whose old version names a server or relay deleted since the
   * import (possible once the imported version stopped using it) is left as imported and counted as
   * kept: restoring it would fail, and with it the undo, on every try.
   */
  private async revertRules(u: UndoRecord): Promise<{ removed: string[]; restored: number; kept: string[] }> {
    const known = new Set(this.service.rules().map((r) => r.id));
    const batch = this.service.batch();
    const removed = u.rules.filter((id) => known.has(id));
    for (const id of [...removed].reverse()) batch.remove(id);
    let restored = 0;
    const kept: string[] = [];
    for (const rule of [...u.replacedRules].reverse()) {
      if (!known.has(rule.id)) continue;
      if (('server' in rule && !this.servers.get(rule.server)) || ('relay' in rule && !this.relays.get(rule.relay))) {
        kept.push(rule.id);
        continue;
      }
      const { id, ...draft } = rule;
      batch.update(id, draft);
      restored++;
    }
    await batch.commit();
    return { removed, restored, kept };
  }

  /** The items an import replaces as they are saved now, with their secrets as stored. */
  private savedBefore(): SavedBefore {
    const stored = (key: string) => this.secrets.stored(key);
    return {
      server: (id) => ({ server: this.servers.require(id), password: stored(secretKey.sshPassword(id)), passphrase: stored(secretKey.sshPassphrase(id)) }),
      relay: (id) => ({ relay: this.relays.require(id), token: stored(secretKey.relayToken(id)) }),
      rule: (id) => this.service.entryOf(id).rule,
      socksPassword: (id) => stored(secretKey.socksPassword(id)),
    };
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
