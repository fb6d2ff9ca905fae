import type { ApiEvents, Envelope, EventName } from '../../src-shared/api';

/**
 * The one API handler table of a host process. Both bridges (Electron IPC and the browser-mode
 * WebSocket) and the tray call through it, so every caller gets the same validation.
 */
/** Who is calling (one browser tab's socket, one window): per-caller state is dropped when it goes away. */
export interface ApiCaller {
  onGone(cleanup: () => void): void;
}

export interface ApiHost {
  /** Validates the method name and its input, runs the handler, and never throws: failures are data. */
  handle(method: string, rawInput: unknown, caller?: ApiCaller): Promise<Envelope<unknown>>;
  subscribe<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
  /** Every event, for bridges that forward them all. */
  subscribeAll(listener: (event: EventName, payload: unknown) => void): () => void;
}
