import { type LogLine, said as lineOf } from '../../src-shared/model/log-text';
import { EventEmitter } from 'node:events';
import { formatHostPort } from '../../src-shared/format/address';
import {
  type ExchangeDetail,
  type ExchangeSummary,
  type InspectOption,
  type InspectorEvent,
  type InspectorList,
  type InspectorNotice,
  type ReplayEdit,
  RING_PER_MAPPING,
  STORE_MAX_BYTES,
} from '../../src-shared/model/inspector';
import type { Endpoint } from '../../src-shared/model/primitives';
import type { TapFactory } from '../engine/stream-tap';
import { BodyArena } from '../inspector/body-collector';
import { ExchangeStore, type ExchangeStoreOptions, type StoredExchange } from '../inspector/exchange-store';
import { detailOf, summaryOf } from '../inspector/exchange-view';
import { type CaptureNotice, type CapturedExchange, HttpCapture } from '../inspector/http-capture';
import { parseFields } from '../inspector/http-head';
import { type ReplayDial, type ReplayRequest, sendReplay } from '../inspector/replay';
import { ServiceError } from './service-error';

// The HTTP inspector of a host: taps for the mappings that have "Inspect HTTP" on, the store of what
// they recorded, replays, and the events that tell the UI and `porthole inspect` about new exchanges.

export interface InspectedRule {
  id: string;
  name: string;
  inspect: InspectOption;
  target: Endpoint;
}

export interface InspectorEvents {
  /** New exchanges, batched (at most one batch per BATCH_MS). */
  added: [ExchangeSummary[]];
  event: [InspectorEvent];
}

/** New exchanges are announced in batches: a busy mapping must not send one message per request. */
const BATCH_MS = 100;

export interface InspectorServiceOptions extends ExchangeStoreOptions {
  /** The body arena's size (default: the store's byte cap). */
  arenaBytes?: number;
  replayTimeoutMs?: number;
}

export class InspectorService extends EventEmitter<InspectorEvents> {
  readonly store: ExchangeStore;
  private readonly arena: BodyArena;
  private readonly notices = new Map<string, InspectorNotice>();
  private readonly dialers = new Map<string, { dial: ReplayDial; rule: InspectedRule }>();
  private readonly names = new Map<string, string>();
  private batch: StoredExchange[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: InspectorServiceOptions = {}) {
    super();
    this.store = new ExchangeStore(opts);
    this.arena = new BodyArena(opts.arenaBytes ?? opts.maxBytes ?? STORE_MAX_BYTES);
  }

  /** The name of a mapping the inspector has seen (for `porthole inspect`). */
  ruleName(id: string): string | undefined {
    return this.names.get(id);
  }

  /**
   * The tap for one start of an inspected rule's tunnel. `note` writes to the rule's log: a notice
   * (not HTTP, TLS) is said once per start, not once per connection.
   */
  tapFor(rule: InspectedRule, note: (message: string, line: LogLine) => void): TapFactory {
    this.names.set(rule.id, rule.name);
    const said = new Set<CaptureNotice>();
    const target = formatHostPort(rule.target.host, rule.target.port);
    return (conn) =>
      new HttpCapture({
        connId: conn.id,
        client: conn.client,
        maxBodyBytes: rule.inspect.maxBodyBytes,
        arena: this.arena,
        onExchange: (x) => this.record(rule.id, x, { target }),
        onNotice: (kind, detail) => {
          if (said.has(kind)) return;
          said.add(kind);
          const notice: InspectorNotice = { ruleId: rule.id, kind, message: detail, at: Date.now() };
          this.notices.set(`${rule.id}:${kind}`, notice);
          note(...lineOf(kind === 'gave-up' ? 'inspectGaveUp' : 'inspectNotice', { detail }));
          this.emit('event', { kind: 'notice', notice });
        },
      });
  }

  /** How a replay reaches a running rule's target; undefined removes it. */
  setDialer(rule: InspectedRule, dial: ReplayDial | undefined): void {
    if (dial) this.dialers.set(rule.id, { dial, rule });
    else if (this.dialers.get(rule.id)?.rule === rule) this.dialers.delete(rule.id);
  }

  list(q: { ruleId?: string; afterId?: number; limit: number }): InspectorList {
    const exchanges = this.store.list(q).map(summaryOf);
    const notices = [...this.notices.values()].filter((n) => q.ruleId === undefined || n.ruleId === q.ruleId);
    return { exchanges, notices };
  }

  get(id: number): ExchangeDetail {
    const e = this.store.get(id);
    if (!e) throw new ServiceError('NOT_FOUND', `Exchange #${id} is no longer kept (older ones go past ${RING_PER_MAPPING} per mapping or ${STORE_MAX_BYTES / 1024 / 1024} MiB in all) — refresh the list`);
    return detailOf(e);
  }

  clear(ruleId?: string): void {
    this.store.clear(ruleId);
    for (const key of [...this.notices.keys()]) if (ruleId === undefined || key.startsWith(`${ruleId}:`)) this.notices.delete(key);
    this.emit('event', ruleId === undefined ? { kind: 'cleared' } : { kind: 'cleared', ruleId });
  }

  /** Drops what deleted mappings recorded. */
  retain(ruleIds: ReadonlySet<string>): void {
    this.store.retain(ruleIds);
    for (const id of [...this.dialers.keys()]) if (!ruleIds.has(id)) this.dialers.delete(id);
  }

  /** Sends exchange `id` again (as recorded, or edited) to its mapping's target; resolves with the new exchange. */
  async replay(id: number, edit?: ReplayEdit): Promise<ExchangeDetail> {
    const e = this.store.get(id);
    if (!e) throw new ServiceError('NOT_FOUND', `Exchange #${id} is no longer kept — refresh the list`);
    const d = this.dialers.get(e.ruleId);
    const name = this.names.get(e.ruleId) ?? e.ruleId;
    if (!d) throw new ServiceError('CONFLICT', `Mapping "${name}" is not running — switch it on to replay its requests`);
    let req: ReplayRequest;
    if (edit) {
      req = { method: edit.method, url: edit.url, headers: edit.headers, body: Buffer.from(edit.bodyBase64, 'base64') };
    } else {
      const { x } = e;
      if (x.requestTruncated) {
        throw new ServiceError(
          'CONFLICT',
          `Only ${x.requestBody.length} of the request body's ${x.requestBytes} bytes were kept — edit the request to send another body, or raise the mapping's body limit`,
        );
      }
      req = { method: x.method, url: x.target, headers: parseFields(x.requestHead), body: x.requestBody.bytes() };
    }
    const target = formatHostPort(d.rule.target.host, d.rule.target.port);
    let x: CapturedExchange;
    try {
      x = await sendReplay(d.dial, req, { maxBodyBytes: d.rule.inspect.maxBodyBytes, ...(this.opts.replayTimeoutMs ? { timeoutMs: this.opts.replayTimeoutMs } : {}) });
    } catch (err) {
      throw new ServiceError('CONFLICT', `Could not reach ${target} for the replay of "${name}": ${(err as Error)?.message ?? String(err)} — check that the target is up`);
    }
    const stored = this.record(e.ruleId, x, { replayOf: id, target });
    return detailOf(stored);
  }

  /** Stops the batch timer (the host is shutting down). */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.batch = [];
  }

  private record(ruleId: string, x: CapturedExchange, extra: { replayOf?: number; target?: string }) {
    const stored = this.store.add(ruleId, x, extra);
    // Summaries are made when the batch goes out, off the forwarding path's turn.
    this.batch.push(stored);
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), BATCH_MS);
      this.timer.unref();
    }
    return stored;
  }

  private flush(): void {
    this.timer = undefined;
    const batch = this.batch;
    this.batch = [];
    // Exchanges the limits dropped before the batch went out are not announced.
    const live = batch.filter((s) => !s.gone).map(summaryOf);
    if (live.length === 0) return;
    this.emit('added', live);
    this.emit('event', { kind: 'added', exchanges: live });
  }
}
