import { RING_PER_MAPPING, STORE_MAX_BYTES } from '../../src-shared/model/inspector';
import type { KeptBody } from './body-collector';
import type { CapturedExchange } from './http-capture';

// Recorded exchanges: a ring per mapping (the last N), and a cap on bytes across all mappings; when
// either is over, the oldest exchanges go — the mapping's own for its ring, the oldest of all for bytes.

export interface StoredExchange {
  id: number;
  ruleId: string;
  x: CapturedExchange;
  /** What the exchange holds (heads, kept bodies, a fixed overhead), for the byte cap. */
  size: number;
  replayOf?: number;
  target?: string;
  /** Set once it left the store (limits, clear, or its body bytes were overwritten in the arena). */
  gone?: boolean;
}

/** A fixed allowance per record for the objects around the bytes. */
const OVERHEAD = 512;

function sizeOf(x: CapturedExchange): number {
  let n = OVERHEAD + x.requestHeadBytes + x.target.length + x.requestBody.length;
  if (x.response) n += x.response.headBytes + x.response.body.length;
  return n;
}

/**
 * A queue with O(1) push and shift (an array with a moving head, compacted now and then). An exchange
 * removed from the middle (its body overwritten) stays as a `gone` entry until the head passes it.
 */
class Ring {
  items: StoredExchange[] = [];
  head = 0;
  /** Entries not gone. */
  length = 0;

  first(): StoredExchange | undefined {
    this.skipGone();
    return this.items[this.head];
  }

  push(e: StoredExchange): void {
    this.items.push(e);
    this.length++;
  }

  shift(): StoredExchange | undefined {
    this.skipGone();
    const e = this.items[this.head];
    if (e === undefined) return undefined;
    this.items[this.head++] = undefined as unknown as StoredExchange;
    this.length--;
    this.compact();
    return e;
  }

  all(): StoredExchange[] {
    return this.items.slice(this.head).filter((e) => !e.gone);
  }

  private skipGone(): void {
    while (this.items[this.head]?.gone) this.items[this.head++] = undefined as unknown as StoredExchange;
    this.compact();
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

export interface ExchangeStoreOptions {
  perMapping?: number;
  maxBytes?: number;
}

export class ExchangeStore {
  private readonly rings = new Map<string, Ring>();
  private readonly byId = new Map<number, StoredExchange>();
  private bytes = 0;
  private nextId = 1;
  /** Exchanges pushed out by the limits since the start (for the UI's "older ones were dropped"). */
  dropped = 0;
  private readonly perMapping: number;
  private readonly maxBytes: number;

  constructor(opts: ExchangeStoreOptions = {}) {
    this.perMapping = opts.perMapping ?? RING_PER_MAPPING;
    this.maxBytes = opts.maxBytes ?? STORE_MAX_BYTES;
  }

  get size(): number {
    return this.byId.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  countFor(ruleId: string): number {
    return this.rings.get(ruleId)?.length ?? 0;
  }

  add(ruleId: string, x: CapturedExchange, extra: { replayOf?: number; target?: string } = {}): StoredExchange {
    const e: StoredExchange = { id: this.nextId++, ruleId, x, size: sizeOf(x), ...extra };
    // Bytes overwritten in the arena take their exchange with them (it is among the oldest anyway).
    x.requestBody.owner = e;
    x.requestBody.onLost = this.onBodyLost;
    if (x.response) {
      x.response.body.owner = e;
      x.response.body.onLost = this.onBodyLost;
    }
    let ring = this.rings.get(ruleId);
    if (!ring) this.rings.set(ruleId, (ring = new Ring()));
    ring.push(e);
    this.byId.set(e.id, e);
    this.bytes += e.size;
    while (ring.length > this.perMapping) this.drop(ring);
    while (this.bytes > this.maxBytes && this.byId.size > 1) {
      const oldest = this.oldestRing();
      if (!oldest) break;
      this.drop(oldest);
    }
    return e;
  }

  get(id: number): StoredExchange | undefined {
    return this.byId.get(id);
  }

  /** Oldest first; only a mapping's when ruleId is given, only ids above afterId, at most the last `limit`. */
  list(q: { ruleId?: string; afterId?: number; limit: number }): StoredExchange[] {
    const rings = q.ruleId !== undefined ? [this.rings.get(q.ruleId)].filter((r): r is Ring => r !== undefined) : [...this.rings.values()];
    let out = rings.flatMap((r) => r.all());
    if (rings.length > 1) out.sort((a, b) => a.id - b.id);
    if (q.afterId !== undefined) out = out.filter((e) => e.id > q.afterId!);
    return out.length > q.limit ? out.slice(out.length - q.limit) : out;
  }

  clear(ruleId?: string): void {
    for (const [id, ring] of this.rings) {
      if (ruleId !== undefined && id !== ruleId) continue;
      for (const e of ring.all()) this.forget(e);
      this.rings.delete(id);
    }
  }

  /** Forgets the exchanges of mappings that no longer exist. */
  retain(ruleIds: ReadonlySet<string>): void {
    for (const id of [...this.rings.keys()]) if (!ruleIds.has(id)) this.clear(id);
  }

  private drop(ring: Ring): void {
    const e = ring.shift();
    if (!e) return;
    this.forget(e);
    this.dropped++;
  }

  // One function for every body (no closure per exchange).
  private readonly onBodyLost = (body: KeptBody): void => this.remove(body.owner as StoredExchange);

  private remove(e: StoredExchange): void {
    if (e.gone) return;
    const ring = this.rings.get(e.ruleId);
    if (ring) ring.length--;
    this.forget(e);
    this.dropped++;
  }

  private forget(e: StoredExchange): void {
    if (e.gone) return;
    e.gone = true;
    this.byId.delete(e.id);
    this.bytes -= e.size;
    e.x.requestBody.onLost = undefined;
    if (e.x.response) e.x.response.body.onLost = undefined;
  }

  private oldestRing(): Ring | undefined {
    let best: Ring | undefined;
    for (const r of this.rings.values()) {
      const f = r.first();
      if (f && (!best || f.id < best.first()!.id)) best = r;
    }
    return best;
  }
}
