import { t } from '../i18n/i18n';
import type { LogRing } from './log-ring';
import type { SearchRequest, SearchResponse } from './log-search-scan';

// A regular-expression search of the log, run in a worker so that no pattern can freeze the page: V8's
// regex engine backtracks, and `(a+)+$` against a line of forty `a`s and a `!` would run for ages. Each
// chunk of lines gets a time budget; a worker that overruns it is terminated and the search reports
// that the pattern is too slow. (Plain-text search stays on the page: a literal cannot backtrack.)

/** How long one chunk of lines may take in the worker before the pattern counts as too slow. */
export const SEARCH_BUDGET_MS = 1000;
/** How long the worker may take to load before regex search is given up. */
export const WORKER_START_MS = 10_000;
/** A chunk ends at whichever comes first; either keeps an honest pattern far inside the budget. */
const CHUNK_LINES = 5000;
const CHUNK_CHARS = 256 * 1024;

/** What log-search needs of a Worker (a fake one in tests). */
export interface SearchWorker {
  postMessage(request: SearchRequest): void;
  terminate(): void;
  onmessage: ((event: { data: SearchResponse }) => void) | null;
  onerror: ((event: { message?: string }) => void) | null;
}

/** The results a compiled log filter reads; `end` only grows, and `failure` is final. */
export interface LogSearchResults {
  readonly source: string;
  readonly flags: string;
  /** Every line below this id has been searched. */
  readonly end: number;
  /** Why the search was given up (shown in the UI language; the search is then left out). */
  readonly failure: string | undefined;
  has(id: number): boolean;
  /** [start, end, …] of the hits in line `id`'s message. */
  hitsOf(id: number): readonly number[] | undefined;
}

export interface LogSearchOptions {
  spawn: () => SearchWorker;
  /** Called whenever `end` or `failure` changed. */
  onChange: () => void;
  budgetMs?: number;
  startMs?: number;
}

export class LogSearch implements LogSearchResults {
  end = 0;
  failure: string | undefined;
  /** Matching ids in ascending order (Map/Set keep insertion order), so dropped lines go from the front. */
  private readonly matched = new Map<number, readonly number[]>();
  private worker: SearchWorker | undefined;
  private ready = false;
  private inFlight: { from: number; to: number } | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ring: LogRing | undefined;

  constructor(
    readonly source: string,
    readonly flags: string,
    private readonly opts: LogSearchOptions,
  ) {}

  has(id: number): boolean {
    return this.matched.has(id);
  }

  hitsOf(id: number): readonly number[] | undefined {
    return this.matched.get(id);
  }

  /** Searches whatever the ring holds beyond `end`, a chunk at a time; call again when lines arrive. */
  feed(ring: LogRing): void {
    if (this.failure !== undefined) return;
    this.ring = ring;
    for (const id of this.matched.keys()) {
      if (id >= ring.firstId) break;
      this.matched.delete(id);
    }
    if (this.end < ring.firstId) this.end = ring.firstId;
    if (!this.worker) this.start();
    else this.next();
  }

  /** Ends the worker (a search still running is killed). A later feed() starts over from the ring's first line. */
  stop(): void {
    this.stopWorker();
    this.ready = false;
    this.end = 0;
    this.matched.clear();
  }

  private start(): void {
    let worker: SearchWorker;
    try {
      worker = this.opts.spawn();
    } catch (err) {
      this.fail(t('logs.filter.noWorker', { reason: err instanceof Error ? err.message : String(err) }));
      return;
    }
    this.worker = worker;
    worker.onmessage = (e) => this.onMessage(e.data);
    worker.onerror = (e) => this.fail(t('logs.filter.noWorker', { reason: e.message || t('logs.filter.workerError') }));
    this.arm(this.opts.startMs ?? WORKER_START_MS, () => this.fail(t('logs.filter.noWorker', { reason: t('logs.filter.workerSilent') })));
  }

  private next(): void {
    const ring = this.ring;
    if (!ring || !this.worker || !this.ready || this.inFlight || this.end >= ring.endId) return;
    const from = Math.max(this.end, ring.firstId);
    const texts: string[] = [];
    const codes: string[] = [];
    let chars = 0;
    let id = from;
    for (; id < ring.endId && texts.length < CHUNK_LINES && chars < CHUNK_CHARS; id++) {
      const text = ring.messageOf(id);
      texts.push(text);
      codes.push(ring.codeOf(id) ?? '');
      chars += text.length;
    }
    this.inFlight = { from, to: id };
    const budget = this.opts.budgetMs ?? SEARCH_BUDGET_MS;
    this.arm(budget, () => this.fail(t('logs.filter.tooSlow', { ms: budget })));
    this.worker.postMessage({ source: this.source, flags: this.flags, texts, codes });
  }

  private onMessage(res: SearchResponse): void {
    if (this.failure !== undefined) return;
    if (res.kind === 'ready') {
      this.disarm();
      this.ready = true;
      this.next();
      return;
    }
    if (res.kind === 'error') {
      this.fail(t('logs.filter.invalidRegex', { reason: res.message }));
      return;
    }
    const chunk = this.inFlight;
    if (!chunk) return;
    this.disarm();
    this.inFlight = undefined;
    res.matched.forEach((index, i) => this.matched.set(chunk.from + index, res.hits[i] ?? []));
    this.end = chunk.to;
    this.opts.onChange();
    this.next();
  }

  private fail(message: string): void {
    if (this.failure !== undefined) return;
    this.failure = message;
    this.matched.clear();
    this.stopWorker();
    this.opts.onChange();
  }

  private stopWorker(): void {
    this.disarm();
    this.inFlight = undefined;
    if (this.worker) {
      this.worker.onmessage = null;
      this.worker.onerror = null;
      // The only way to stop a regex that is still running: end its thread.
      this.worker.terminate();
      this.worker = undefined;
    }
  }

  private arm(ms: number, onExpiry: () => void): void {
    this.disarm();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      onExpiry();
    }, ms);
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** The real worker: a module file Vite bundles and emits beside the app (the CSP allows 'self' only). */
export function spawnSearchWorker(): SearchWorker {
  return new Worker(new URL('./log-search.worker.ts', import.meta.url), { type: 'module', name: 'log-search' }) as unknown as SearchWorker;
}
