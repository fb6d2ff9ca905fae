import { EventEmitter } from 'node:events';
import type { ApiEvents, RuleEntry } from '../../src-shared/api/contract';
import { type Rule, type RuleDraftParsed, ruleRelayId, ruleServerId } from '../../src-shared/model/rule';
import type { ConnectionRow } from '../../src-shared/model/connection';
import type { LogEntry } from '../../src-shared/model/log';
import type { RuleStats, StatsBatch } from '../../src-shared/model/stats';
import type { RuleStatus } from '../../src-shared/model/status';
import type { RuleStore } from '../store/rule-store';
import { DegradedTracker } from './degraded-tracker';
import { LogBuffer } from './log-buffer';
import { ListenIndex, RuleBatch, type RuleChanges, followRule, mappingNotFound } from './rule-batch';
import { RuleRunner } from './rule-runner';
import { ServiceError, couldNotSave } from './service-error';
import type { RouterRules } from './router-rules';
import type { RelayRegistry } from './relay-registry';
import type { ServerRegistry } from './server-registry';
import type { TunnelFactory } from './tunnel-factory';

type ServiceEvents = { [E in keyof ApiEvents]: [ApiEvents[E]] };

export interface TunnelServiceOptions {
  store: RuleStore;
  factory: TunnelFactory;
  /** Saved SSH servers; rules that name a server are checked against it. */
  servers?: ServerRegistry;
  /** Saved relays; relay-expose rules are checked against it. */
  relays?: RelayRegistry;
  /** Edit the saved rules without running any (e.g. `porthole import` next to a stopped app). */
  dormant?: boolean;
  statsIntervalMs?: number;
  /** Mirrors each log line somewhere else too (the CLI prints them). */
  echoLog?: (line: LogEntry) => void;
  /** "Open on router" for rules that ask for it. */
  router?: RouterRules;
}

/** Servers and relays staged to be saved with a batch of rules (saved ones count too). */
export interface StagedRefs {
  server(id: string): boolean;
  relay(id: string): boolean;
}

/** Rules → running tunnels. Knows nothing of Electron, IPC or the UI: it only emits events. */
export class TunnelService extends EventEmitter<ServiceEvents> {
  readonly log: LogBuffer;
  private readonly runners = new Map<string, RuleRunner>();
  private readonly store: RuleStore;
  private readonly factory: TunnelFactory;
  private readonly servers: ServerRegistry | undefined;
  private readonly relays: RelayRegistry | undefined;
  private readonly dormant: boolean;
  private readonly router: RouterRules | undefined;
  private intervalMs: number;
  private ticker: NodeJS.Timeout | undefined;
  private connectionWatchers = 0;
  private listing = false;
  private lastTick = { ts: Date.now(), totals: new Map<string, { bytesIn: number; bytesOut: number }>() };
  private readonly degraded = new DegradedTracker();
  /** Goes up with every write of the rules (see RuleBatch). */
  private revision = 0;

  constructor(opts: TunnelServiceOptions) {
    super();
    this.store = opts.store;
    this.factory = opts.factory;
    this.servers = opts.servers;
    this.relays = opts.relays;
    this.dormant = opts.dormant ?? false;
    this.router = opts.router;
    this.intervalMs = opts.statsIntervalMs ?? 1000;
    this.log = new LogBuffer((batch) => this.emit('log', batch), 10_000, 150, opts.echoLog, (id) => this.runners.get(id)?.rule.name);
    for (const rule of this.store.list()) this.runners.set(rule.id, this.makeRunner(rule));
    // Which rules use a server is part of what the Servers view shows.
    this.on('rules-changed', () => {
      if (this.servers) this.emit('servers-changed', this.servers.list());
      if (this.relays) this.emit('relays-changed', this.relays.list());
    });
  }

  /** Starts the stats ticker and every enabled rule (rules without autoStart come up switched off). */
  async start(): Promise<void> {
    this.ticker = setInterval(() => this.tick(), this.intervalMs);
    this.ticker.unref();
    const enabled = [...this.runners.values()].filter((r) => r.rule.enabled);
    // Those without autoStart are saved switched off, in one write.
    const off = enabled.filter((r) => !r.rule.autoStart).map((r) => ({ ...r.rule, enabled: false }));
    if (off.length > 0) this.saveRunnerRules(off);
    await Promise.all(enabled.filter((r) => r.rule.autoStart).map((r) => this.run(r)));
  }

  /** Changes the stats tick (the settings' stats interval) without restarting anything. */
  setStatsInterval(ms: number): void {
    this.intervalMs = ms;
    if (!this.ticker) return;
    clearInterval(this.ticker);
    this.ticker = setInterval(() => this.tick(), this.intervalMs);
    this.ticker.unref();
  }

  async shutdown(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
    await this.router?.releaseAll();
    this.log.dispose();
  }

  list(): RuleEntry[] {
    return [...this.runners.values()].map((r) => this.entry(r));
  }

  rules(): Rule[] {
    return this.store.list();
  }

  /**
   * Rule changes checked one by one but saved in one write and announced in one rules-changed (an
   * import of many rules); create, update and remove are batches of one. `staged` knows the servers
   * and relays an import saves with its rules, which the rules may use before they are saved.
   */
  batch(staged?: StagedRefs): RuleBatch {
    return new RuleBatch({
      saved: () => this.savedRules(),
      checkRefs: (draft) => this.assertServerExists(draft, staged),
      revision: () => this.revision,
      save: (changes) => this.saveBatch(changes),
    });
  }

  async create(draft: RuleDraftParsed): Promise<RuleEntry> {
    const batch = this.batch();
    const rule = batch.create(draft);
    await batch.commit();
    return this.entry(this.require(rule.id));
  }

  async update(id: string, draft: RuleDraftParsed): Promise<RuleEntry> {
    const batch = this.batch();
    batch.update(id, draft);
    await batch.commit();
    return this.entry(this.require(id));
  }

  /** Stops and starts a rule that is on, so it picks up new credentials. */
  async restart(id: string): Promise<void> {
    const runner = this.require(id);
    if (!runner.rule.enabled) return;
    await runner.stop();
    await this.run(runner);
  }

  entryOf(id: string): RuleEntry {
    return this.entry(this.require(id));
  }

  async remove(id: string): Promise<void> {
    const batch = this.batch();
    batch.remove(id);
    await batch.commit();
  }

  async setEnabled(id: string, enabled: boolean): Promise<RuleStatus> {
    return (await this.setEnabledMany([id], enabled))[0]!;
  }

  /** Switches rules on or off with one write and one rules-changed (`porthole run --profile` starts a whole file). */
  async setEnabledMany(ids: readonly string[], enabled: boolean): Promise<RuleStatus[]> {
    const runners = ids.map((id) => this.require(id));
    const changed = runners.filter((r) => r.rule.enabled !== enabled).map((r) => ({ ...r.rule, enabled }));
    if (changed.length > 0) {
      this.saveRunnerRules(changed);
      this.emit('rules-changed', this.store.list());
    }
    await Promise.all(runners.map((r) => (enabled ? this.run(r) : r.stop())));
    return runners.map((r) => r.status);
  }

  async setGroupEnabled(group: string, enabled: boolean): Promise<RuleStatus[]> {
    const ids = [...this.runners.values()].filter((r) => r.rule.group === group).map((r) => r.rule.id);
    if (ids.length === 0) throw new ServiceError('NOT_FOUND', `No mapping is in the group "${group}"`);
    return this.setEnabledMany(ids, enabled);
  }

  async connections(ruleId?: string): Promise<ConnectionRow[]> {
    const runners = ruleId === undefined ? [...this.runners.values()] : [this.require(ruleId)];
    const lists = await Promise.all(runners.map(async (r) => (await r.connections()).map((c) => ({ ...c, ruleId: r.rule.id }))));
    return lists.flat();
  }

  async closeConnection(ruleId: string, id: number): Promise<{ closed: boolean }> {
    const closed = await this.require(ruleId).closeConnection(id);
    if (closed) this.log.line('info', 'closedOnRequest', { id }, { ruleId });
    return { closed };
  }

  /** How many callers watch the `connections` event; it is built and sent only while this is > 0. */
  get watchers(): number {
    return this.connectionWatchers;
  }

  watchConnections(delta: 1 | -1): void {
    this.connectionWatchers = Math.max(0, this.connectionWatchers + delta);
  }

  /** Takes one stats sample now (the ticker calls this every interval). */
  tick(): StatsBatch {
    const ts = Date.now();
    const dt = Math.max(1, ts - this.lastTick.ts) / 1000;
    const rules: Record<string, RuleStats> = {};
    const totals = new Map<string, { bytesIn: number; bytesOut: number }>();
    for (const [id, runner] of this.runners) {
      const s = runner.stats();
      // A rule created since the last tick started from zero within this interval.
      const prev = this.lastTick.totals.get(id) ?? { bytesIn: 0, bytesOut: 0 };
      totals.set(id, { bytesIn: s.bytesIn, bytesOut: s.bytesOut });
      rules[id] = {
        ...s,
        rateIn: Math.max(0, (s.bytesIn - prev.bytesIn) / dt),
        rateOut: Math.max(0, (s.bytesOut - prev.bytesOut) / dt),
      };
    }
    this.lastTick = { ts, totals };
    const batch: StatsBatch = { ts, intervalMs: this.intervalMs, rules };
    this.emit('stats', batch);
    if (this.connectionWatchers > 0) {
      // The data plane's lists come back as messages; a tick whose list is still on its way is skipped.
      if (!this.listing) {
        this.listing = true;
        void this.connections()
          .then((rows) => this.emit('connections', rows))
          .catch((err: unknown) => this.log.line('warn', 'connectionsListFailed', { error: (err as Error).message }))
          .finally(() => (this.listing = false));
      }
    }
    return batch;
  }

  private entry(r: RuleRunner): RuleEntry {
    return { rule: r.rule, status: this.withRouter(this.degraded.decorate(r.status)), stats: { ...r.stats(), rateIn: 0, rateOut: 0 } };
  }

  private withRouter(status: RuleStatus): RuleStatus {
    return this.router ? this.router.decorate(status) : status;
  }

  /** The router granted, renewed or refused a rule's mapping: its status event carries that. */
  routerChanged(id: string): void {
    const runner = this.runners.get(id);
    if (runner) this.emit('rule-state', this.withRouter(this.degraded.decorate(runner.status)));
  }

  private makeRunner(rule: Rule): RuleRunner {
    return new RuleRunner(rule, {
      factory: this.factory,
      log: this.log,
      emitState: (raw) => {
        const { status: s, change } = this.degraded.observe(raw);
        if (change === 'degraded' && s.degraded) {
          const { failures, error } = s.degraded;
          this.log.line('warn', 'degraded', { failures, error: error.message }, { ruleId: s.id, code: error.code });
        } else if (change === 'recovered') this.log.line('info', 'recovered', {}, { ruleId: s.id });
        this.router?.onState(this.runners.get(s.id)?.rule ?? rule, s);
        this.emit('rule-state', this.withRouter(s));
        // A rule over SSH changes state with its session: the Servers view shows that session.
        if (this.servers && ruleServerId(rule) !== undefined) this.emit('servers-changed', this.servers.list());
        if (this.relays && ruleRelayId(rule) !== undefined) this.emit('relays-changed', this.relays.list());
      },
    });
  }

  private run(runner: RuleRunner): Promise<void> {
    return this.dormant ? Promise.resolve() : runner.start();
  }

  private require(id: string): RuleRunner {
    const r = this.runners.get(id);
    if (!r) throw mappingNotFound(id);
    return r;
  }

  private *savedRules(): Iterable<Rule> {
    for (const r of this.runners.values()) yield r.rule;
  }

  /** One write of the rule list; the store keeps its old list in memory and on disk when it fails. */
  private persist(put: readonly Rule[], removed: readonly string[] = []): void {
    try {
      this.store.putRules(put, removed);
    } catch (err) {
      throw couldNotSave(this.store.path, err);
    }
    this.revision++;
  }

  /** Saves new versions of rules that have runners (one write), then gives each runner its rule. */
  private saveRunnerRules(rules: readonly Rule[]): void {
    this.persist(rules);
    for (const rule of rules) this.runners.get(rule.id)!.rule = rule;
  }

  /** RuleBatch's save: throws, having changed nothing, if the write fails; runners change only after it. */
  private saveBatch({ put, removed }: RuleChanges): Promise<void> {
    const leaving = removed.map((id) => this.require(id));
    this.persist(put, removed);
    const changed = put.map((rule): [RuleRunner, Rule | undefined] => {
      const runner = this.runners.get(rule.id);
      if (runner) {
        const before = runner.rule;
        runner.rule = rule;
        return [runner, before];
      }
      const created = this.makeRunner(rule);
      this.runners.set(rule.id, created);
      this.log.line('info', 'mappingCreated', { name: rule.name }, { ruleId: rule.id });
      return [created, undefined];
    });
    return (async () => {
      // A deleted rule stops before the list without it goes out, as the rule-state watchers expect, and
      // leaves the runners only then: the log names a rule by its runner, so its last lines keep its name.
      await Promise.all(
        leaving.map(async (r) => {
          await r.stop();
          this.runners.delete(r.rule.id);
          this.degraded.forget(r.rule.id);
          this.log.line('info', 'mappingDeleted', { name: r.rule.name });
        }),
      );
      this.emit('rules-changed', this.store.list());
      await Promise.all(changed.map(([runner, before]) => followRule(runner, before, (r) => this.run(r))));
    })();
  }

  private assertServerExists(draft: RuleDraftParsed, staged: StagedRefs | undefined): void {
    const id = ruleServerId(draft);
    if (id !== undefined && this.servers && !staged?.server(id)) this.servers.require(id);
    const relayId = ruleRelayId(draft);
    if (relayId !== undefined && this.relays && !staged?.relay(relayId)) this.relays.require(relayId);
  }

  /** Where the saved rules listen, to ask which one already listens where a draft would (conflict()). */
  listenIndex(): ListenIndex {
    return new ListenIndex(this.savedRules());
  }
}
