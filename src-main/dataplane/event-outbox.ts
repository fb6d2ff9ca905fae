import type { PlaneEvent } from './protocol';

/** How long connection events may wait for company before they go to the control thread. */
export const EVENT_BATCH_MS = 20;
/** A batch this long goes at once (a burst of thousands of connections is not held in one message). */
export const EVENT_BATCH_MAX = 1024;

/**
 * The data plane's connection events on their way to the control thread, in order. A postMessage costs
 * the worker ~25 µs and wakes the control thread; sent per turn of the loop, a serial stream of short
 * connections paid two of them per connection (open, close) — the largest item in the worker's profile
 * after the sockets' own syscalls. Held up to EVENT_BATCH_MS instead, so a connection's open and close
 * usually share one message with many others'. Nobody needs them sooner: connection lists and byte
 * counts are read from the data plane directly (a request, the shared meters), and a reply flushes the
 * outbox first, so events raised before it still arrive before it. A listener failing goes at once.
 */
export class EventOutbox {
  private events: PlaneEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate = false;

  constructor(
    private readonly post: (events: PlaneEvent[]) => void,
    private readonly delayMs = EVENT_BATCH_MS,
  ) {}

  push(e: PlaneEvent): void {
    this.events.push(e);
    if (e.e === 'listener-error' || this.events.length >= EVENT_BATCH_MAX) this.soon();
    else this.timer ??= setTimeout(this.flush, this.delayMs);
  }

  /** Sends whatever is waiting now (before a reply, and from the timers). */
  readonly flush = (): void => {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.immediate = false;
    if (this.events.length === 0) return;
    const events = this.events;
    this.events = [];
    this.post(events);
  };

  /** At the end of this turn of the loop, as every event went before batching. */
  private soon(): void {
    if (this.immediate) return;
    this.immediate = true;
    setImmediate(this.flush);
  }
}
