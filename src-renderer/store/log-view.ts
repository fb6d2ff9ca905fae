import type { LogRing } from '../lib/log-ring';
import type { CompiledLogFilter } from './log-filter';

/**
 * The ids of the lines that pass one filter, oldest first, kept up to date incrementally: new lines
 * are tested once as they arrive and dropped lines are cut from the front, so a batch costs its own
 * size, not the ring's. A new filter means a new view (one full pass over the ring).
 */
export class LogView {
  private ids = new Float64Array(1024);
  private head = 0;
  private tail = 0;
  /** Every line below this id has been tested. */
  private scanned = 0;

  constructor(readonly filter: CompiledLogFilter) {}

  get count(): number {
    return this.tail - this.head;
  }

  /** The id of the i-th matching line (0 = oldest). */
  idAt(i: number): number {
    return this.ids[this.head + i]!;
  }

  /** How many matching lines have an id below `id` — the position `id` would take. */
  countBelow(id: number): number {
    let lo = this.head;
    let hi = this.tail;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ids[mid]! < id) lo = mid + 1;
      else hi = mid;
    }
    return lo - this.head;
  }

  /** Index of line `id` in the view, or -1. */
  indexOf(id: number): number {
    const i = this.countBelow(id);
    return i < this.count && this.idAt(i) === id ? i : -1;
  }

  /** Catches up with the ring (as far as the filter can decide): forgets dropped lines, tests the new ones. Cheap when nothing changed. */
  sync(ring: LogRing): void {
    const first = ring.firstId;
    if (this.count > 0 && this.ids[this.head]! < first) this.head += this.countBelow(first);
    if (this.scanned < first) this.scanned = first;
    // Lines a worker has not searched yet are left for a later sync, not counted as misses.
    const end = Math.max(this.scanned, Math.min(ring.endId, this.filter.decidedBelow?.() ?? Infinity));
    const { filter } = this;
    for (let id = this.scanned; id < end; id++) if (filter.matches(ring, id)) this.append(id);
    this.scanned = end;
  }

  private append(id: number): void {
    if (this.tail === this.ids.length) {
      // Reuse the dropped front before growing.
      const live = this.ids.subarray(this.head, this.tail);
      const next = this.count * 2 > this.ids.length ? new Float64Array(this.ids.length * 2) : this.ids;
      next.set(live, 0);
      this.ids = next;
      this.tail -= this.head;
      this.head = 0;
    }
    this.ids[this.tail++] = id;
  }
}
