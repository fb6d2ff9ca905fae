import { LOG_LEVELS, type LogEntry, type LogLevel } from '../../src-shared/model/log';
import type { RuleErrorCode } from '../../src-shared/model/errors';

/** A line's text in the UI language, or undefined to show its (English) message. */
export type LineTranslator = (e: Pick<LogEntry, 'key' | 'fields' | 'code' | 'message' | 'inner'>) => string | undefined;


/**
 * The renderer's log: the newest `capacity` lines, stored column by column (typed arrays for the
 * numbers, one interned table for rule ids and codes) instead of one object per line — a 100,000-line
 * buffer then costs the message strings and little else. Every line gets an id, counted from the first
 * line ever pushed, so a filtered view can keep pointing at lines while the oldest are dropped.
 * Mutable on purpose: the store wraps it in a versioned object.
 *
 * A line with a code (LogEntry.key) also keeps its code and fields, and its text in the UI language
 * while that is not English: `messageOf` is what is shown and searched, `englishOf` what is exported.
 */
export class LogRing {
  readonly capacity: number;
  private readonly seqs: Float64Array;
  private readonly times: Float64Array;
  private readonly levels: Uint8Array;
  /** Index into `names`: 0 means none. */
  private readonly rules: Uint32Array;
  private readonly codes: Uint32Array;
  private readonly messages: (string | undefined)[];
  /** Interned like rules and codes (0: none); fields as the host sent them, only on lines with a code. */
  private readonly keys: Uint32Array;
  private readonly ruleNames: Uint32Array;
  private readonly fields: (LogEntry['fields'] | undefined)[];
  /** The line a wrapping line wraps (a relay agent's own words after the relay's name); rare, so a sparse column. */
  private readonly inners: (LogEntry['inner'] | undefined)[];
  private readonly shown: (string | undefined)[];
  private translator: LineTranslator | undefined;
  private readonly names: string[] = [''];
  private readonly nameIndex = new Map<string, number>();
  private readonly perLevel = [0, 0, 0, 0];
  private total = 0;
  private count = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`log ring capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.seqs = new Float64Array(capacity);
    this.times = new Float64Array(capacity);
    this.levels = new Uint8Array(capacity);
    this.rules = new Uint32Array(capacity);
    this.codes = new Uint32Array(capacity);
    this.messages = new Array<string | undefined>(capacity);
    this.keys = new Uint32Array(capacity);
    this.ruleNames = new Uint32Array(capacity);
    this.fields = new Array<LogEntry['fields'] | undefined>(capacity);
    this.inners = new Array<LogEntry['inner'] | undefined>(capacity);
    this.shown = new Array<string | undefined>(capacity);
  }

  /** Shows lines in another language from now on, those kept included. */
  setTranslator(translator: LineTranslator | undefined): void {
    this.translator = translator;
    for (let id = this.firstId; id < this.total; id++) this.translate(id % this.capacity);
  }

  private translate(slot: number): void {
    const key = this.nameAt(this.keys, slot);
    const message = this.messages[slot];
    this.shown[slot] =
      key && this.translator && message !== undefined
        ? this.translator({ key: key as LogEntry['key'], fields: this.fields[slot], message, code: this.nameAt(this.codes, slot) as RuleErrorCode | undefined, inner: this.inners[slot] })
        : undefined;
  }

  private nameAt(column: Uint32Array, slot: number): string | undefined {
    const n = column[slot]!;
    return n === 0 ? undefined : this.names[n];
  }

  get size(): number {
    return this.count;
  }

  /** Id of the oldest line kept. */
  get firstId(): number {
    return this.total - this.count;
  }

  /** Id the next line will get (one past the newest). */
  get endId(): number {
    return this.total;
  }

  /** Lines of each level currently kept, in LOG_LEVELS order. */
  levelCounts(): readonly number[] {
    return this.perLevel;
  }

  push(e: LogEntry): number {
    const id = this.total;
    const slot = id % this.capacity;
    if (this.count === this.capacity) this.perLevel[this.levels[slot]!]!--;
    else this.count++;
    const level = Math.max(0, LOG_LEVELS.indexOf(e.level));
    this.seqs[slot] = e.seq;
    this.times[slot] = e.ts;
    this.levels[slot] = level;
    this.rules[slot] = e.ruleId ? this.intern(e.ruleId) : 0;
    this.codes[slot] = e.code ? this.intern(e.code) : 0;
    this.messages[slot] = e.message;
    this.keys[slot] = e.key ? this.intern(e.key) : 0;
    this.ruleNames[slot] = e.ruleName ? this.intern(e.ruleName) : 0;
    this.fields[slot] = e.key ? e.fields : undefined;
    this.inners[slot] = e.key ? e.inner : undefined;
    this.translate(slot);
    this.perLevel[level]!++;
    this.total++;
    return id;
  }

  has(id: number): boolean {
    return id >= this.firstId && id < this.total;
  }

  levelOf(id: number): LogLevel {
    return LOG_LEVELS[this.levels[id % this.capacity]!] ?? 'info';
  }

  /** The level as its index in LOG_LEVELS (cheaper to compare in a filter loop). */
  levelIndexOf(id: number): number {
    return this.levels[id % this.capacity]!;
  }

  ruleOf(id: number): string | undefined {
    const n = this.rules[id % this.capacity]!;
    return n === 0 ? undefined : this.names[n];
  }

  codeOf(id: number): string | undefined {
    const n = this.codes[id % this.capacity]!;
    return n === 0 ? undefined : this.names[n];
  }

  /** The line as shown: in the UI language when it has a code, else the host's message. */
  messageOf(id: number): string {
    const slot = id % this.capacity;
    return this.shown[slot] ?? this.messages[slot] ?? '';
  }

  /** The host's English message (copied and exported lines keep it). */
  englishOf(id: number): string {
    return this.messages[id % this.capacity] ?? '';
  }

  /** The mapping's name as the line was written (it may be gone since). */
  ruleNameOf(id: number): string | undefined {
    return this.nameAt(this.ruleNames, id % this.capacity);
  }

  tsOf(id: number): number {
    return this.times[id % this.capacity]!;
  }

  /** The line as an object, or undefined once it was dropped. */
  get(id: number): LogEntry | undefined {
    if (!this.has(id)) return undefined;
    const slot = id % this.capacity;
    const e: LogEntry = { seq: this.seqs[slot]!, ts: this.times[slot]!, level: this.levelOf(id), message: this.messages[slot] ?? '' };
    const rule = this.ruleOf(id);
    const code = this.codeOf(id);
    const key = this.nameAt(this.keys, slot);
    const ruleName = this.ruleNameOf(id);
    if (rule !== undefined) e.ruleId = rule;
    if (code !== undefined) e.code = code as RuleErrorCode;
    if (key !== undefined) e.key = key as LogEntry['key'];
    if (this.fields[slot] !== undefined) e.fields = this.fields[slot];
    if (this.inners[slot] !== undefined) e.inner = this.inners[slot];
    if (ruleName !== undefined) e.ruleName = ruleName;
    return e;
  }

  /** Drops every line; ids keep counting so views built before can tell their lines are gone. */
  clear(): void {
    this.messages.fill(undefined);
    this.fields.fill(undefined);
    this.inners.fill(undefined);
    this.shown.fill(undefined);
    this.perLevel.fill(0);
    this.count = 0;
  }

  private intern(name: string): number {
    let n = this.nameIndex.get(name);
    if (n === undefined) {
      n = this.names.push(name) - 1;
      this.nameIndex.set(name, n);
    }
    return n;
  }
}
