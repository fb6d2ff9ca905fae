import type { SecretStore } from '../store/secret-store';
import { SecretBatch } from '../store/secret-batch';
import { couldNotSave, withUndoFailures } from './service-error';

// Saved servers and relays changed many at once (an import, its undo). The store rewrites its whole
// file on every write, so a write per server costs O(n²) for an import of n; a batch checks each change
// as it is staged, against the saved list with the batch's earlier changes over it, and writes the
// list once. Each write can be taken back, so a failure part-way leaves nothing half-saved.

/** A staged write that can be taken back once it is written. */
export interface Step {
  /** Writes what was staged (nothing staged: writes nothing); throws, having written nothing, if that fails. */
  commit(): void;
  /** Puts back what commit wrote over, in one write (nothing if commit wrote nothing). */
  undo(): void;
}

/** One saved list of the store (servers or relays). */
export interface ListStore<T> {
  /** The file it is saved in, named when a write fails. */
  readonly path: string;
  list(): T[];
  /** Drops `removed` and adds or replaces `put` (by id, keeping list order), in one write. */
  putMany(put: readonly T[], removed: readonly string[]): void;
}

/**
 * A saved list as a batch leaves it so far: read when first needed, changed in memory as changes are
 * staged, written in one write. Stage and commit without awaiting anything in between.
 */
export class StagedList<T extends { id: string }> implements Step {
  private saved: Map<string, T> | undefined;
  private view: Map<string, T> | undefined;
  private readonly staged = new Map<string, T>();
  private readonly removed = new Set<string>();
  private isWritten = false;

  /** `onWritten` hears of each write and undo, with the ids it changed that were saved before (neither new nor removed). */
  constructor(
    private readonly store: ListStore<T>,
    private readonly onWritten: (updated: string[]) => void,
  ) {}

  get(id: string): T | undefined {
    return this.current().get(id);
  }

  values(): IterableIterator<T> {
    return this.current().values();
  }

  /** Adds an item, or replaces the one with its id in its place. */
  put(item: T): void {
    this.current().set(item.id, item);
    this.staged.set(item.id, item);
    this.removed.delete(item.id);
  }

  delete(id: string): void {
    this.current().delete(id);
    this.staged.delete(id);
    if (this.saved!.has(id)) this.removed.add(id);
  }

  commit(): void {
    if (this.staged.size === 0 && this.removed.size === 0) return;
    this.write([...this.staged.values()], [...this.removed]);
    this.isWritten = true;
    this.onWritten(this.updated());
  }

  /** A removed item comes back at the end of the list. */
  undo(): void {
    if (!this.isWritten) return;
    const saved = this.saved!;
    const created = [...this.staged.keys()].filter((id) => !saved.has(id));
    const before = [...this.staged.keys(), ...this.removed].flatMap((id) => saved.get(id) ?? []);
    this.write(before, created);
    this.isWritten = false;
    this.onWritten(this.updated());
  }

  private updated(): string[] {
    return [...this.staged.keys()].filter((id) => this.saved!.has(id));
  }

  private write(put: T[], removed: string[]): void {
    try {
      this.store.putMany(put, removed);
    } catch (err) {
      throw couldNotSave(this.store.path, err);
    }
  }

  private current(): Map<string, T> {
    if (!this.view) {
      this.saved = new Map(this.store.list().map((x) => [x.id, x]));
      this.view = new Map(this.saved);
    }
    return this.view;
  }
}

/** Steps written one after another, so that a failure part-way can put back those already written. */
export class Writes {
  private readonly done: Step[] = [];

  commit(step: Step): void {
    step.commit();
    this.done.push(step);
  }

  /**
   * Undoes the steps written, newest first, each even when one before it failed; returns `err` with
   * the failures of undoing (`failures` already met, then these) added to its message.
   */
  undoAll(err: unknown, failures: unknown[], what: string): unknown {
    for (const step of this.done.splice(0).reverse()) {
      try {
        step.undo();
      } catch (e) {
        failures.push(e);
      }
    }
    return withUndoFailures(err, failures, what);
  }
}

/** Commits the steps in order, all or none: when one fails, those written are undone and its error is thrown (see Writes.undoAll). */
export function commitAll(steps: readonly Step[], what: string): void {
  const writes = new Writes();
  try {
    for (const step of steps) writes.commit(step);
  } catch (err) {
    throw writes.undoAll(err, [], what);
  }
}

/** A single change as a batch of one: its secrets are written, then its list; if the list cannot be, the secrets are put back. */
export function saveAlone<B extends Step, T>(secrets: SecretStore, batch: (secrets: SecretBatch) => B, change: (batch: B) => T): T {
  const staged = new SecretBatch(secrets);
  const b = batch(staged);
  const out = change(b);
  commitAll([staged, b], 'the partial change');
  return out;
}
