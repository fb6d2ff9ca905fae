import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { type Rule, RuleSchema, type SshServer, SshServerSchema } from '../../src-shared/model';
import { type AppSettings, AppSettingsSchema } from '../../src-shared/model/settings';
import { type LocalRelayConfig, LocalRelayConfigSchema, type Relay, RelaySchema } from '../../src-shared/model/relay';
import type { ConfFactory, ConfLike } from './conf-like';

// Rules live in `<dataDir>/porthole.json` through a Conf-compatible store (atomic writes). The file
// carries a schema version; migrations upgrade older files step by step. A file that cannot be read
// is moved aside and reported — never silently emptied.

export const STORE_NAME = 'porthole';
export const STORE_SCHEMA_VERSION = 1;

export type StoreDoc = Record<string, unknown>;
/** Upgrades a document from version `from` to `from + 1`. Must be pure and idempotent. */
export type Migration = (doc: StoreDoc) => StoreDoc;
export type MigrationTable = Record<number, Migration>;

/** Migrations of the real schema, keyed by the version they upgrade from. */
export const MIGRATIONS: MigrationTable = {};

export interface StoreRecovery {
  movedTo: string;
  reason: string;
}

export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
}

export interface OpenOptions {
  dataDir: string;
  confFactory: ConfFactory;
  migrations?: MigrationTable;
  targetVersion?: number;
  now?: () => Date;
}

export function migrateDoc(doc: StoreDoc, migrations: MigrationTable, target: number): { doc: StoreDoc; applied: number[] } {
  const applied: number[] = [];
  let version = typeof doc.schemaVersion === 'number' ? doc.schemaVersion : target;
  let current = doc;
  while (version < target) {
    const step = migrations[version];
    if (!step) throw new StoreOpenError(`No migration from store schema ${version} to ${version + 1}`);
    current = { ...step(current), schemaVersion: version + 1 };
    applied.push(version);
    version++;
  }
  return { doc: current, applied };
}

function asideName(dataDir: string, now: Date): string {
  return join(dataDir, `${STORE_NAME}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}.json`);
}

/** Reads and checks the raw file before Conf sees it, so a bad file is reported instead of thrown or wiped. */
function inspect(opts: OpenOptions, file: string, target: number): { recovery?: StoreRecovery; doc?: StoreDoc; dropped: number } {
  if (!existsSync(file)) return { dropped: 0 };
  const now = (opts.now ?? (() => new Date()))();
  const text = readFileSync(file, 'utf8');
  let parsed: unknown;
  try {
    parsed = text.trim() === '' ? {} : JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    const movedTo = asideName(opts.dataDir, now);
    renameSync(file, movedTo);
    return { recovery: { movedTo, reason: `not valid JSON: ${(err as Error).message}` }, dropped: 0 };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    const movedTo = asideName(opts.dataDir, now);
    renameSync(file, movedTo);
    return { recovery: { movedTo, reason: 'the file does not hold a JSON object' }, dropped: 0 };
  }
  const doc = parsed as StoreDoc;
  if (typeof doc.schemaVersion === 'number' && doc.schemaVersion > target) {
    throw new StoreOpenError(
      `${file} was written by a newer Porthole (store schema ${doc.schemaVersion}; this version reads up to ${target}) — ` +
        'upgrade Porthole, or pass --data-dir to use another dir',
    );
  }
  const { doc: migrated, applied } = migrateDoc(doc, opts.migrations ?? MIGRATIONS, target);
  const rules = validList(migrated.rules, RuleSchema);
  const servers = validList(migrated.servers, SshServerSchema);
  const relays = validList(migrated.relays, RelaySchema);
  const dropped = rules.dropped + servers.dropped + relays.dropped;
  const notArray = rules.notArray || servers.notArray || relays.notArray;
  if (dropped > 0 || notArray) {
    const movedTo = asideName(opts.dataDir, now);
    copyFileSync(file, movedTo);
    const reason = notArray
      ? '"rules", "servers" or "relays" is not a list'
      : [
          rules.dropped > 0 ? `${rules.dropped} of ${rules.total} saved mappings` : '',
          servers.dropped > 0 ? `${servers.dropped} of ${servers.total} saved servers` : '',
          relays.dropped > 0 ? `${relays.dropped} of ${relays.total} saved relays` : '',
        ]
          .filter(Boolean)
          .join(' and ') + ' were invalid and were left out';
    return { recovery: { movedTo, reason }, doc: { ...migrated, rules: rules.good, servers: servers.good, relays: relays.good }, dropped };
  }
  return { doc: applied.length > 0 ? { ...migrated, rules: rules.good, servers: servers.good, relays: relays.good } : undefined, dropped: 0 };
}

function validList<T>(raw: unknown, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }) {
  const list = Array.isArray(raw) ? raw : [];
  const good = list.flatMap((r) => {
    const res = schema.safeParse(r);
    return res.success ? [res.data] : [];
  });
  return { good, total: list.length, dropped: list.length - good.length, notArray: raw !== undefined && !Array.isArray(raw) };
}

/** One saved list (rules, servers, relays) kept in memory and written through on every change. */
class Collection<T extends { id: string }> {
  constructor(
    private readonly conf: ConfLike,
    private readonly key: string,
    private items: T[],
  ) {}

  list(): T[] {
    return this.items.slice();
  }

  get(id: string): T | undefined {
    return this.items.find((r) => r.id === id);
  }

  /** Adds or replaces (by id), keeping list order. */
  put(item: T): void {
    this.putMany([item]);
  }

  /** Drops the items of `removed`, then adds or replaces each of `items` (by id, keeping list order), in one write. */
  putMany(items: readonly T[], removed: readonly string[] = []): void {
    const gone = new Set(removed);
    const next = gone.size > 0 ? this.items.filter((r) => !gone.has(r.id)) : this.items.slice();
    const at = new Map(next.map((r, i) => [r.id, i]));
    for (const item of items) {
      const i = at.get(item.id);
      if (i !== undefined) next[i] = item;
      else at.set(item.id, next.push(item) - 1);
    }
    this.write(next);
  }

  remove(id: string): boolean {
    const next = this.items.filter((r) => r.id !== id);
    if (next.length === this.items.length) return false;
    this.write(next);
    return true;
  }

  private write(next: T[]): void {
    // Write first: if the disk write throws, memory still matches the file.
    this.conf.set(this.key, next);
    this.items = next;
  }
}

function loadList<T>(conf: ConfLike, key: string, schema: { parse(v: unknown): T }): T[] {
  const raw = conf.get(key);
  return Array.isArray(raw) ? raw.map((r) => schema.parse(r)) : [];
}

export class RuleStore {
  private readonly rules: Collection<Rule>;
  private readonly servers: Collection<SshServer>;
  private readonly relays: Collection<Relay>;

  private constructor(
    private readonly conf: ConfLike,
    readonly recovery: StoreRecovery | undefined,
  ) {
    this.rules = new Collection(conf, 'rules', loadList(conf, 'rules', RuleSchema));
    this.servers = new Collection(conf, 'servers', loadList(conf, 'servers', SshServerSchema));
    this.relays = new Collection(conf, 'relays', loadList(conf, 'relays', RelaySchema));
  }

  static open(opts: OpenOptions): RuleStore {
    const target = opts.targetVersion ?? STORE_SCHEMA_VERSION;
    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    const file = join(opts.dataDir, `${STORE_NAME}.json`);
    const { recovery, doc } = inspect(opts, file, target);
    const conf = opts.confFactory({ cwd: opts.dataDir, configName: STORE_NAME });
    if (doc) {
      // Rewrite once with the migrated or repaired content (the original is kept aside when repaired).
      for (const [k, v] of Object.entries(doc)) conf.set(k, v);
    }
    if (conf.get('schemaVersion') !== target) conf.set('schemaVersion', target);
    return new RuleStore(conf, recovery);
  }

  get path(): string {
    return this.conf.path;
  }

  list(): Rule[] {
    return this.rules.list();
  }

  get(id: string): Rule | undefined {
    return this.rules.get(id);
  }

  /** Adds or replaces (by id), keeping list order. */
  put(rule: Rule): void {
    this.rules.put(rule);
  }

  /**
   * Drops the rules of `removed` and adds or replaces `rules`, in one write of the list: conf rewrites
   * the whole file on every set, so a rule at a time costs O(n²) for n rules.
   */
  putRules(rules: readonly Rule[], removed: readonly string[] = []): void {
    this.rules.putMany(rules, removed);
  }

  remove(id: string): boolean {
    return this.rules.remove(id);
  }

  listServers(): SshServer[] {
    return this.servers.list();
  }

  getServer(id: string): SshServer | undefined {
    return this.servers.get(id);
  }

  putServer(server: SshServer): void {
    this.servers.put(server);
  }

  /** Drops the servers of `removed` and adds or replaces `servers`, in one write (see putRules). */
  putServers(servers: readonly SshServer[], removed: readonly string[] = []): void {
    this.servers.putMany(servers, removed);
  }

  listRelays(): Relay[] {
    return this.relays.list();
  }

  getRelay(id: string): Relay | undefined {
    return this.relays.get(id);
  }

  putRelay(relay: Relay): void {
    this.relays.put(relay);
  }

  /** Drops the relays of `removed` and adds or replaces `relays`, in one write (see putRules). */
  putRelays(relays: readonly Relay[], removed: readonly string[] = []): void {
    this.relays.putMany(relays, removed);
  }

  /** App settings (theme, language, stats interval); defaults for anything missing or invalid. */
  settings(): AppSettings {
    const r = AppSettingsSchema.safeParse(this.conf.get('settings') ?? {});
    return r.success ? r.data : AppSettingsSchema.parse({});
  }

  setSettings(settings: AppSettings): void {
    this.conf.set('settings', settings);
  }

  /** The in-app relay server's settings (Relay view); undefined until first saved or if unreadable. */
  localRelay(): LocalRelayConfig | undefined {
    const r = LocalRelayConfigSchema.safeParse(this.conf.get('localRelay'));
    return r.success ? r.data : undefined;
  }

  setLocalRelay(config: LocalRelayConfig): void {
    this.conf.set('localRelay', config);
  }
}
