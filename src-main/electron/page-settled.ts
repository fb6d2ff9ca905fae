// The import intake waits for the window's page before it offers a preview or asks a question.
// Waiting for `did-finish-load` alone hung the queue for good when the first load failed or the
// renderer crashed (neither ever finishes); every later link and file then went nowhere. It now
// stops at whichever comes first. Nothing is lost either way: the host keeps the preview until a
// window claims it (imports.claim), e.g. after a reload. No electron import: tested in plain Node.

export type PageOutcome = 'loaded' | 'failed' | 'gone' | 'destroyed' | 'timeout';

/** The part of WebContents this needs. */
export interface LoadingPage {
  isDestroyed(): boolean;
  isLoading(): boolean;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** net::ERR_ABORTED: a load replaced by another navigation, which reports for itself. */
const ERR_ABORTED = -3;
export const PAGE_SETTLE_TIMEOUT_MS = 30_000;

export function pageSettled(page: LoadingPage, timeoutMs = PAGE_SETTLE_TIMEOUT_MS): Promise<PageOutcome> {
  if (page.isDestroyed()) return Promise.resolve('destroyed');
  if (!page.isLoading()) return Promise.resolve('loaded');
  return new Promise((resolve) => {
    const listeners: Array<[string, (...args: unknown[]) => void]> = [];
    const done = (outcome: PageOutcome): void => {
      clearTimeout(timer);
      for (const [event, listener] of listeners) page.removeListener(event, listener);
      resolve(outcome);
    };
    const listen = (event: string, listener: (...args: unknown[]) => void): void => {
      listeners.push([event, listener]);
      page.on(event, listener);
    };
    listen('did-finish-load', () => done('loaded'));
    listen('did-fail-load', ((_event: unknown, errorCode: number, _description: string, _url: string, isMainFrame: boolean) => {
      if (isMainFrame && errorCode !== ERR_ABORTED) done('failed');
    }) as (...args: unknown[]) => void);
    listen('render-process-gone', () => done('gone'));
    listen('destroyed', () => done('destroyed'));
    const timer = setTimeout(() => done('timeout'), timeoutMs);
  });
}
