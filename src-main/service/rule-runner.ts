import { ALLOWED_TRANSITIONS, type RuleProblem, type RuleState, type RuleStatus } from '../../src-shared/model/status';
import type { RuleErrorCode } from '../../src-shared/model/errors';
import type { Rule } from '../../src-shared/model/rule';
import type { MeterSnapshot } from '../engine/byte-meter';
import { EngineError } from '../engine/engine-error';
import { DataPlaneStoppedError } from '../dataplane/stopped-error';
import type { LogFields, LogLine } from '../../src-shared/model/log-text';
import type { LogBuffer } from './log-buffer';

type ThrottledKey = 'connectionFailed' | 'refusedNotAllowed' | 'refusedMaxConnections' | 'refusedMaxSessions';
import type { RefusalReason, Tunnel, TunnelConnection, TunnelFactory } from './tunnel-factory';
import { CONNECTION_LINES_PER_SECOND, LineBudget } from './line-budget';

// Failures at start that fix themselves (a network coming up) are retried with backoff; the rest
// (port taken, no permission) need the user and leave the rule `failed`.
const RETRYABLE_AT_START = new Set<RuleErrorCode>([
  'ADDRESS_NOT_AVAILABLE',
  'TARGET_UNREACHABLE',
  'TARGET_TIMEOUT',
  'CONNECTION_RESET',
  'DNS_FAILED',
  // The data plane thread died under the start; a new one is started with the retry.
  'DATA_PLANE_STOPPED',
]);

/** A data plane that stopped again and again (or cannot start at all) is not retried by itself. */
function isFinal(e: EngineError): boolean {
  return e instanceof DataPlaneStoppedError && !e.restartable;
}

export const BACKOFF_MIN_MS = 500;
export const BACKOFF_MAX_MS = 30_000;

export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.max(0, attempt - 1));
  // ±20 % jitter so many rules that broke together do not retry in lock-step.
  return Math.round(base * (0.8 + 0.4 * random()));
}

export interface RunnerDeps {
  factory: TunnelFactory;
  log: LogBuffer;
  emitState(status: RuleStatus): void;
}

function toEngineError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  return new EngineError('INTERNAL', `Unexpected error: ${(err as Error)?.message ?? String(err)}`, err);
}

const OPENED = { kind: 'open' } as const;

/** One rule's life: the per-rule state machine, its tunnel, retries and counters. */
export class RuleRunner {
  status: RuleStatus;
  private tunnel: Tunnel | undefined;
  private generation = 0;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private carried: MeterSnapshot = { bytesIn: 0, bytesOut: 0, activeConnections: 0, totalConnections: 0 };
  private throttle = new Map<string, { at: number; suppressed: number }>();
  /**
   * The debug lines of this rule's connections (one per open and per close): at most
   * CONNECTION_LINES_PER_SECOND a second, the rest of a busy second in one line of counts. A busy
   * mapping (a browser through SOCKS, a load test) otherwise filled the 10,000-line log in seconds and
   * every other mapping's lines with it. Failures and refusals have their own throttle (logThrottled).
   */
  private readonly connectionLines = new LineBudget((h) =>
    this.deps.log.line('debug', 'connectionsSummed', { opened: h.opened, closed: h.closed, bytesIn: h.bytesIn, bytesOut: h.bytesOut, limit: CONNECTION_LINES_PER_SECOND }, { ruleId: this.rule.id }),
  );

  constructor(
    public rule: Rule,
    private readonly deps: RunnerDeps,
  ) {
    this.status = { id: rule.id, state: 'stopped', since: Date.now() };
  }

  get state(): RuleState {
    return this.status.state;
  }

  /** Desired on. Safe to call in any state. */
  async start(): Promise<void> {
    if (this.state === 'starting' || this.state === 'running') return;
    this.clearRetry();
    const gen = ++this.generation;
    this.transition('starting', {});
    const tunnel = this.deps.factory(this.rule, this.hooks(gen));
    let bound: string;
    try {
      bound = await tunnel.start();
    } catch (err) {
      if (gen !== this.generation) return;
      const e = toEngineError(err);
      if (RETRYABLE_AT_START.has(e.code) && !isFinal(e)) this.scheduleRetry(e);
      else {
        this.transition('failed', { error: this.problem(e) });
        this.deps.log.line('error', 'ruleError', { error: e.message }, { ruleId: this.rule.id, code: e.code });
      }
      return;
    }
    if (gen !== this.generation) {
      // Stopped (or restarted) while starting: this tunnel is no longer wanted.
      await tunnel.stop();
      return;
    }
    this.tunnel = tunnel;
    this.attempt = 0;
    this.boundAddress = bound;
    this.applyHealth();
  }

  private boundAddress: string | undefined;

  /** Maps the tunnel's health onto the state machine (SSH: the session reconnects by itself). */
  private applyHealth(): void {
    const t = this.tunnel;
    if (!t) return;
    const h = t.health?.() ?? { kind: 'up' as const };
    const id = this.rule.id;
    if (h.kind === 'up') {
      if (this.state === 'running') return;
      if (this.state === 'retrying') this.transition('starting', {});
      this.transition('running', { boundAddress: this.boundAddress });
      this.deps.log.line('info', 'listening', { address: this.boundAddress ?? '' }, { ruleId: id });
    } else if (h.kind === 'down') {
      const extra = { error: this.problem(h.error), ...(h.nextRetryAt ? { nextRetryAt: h.nextRetryAt } : {}), boundAddress: this.boundAddress };
      if (this.state === 'retrying') {
        this.status = { ...this.status, ...extra };
        this.deps.emitState(this.status);
      } else {
        this.transition('retrying', extra);
        this.deps.log.line('warn', 'ruleError', { error: h.error.message }, { ruleId: id, code: h.error.code });
      }
    } else {
      this.deps.log.line('error', 'ruleError', { error: h.error.message }, { ruleId: id, code: h.error.code });
      void this.dropTunnel().then(() => this.transition('failed', { error: this.problem(h.error) }));
    }
  }

  /** Desired off: closes everything and never comes back by itself. */
  async stop(): Promise<void> {
    this.generation++;
    this.clearRetry();
    await this.dropTunnel();
    if (this.state !== 'stopped') {
      this.transition('stopped', {});
      this.deps.log.line('info', 'stopped', {}, { ruleId: this.rule.id });
    }
  }

  async connections(): Promise<TunnelConnection[]> {
    return (await this.tunnel?.connections()) ?? [];
  }

  async closeConnection(id: number): Promise<boolean> {
    return (await this.tunnel?.closeConnection(id)) ?? false;
  }

  stats(): MeterSnapshot {
    const live = this.tunnel?.snapshot();
    return {
      bytesIn: this.carried.bytesIn + (live?.bytesIn ?? 0),
      bytesOut: this.carried.bytesOut + (live?.bytesOut ?? 0),
      activeConnections: live?.activeConnections ?? 0,
      totalConnections: this.carried.totalConnections + (live?.totalConnections ?? 0),
    };
  }

  private async dropTunnel(): Promise<void> {
    const t = this.tunnel;
    if (!t) return;
    this.tunnel = undefined;
    const s = t.snapshot();
    await t.stop();
    this.carried = {
      bytesIn: this.carried.bytesIn + s.bytesIn,
      bytesOut: this.carried.bytesOut + s.bytesOut,
      activeConnections: 0,
      totalConnections: this.carried.totalConnections + s.totalConnections,
    };
  }

  private scheduleRetry(e: EngineError): void {
    this.attempt++;
    const delay = backoffDelay(this.attempt);
    const nextRetryAt = Date.now() + delay;
    this.transition('retrying', { error: this.problem(e), nextRetryAt });
    this.deps.log.line('warn', 'retrying', { error: e.message, seconds: (delay / 1000).toFixed(1) }, { ruleId: this.rule.id, code: e.code });
    const gen = this.generation;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (gen === this.generation) void this.start();
    }, delay);
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private hooks(gen: number) {
    const current = () => gen === this.generation;
    return {
      connectionError: (err: EngineError, client: string) => {
        if (!current()) return;
        this.status = { ...this.status, lastConnectionError: this.problem(err) };
        this.deps.emitState(this.status);
        this.logThrottled(err.code, 'warn', 'connectionFailed', { client, error: err.message }, err.code);
      },
      refused: (client: string, reason: RefusalReason) => {
        if (!current()) return;
        const key = reason === 'not-allowed' ? 'refusedNotAllowed' : reason === 'max-connections' ? 'refusedMaxConnections' : 'refusedMaxSessions';
        // A burst of refusals (a scan, a flood past the cap) becomes one line per 10 s.
        this.logThrottled(`refused:${reason}`, 'warn', key, { client });
      },
      fatal: (err: EngineError) => {
        if (!current() || this.state !== 'running') return;
        this.deps.log.line('error', 'ruleError', { error: err.message }, { ruleId: this.rule.id, code: err.code });
        void this.dropTunnel().then(() => {
          if (current()) this.scheduleRetry(err);
        });
      },
      healthChanged: () => {
        if (current()) this.applyHealth();
      },
      boundChanged: (address: string) => {
        if (!current()) return;
        this.boundAddress = address;
        if (this.state === 'running') {
          this.status = { ...this.status, boundAddress: address };
          this.deps.emitState(this.status);
          this.deps.log.line('info', 'reachableAt', { address }, { ruleId: this.rule.id });
        }
      },
      connectionOpened: (client: string) => {
        if (current() && this.connectionLines.admit(OPENED)) this.deps.log.line('debug', 'connectionFrom', { client }, { ruleId: this.rule.id });
      },
      note: (message: string, line: LogLine, level: 'info' | 'warn' = 'info') => {
        if (current()) this.deps.log.said(level, message, line, { ruleId: this.rule.id });
      },
      connectionClosed: (client: string, bytesIn: number, bytesOut: number, durationMs: number) => {
        if (!current()) return;
        if (this.connectionLines.admit({ kind: 'close', bytesIn, bytesOut })) this.deps.log.line('debug', 'connectionClosed', { client, bytesIn, bytesOut, durationMs }, { ruleId: this.rule.id });
        // The target answered, so the last per-connection error no longer describes the rule.
        if (bytesOut > 0 && this.status.lastConnectionError) {
          const { lastConnectionError: _dropped, ...rest } = this.status;
          this.status = rest;
          this.deps.emitState(this.status);
        }
      },
    };
  }

  /** One log line per key per 10 s, with the count of what was suppressed in between (the `…More` code). */
  private logThrottled(key: string, level: 'warn' | 'error', line: ThrottledKey, fields: LogFields, code?: RuleErrorCode): void {
    const now = Date.now();
    const seen = this.throttle.get(key);
    if (seen && now - seen.at < 10_000) {
      seen.suppressed++;
      return;
    }
    const suppressed = seen ? seen.suppressed : 0;
    this.throttle.set(key, { at: now, suppressed: 0 });
    const extra = { ruleId: this.rule.id, ...(code ? { code } : {}) };
    if (suppressed > 0) this.deps.log.line(level, `${line}More`, { ...fields, suppressed }, extra);
    else this.deps.log.line(level, line, fields, extra);
  }

  private problem(e: EngineError): RuleProblem {
    return { code: e.code, message: e.message, at: Date.now() };
  }

  private transition(state: RuleState, extra: Partial<Omit<RuleStatus, 'id' | 'state' | 'since'>>): void {
    const from = this.status.state;
    if (!ALLOWED_TRANSITIONS[from].includes(state)) {
      this.deps.log.line('error', 'internalTransition', { from, to: state }, { ruleId: this.rule.id });
      return;
    }
    this.status = { id: this.rule.id, state, since: Date.now(), ...extra };
    this.deps.emitState(this.status);
  }
}
