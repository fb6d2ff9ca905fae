import type { RuleState, RuleStatus } from '../../src-shared/model/status';

// Which rule transitions are worth a desktop notification. Pure (clock injected): notifications.ts
// feeds it 'rule-state' events and shows what comes out. frp-notify #31 is the cautionary tale: a
// toast on every reconnect teaches people to switch notifications off.

export type Notice =
  | { kind: 'failed'; ruleId: string; message: string }
  | { kind: 'recovered'; ruleId: string; downForMs: number }
  /** Several rules failed at once; `replaces` were already shown one by one (the glue may close them). */
  | { kind: 'summary'; ruleIds: string[]; replaces: string[] };

export interface NotifyPolicyOptions {
  now?: () => number;
  /** A recovery is news only after trouble that lasted this long. */
  recoverAfterMs?: number;
  /** At most one notification per rule in this window; the latest suppressed one follows after it. */
  perRuleMs?: number;
  /** This many failures within burstMs become one summary. */
  burstCount?: number;
  burstMs?: number;
  /** How long a user toggle marks a rule's following transitions as the user's own. */
  userMarkMs?: number;
}

interface Track {
  state: RuleState;
  troubleSince?: number;
  lastAt?: number;
  lastKind?: 'failed' | 'recovered';
  pending?: Notice & { kind: 'failed' | 'recovered' };
  userUntil?: number;
}

export class NotifyPolicy {
  private readonly now: () => number;
  private readonly o: Required<Omit<NotifyPolicyOptions, 'now'>>;
  private readonly tracks = new Map<string, Track>();
  private failures: Array<{ ruleId: string; at: number; shown: boolean }> = [];
  private burstUntil = 0;

  constructor(opts: NotifyPolicyOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.o = {
      recoverAfterMs: opts.recoverAfterMs ?? 10_000,
      perRuleMs: opts.perRuleMs ?? 60_000,
      burstCount: opts.burstCount ?? 3,
      burstMs: opts.burstMs ?? 5_000,
      userMarkMs: opts.userMarkMs ?? 30_000,
    };
  }

  /** The user just switched or edited this rule: what follows is their doing, not news. */
  userInitiated(ruleId: string): void {
    const t = this.track(ruleId);
    t.userUntil = this.now() + this.o.userMarkMs;
    t.troubleSince = undefined;
    t.pending = undefined;
  }

  forget(ruleId: string): void {
    this.tracks.delete(ruleId);
  }

  observe(status: RuleStatus): Notice[] {
    const now = this.now();
    const t = this.track(status.id);
    const prev = t.state;
    t.state = status.state;
    const byUser = t.userUntil !== undefined && now < t.userUntil;
    if (status.state === 'running' || status.state === 'stopped' || status.state === 'failed') t.userUntil = undefined;
    if (status.state === prev) return [];

    switch (status.state) {
      case 'retrying':
        t.troubleSince ??= now;
        return [];
      case 'failed': {
        t.troubleSince ??= now;
        return this.failed(status.id, t, status.error?.message ?? 'Stopped after an error', now);
      }
      case 'running': {
        const since = t.troubleSince;
        t.troubleSince = undefined;
        if (byUser || since === undefined || now - since < this.o.recoverAfterMs) return [];
        return this.offer(t, { kind: 'recovered', ruleId: status.id, downForMs: now - since }, now);
      }
      case 'stopped':
        t.troubleSince = undefined;
        t.pending = undefined;
        return [];
      case 'starting':
        return [];
    }
  }

  /** Suppressed notices whose per-rule window has passed and that still tell the user something new. */
  due(): Notice[] {
    const now = this.now();
    const out: Notice[] = [];
    for (const t of this.tracks.values()) {
      const p = t.pending;
      if (!p || (t.lastAt !== undefined && now - t.lastAt < this.o.perRuleMs)) continue;
      t.pending = undefined;
      const stillTrue = p.kind === 'failed' ? t.state === 'failed' : t.state === 'running';
      if (stillTrue && p.kind !== t.lastKind) out.push(this.mark(t, p, now));
    }
    return out;
  }

  private failed(ruleId: string, t: Track, message: string, now: number): Notice[] {
    this.failures = this.failures.filter((f) => now - f.at < this.o.burstMs && f.ruleId !== ruleId);
    const entry = { ruleId, at: now, shown: false };
    this.failures.push(entry);
    if (now < this.burstUntil) {
      // Already summarised: fold this one in quietly.
      this.burstUntil = now + this.o.burstMs;
      this.mark(t, { kind: 'failed', ruleId, message }, now);
      return [];
    }
    if (this.failures.length >= this.o.burstCount) {
      this.burstUntil = now + this.o.burstMs;
      for (const f of this.failures) {
        const ft = this.track(f.ruleId);
        ft.pending = undefined;
        ft.lastAt = now;
        ft.lastKind = 'failed';
      }
      const replaces = this.failures.filter((f) => f.shown).map((f) => f.ruleId);
      return [{ kind: 'summary', ruleIds: this.failures.map((f) => f.ruleId), replaces }];
    }
    const out = this.offer(t, { kind: 'failed', ruleId, message }, now);
    entry.shown = out.length > 0;
    return out;
  }

  private offer(t: Track, n: Notice & { kind: 'failed' | 'recovered' }, now: number): Notice[] {
    if (t.lastAt !== undefined && now - t.lastAt < this.o.perRuleMs) {
      t.pending = n;
      return [];
    }
    t.pending = undefined;
    return [this.mark(t, n, now)];
  }

  private mark(t: Track, n: Notice & { kind: 'failed' | 'recovered' }, now: number): Notice {
    t.lastAt = now;
    t.lastKind = n.kind;
    return n;
  }

  private track(ruleId: string): Track {
    let t = this.tracks.get(ruleId);
    if (!t) {
      t = { state: 'stopped' };
      this.tracks.set(ruleId, t);
    }
    return t;
  }
}

/**
 * Rules the user just switched or edited (any saved field changed), and rules that are gone, from two
 * consecutive 'rules-changed' lists: the glue marks the first userInitiated and forgets the second.
 */
export function diffRules<R extends { id: string }>(before: readonly R[], after: readonly R[]): { touched: string[]; removed: string[] } {
  const prev = new Map(before.map((r) => [r.id, JSON.stringify(r)]));
  const touched = after.filter((r) => prev.has(r.id) && prev.get(r.id) !== JSON.stringify(r)).map((r) => r.id);
  const ids = new Set(after.map((r) => r.id));
  return { touched, removed: before.filter((r) => !ids.has(r.id)).map((r) => r.id) };
}
