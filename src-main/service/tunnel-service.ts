import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ApiEvents, RuleEntry } from '../../src-shared/api/contract';
import { formatHostPort, listenEndpointsCollide } from '../../src-shared/format/address';
import { type Rule, type RuleDraftParsed, ruleListenEndpoint, ruleRelayId, ruleServerId } from '../../src-shared/model/rule';
import type { ConnectionRow } from '../../src-shared/model/connection';
import type { LogEntry } from '../../src-shared/model/log';
import type { RuleStats, StatsBatch } from '../../src-shared/model/stats';
import type { RuleStatus } from '../../src-shared/model/status';
import type { RuleStore } from '../store/rule-store';
import { DegradedTracker } from './degraded-tracker';
import { LogBuffer } from './log-buffer';
import { RuleRunner } from './rule-runner';
import { ServiceError } from './service-error';
import type { RouterRules } from './router-rules';
import type { RelayRegistry } from './relay-registry';
import type { ServerRegistry } from './server-registry';
import type { TunnelFactory } from './tunnel-factory';

/** What a rule connects (everything but its name, notes, tags, group and on/off state): a change restarts it. */
function wiring(rule: Rule): Omit<Rule, 'name' | 'notes' | 'tags' | 'group' | 'enabled' | 'autoStart'> {
  const { name: _name, notes: _notes, tags: _tags, group: _group, enabled: _enabled, autoStart: _autoStart, ...rest } = rule;
  return rest;
}

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
    const starting: Promise<void>[] = [];
    for (const runner of this.runners.values()) {
      if (!runner.rule.enabled) continue;
      if (!runner.rule.autoStart) {
        runner.rule = { ...runner.rule, enabled: false };
        this.persist(runner.rule);
        continue;
      }
      starting.push(this.run(runner));
    }
    await Promise.all(starting);
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

  async create(draft: RuleDraftParsed): Promise<RuleEntry> {
    this.assertNoConflict(draft, undefined);
    this.assertServerExists(draft);
    const rule: Rule = { ...draft, id: randomUUID() };
    this.persist(rule);
    const runner = this.makeRunner(rule);
    this.runners.set(rule.id, runner);
    this.log.line('info', 'mappingCreated', { name: rule.name }, { ruleId: rule.id });
    this.emit('rules-changed', this.store.list());
    if (rule.enabled) await this.run(runner);
    return this.entry(runner);
  }

  async update(id: string, draft: RuleDraftParsed): Promise<RuleEntry> {
    const runner = this.require(id);
    this.assertNoConflict(draft, id);
    this.assertServerExists(draft);
    const before = runner.rule;
    const rule: Rule = { ...draft, id };
    this.persist(rule);
    runner.rule = rule;
    this.emit('rules-changed', this.store.list());
    const wiringChanged = JSON.stringify(wiring(before)) !== JSON.stringify(wiring(rule));
    if (!rule.enabled) await runner.stop();
    else if (wiringChanged && runner.state !== 'stopped') {
      await runner.stop();
      await this.run(runner);
    } else if (runner.state === 'stopped' || runner.state === 'failed') await this.run(runner);
    return this.entry(runner);
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
    const runner = this.require(id);
    await runner.stop();
    this.store.remove(id);
    this.runners.delete(id);
    this.degraded.forget(id);
    this.log.line('info', 'mappingDeleted', { name: runner.rule.name });
    this.emit('rules-changed', this.store.list());
  }

  async setEnabled(id: string, enabled: boolean): Promise<RuleStatus> {
    const runner = this.require(id);
    if (runner.rule.enabled !== enabled) {
      this.persist({ ...runner.rule, enabled });
      runner.rule = { ...runner.rule, enabled };
      this.emit('rules-changed', this.store.list());
    }
    if (enabled) await this.run(runner);
    else await runner.stop();
    return runner.status;
  }

  async setGroupEnabled(group: string, enabled: boolean): Promise<RuleStatus[]> {
    const ids = [...this.runners.values()].filter((r) => r.rule.group === group).map((r) => r.rule.id);
    if (ids.length === 0) throw new ServiceError('NOT_FOUND', `No mapping is in the group "${group}"`);
    return Promise.all(ids.map((id) => this.setEnabled(id, enabled)));
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
    if (!r) throw new ServiceError('NOT_FOUND', `No mapping with id ${id} — it may have been deleted elsewhere`);
    return r;
  }

  private persist(rule: Rule): void {
    try {
      this.store.put(rule);
    } catch (err) {
      throw new ServiceError('INTERNAL', `Could not save to ${this.store.path}: ${(err as Error).message}`);
    }
  }

  private assertServerExists(draft: RuleDraftParsed): void {
    const id = ruleServerId(draft);
    if (id !== undefined && this.servers) this.servers.require(id);
    const relayId = ruleRelayId(draft);
    if (relayId !== undefined && this.relays) this.relays.require(relayId);
  }

  /** The saved rule (other than `selfId`) already listening where `draft` would, if any. */
  listenConflict(draft: RuleDraftParsed, selfId?: string): Rule | undefined {
    const mine = ruleListenEndpoint(draft);
    if (!mine) return undefined;
    for (const other of this.runners.values()) {
      if (other.rule.id === selfId) continue;
      const theirs = ruleListenEndpoint(other.rule);
      if (theirs && theirs.protocol === mine.protocol && listenEndpointsCollide(mine, theirs)) return other.rule;
    }
    return undefined;
  }

  private assertNoConflict(draft: RuleDraftParsed, selfId: string | undefined): void {
    const other = this.listenConflict(draft, selfId);
    const theirs = other && ruleListenEndpoint(other);
    if (!other || !theirs) return;
    const where = formatHostPort(theirs.host, theirs.port);
    throw new ServiceError('CONFLICT', `The mapping "${other.name}" already listens on ${where}`, [
      { path: 'listen.port', message: `already used by "${other.name}" (${where}) — choose another port` },
    ]);
  }
}
