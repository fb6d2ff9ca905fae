import type { Envelope } from '../../src-shared/api/contract';
import type { ApiCaller, ApiHost } from '../api/api-host';

// Quitting stops the rules first, which may take seconds (SHUTDOWN_TIMEOUT_MS in main.ts). The IPC
// handlers stay registered all that time, so a click in a window that has not gone yet gets a plain
// answer instead of Electron's "No handler registered for …"; nothing new runs on the closing core.
// No electron import: unit-tested in plain Node.

/** The text is also in the renderer's catalogue (validation.shuttingDown), which translates it. */
export const SHUTTING_DOWN_MESSAGE = 'Porthole is shutting down — it will quit in a moment';

export interface CallGate {
  handle(method: string, input: unknown, caller?: ApiCaller): Promise<Envelope<unknown>>;
  /** From now on every call answers SHUTTING_DOWN_MESSAGE without reaching the API. */
  close(): void;
  readonly closed: boolean;
}

export function createCallGate(api: Pick<ApiHost, 'handle'>): CallGate {
  let closed = false;
  return {
    handle(method, input, caller) {
      if (closed) return Promise.resolve({ ok: false, error: { code: 'INTERNAL', message: SHUTTING_DOWN_MESSAGE } });
      return api.handle(method, input, caller);
    },
    close() {
      closed = true;
    },
    get closed() {
      return closed;
    },
  };
}
