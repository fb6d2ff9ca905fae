import { randomUUID } from 'node:crypto';
import { formatHostPort, listenEndpointsCollide } from '../../src-shared/format/address';
import { type Rule, type RuleDraftParsed, ruleListenEndpoint } from '../../src-shared/model/rule';
import type { RuleRunner } from './rule-runner';
import { ServiceError } from './service-error';

// Saving rules one at a time rewrites the whole store file per rule (O(n²) for an import of n) and
// sends the renderer n full lists. A batch checks each change as it is staged — against the saved
// rules with the batch's earlier changes over them, so the first failure and its message are the
// ones the same calls one at a time would give — then saves everything in one write and announces
// it in one rules-changed.

export function mappingNotFound(id: string): ServiceError {
  return new ServiceError('NOT_FOUND', `No mapping with id ${id} — it may have been deleted elsewhere`);
}

function assertNoListenConflict(other: Rule | undefined): void {
  const theirs = other && ruleListenEndpoint(other);
  if (!other || !theirs) return;
  const where = formatHostPort(theirs.host, theirs.port);
  throw new ServiceError('CONFLICT', `The mapping "${other.name}" already listens on ${where}`, [
    { path: 'listen.port', message: `already used by "${other.name}" (${where}) — choose another port` },
  ]);
}

/** Where a listen endpoint is indexed: endpoints collide only on the same protocol and port. */
export function listenKey(ep: { protocol: string; port: number }): string {
  return `${ep.protocol}:${ep.port}`;
}

/**
 * Rules by where they listen (protocol and port: endpoints collide only on the same port) with their
 * place in the list, so n checks (a batch, an import preview) cost O(n), not O(n²), and still name the
 * first holder.
 */
export class ListenIndex {
  private readonly buckets = new Map<string, Map<string, Rule>>();
  private readonly bucketOf = new Map<string, string>();
  private readonly place = new Map<string, number>();
  private next = 0;

  constructor(rules: Iterable<Rule>) {
    for (const rule of rules) this.set(rule);
  }

  has(id: string): boolean {
    return this.place.has(id);
  }

  /** Adds a rule at the end of the list, or replaces the one with its id in its place. */
  set(rule: Rule): void {
    if (!this.place.has(rule.id)) this.place.set(rule.id, this.next++);
    this.unlisten(rule.id);
    const ep = ruleListenEndpoint(rule);
    if (!ep) return;
    const key = listenKey(ep);
    const bucket = this.buckets.get(key) ?? this.buckets.set(key, new Map()).get(key)!;
    bucket.set(rule.id, rule);
    this.bucketOf.set(rule.id, key);
  }

  delete(id: string): void {
    this.unlisten(id);
    this.place.delete(id);
  }

  /** The first indexed rule (other than `selfId`) already listening where `draft` would, if any. */
  conflict(draft: RuleDraftParsed, selfId: string | undefined): Rule | undefined {
    const mine = ruleListenEndpoint(draft);
    if (!mine) return undefined;
    let first: Rule | undefined;
    for (const other of this.buckets.get(listenKey(mine))?.values() ?? []) {
      if (other.id === selfId || (first && this.place.get(first.id)! < this.place.get(other.id)!)) continue;
      if (listenEndpointsCollide(mine, ruleListenEndpoint(other)!)) first = other;
    }
    return first;
  }

  private unlisten(id: string): void {
    const key = this.bucketOf.get(id);
    if (key === undefined) return;
    this.buckets.get(key)!.delete(id);
    this.bucketOf.delete(id);
  }
}

/** What a rule connects (everything but its name, notes, tags, group and on/off state): a change restarts it. */
function wiring(rule: Rule): Omit<Rule, 'name' | 'notes' | 'tags' | 'group' | 'enabled' | 'autoStart'> {
  const { name: _name, notes: _notes, tags: _tags, group: _group, enabled: _enabled, autoStart: _autoStart, ...rest } = rule;
  return rest;
}

/** Stops, restarts or starts a saved rule's runner after its rule changed from `before` (undefined: it is new). */
export async function followRule(runner: RuleRunner, before: Rule | undefined, run: (r: RuleRunner) => Promise<void>): Promise<void> {
  const rule = runner.rule;
  if (!rule.enabled) await runner.stop();
  else if (before && runner.state !== 'stopped' && JSON.stringify(wiring(before)) !== JSON.stringify(wiring(rule))) {
    await runner.stop();
    await run(runner);
  } else if (runner.state === 'stopped' || runner.state === 'failed') await run(runner);
}

/** What a batch saves: rules to add or replace (new ones in the order staged), and ids to drop. */
export interface RuleChanges {
  put: Rule[];
  removed: string[];
}

export interface BatchHost {
  /** The saved rules as they are now, in list order. */
  saved(): Iterable<Rule>;
  /** The checks of a single create or update besides the listen address (the server or relay it names exists). */
  checkRefs(draft: RuleDraftParsed): void;
  /** Goes up with every change to the saved rules. */
  revision(): number;
  /**
   * Writes the changes at once and throws if that fails, having changed nothing; otherwise returns
   * the stopping and starting of the rules concerned.
   */
  save(changes: RuleChanges): Promise<void>;
}

/** Rule changes staged to be saved together; stage and commit without awaiting anything in between. */
export class RuleBatch {
  private readonly staged = new Map<string, Rule>();
  private readonly created = new Set<string>();
  private readonly removed = new Set<string>();
  private readonly startedAt: number;
  private committed = false;
  private index: ListenIndex | undefined;
  /** True once the batch's write succeeded: its rules are in the store, whatever happens to them after. */
  saved = false;

  constructor(private readonly host: BatchHost) {
    this.startedAt = host.revision();
  }

  create(draft: RuleDraftParsed): Rule {
    assertNoListenConflict(this.view().conflict(draft, undefined));
    this.host.checkRefs(draft);
    const rule: Rule = { ...draft, id: randomUUID() };
    this.staged.set(rule.id, rule);
    this.created.add(rule.id);
    this.view().set(rule);
    return rule;
  }

  update(id: string, draft: RuleDraftParsed): Rule {
    this.require(id);
    assertNoListenConflict(this.view().conflict(draft, id));
    this.host.checkRefs(draft);
    const rule: Rule = { ...draft, id };
    this.staged.set(id, rule);
    this.view().set(rule);
    return rule;
  }

  remove(id: string): void {
    this.require(id);
    this.staged.delete(id);
    if (!this.created.delete(id)) this.removed.add(id);
    this.view().delete(id);
  }

  /** Saves what was staged in one write, then stops and starts the rules it changed. */
  async commit(): Promise<void> {
    if (this.committed) throw new Error('This batch of mapping changes was already committed');
    this.committed = true;
    // The checks above saw the rules as they were then; anything saved since could collide unseen.
    if (this.host.revision() !== this.startedAt) throw new ServiceError('CONFLICT', 'The mappings changed while these changes were being made — try again');
    if (this.staged.size === 0 && this.removed.size === 0) return;
    const settled = this.host.save({ put: [...this.staged.values()], removed: [...this.removed] });
    this.saved = true;
    await settled;
  }

  private require(id: string): void {
    if (!this.view().has(id)) throw mappingNotFound(id);
  }

  /** The saved rules as this batch would leave them so far, read when first needed. */
  private view(): ListenIndex {
    return (this.index ??= new ListenIndex(this.host.saved()));
  }
}
