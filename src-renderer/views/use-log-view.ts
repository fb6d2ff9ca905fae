import { useCallback, useDeferredValue, useMemo, useState } from 'react';
import type { LogRing } from '../lib/log-ring';
import { useApp } from '../store/app-store';
import { compileLogFilter, type CompiledLogFilter } from '../store/log-filter';
import { LogView } from '../store/log-view';
import { useThrottled } from '../lib/use-throttled';
import { useLogSearch } from './use-log-search';

/**
 * At most this often the list takes in new lines (≤ 4 Hz). Each time costs the virtualizer a pass over
 * all row offsets (O(lines)); at the host's 150 ms batches that showed as a slow frame every ninth.
 */
export const LOG_RENDER_INTERVAL_MS = 250;

export interface LogViewModel {
  ring: LogRing;
  view: LogView;
  compiled: CompiledLogFilter;
  /** Lines shown: the first `count` of the view (fewer than the view holds while paused). */
  count: number;
  /** Lines kept in this window, whatever the filter. */
  total: number;
  /** Matching lines that arrived while paused, not shown yet. */
  buffered: number;
  paused: boolean;
  setPaused(paused: boolean): void;
}

/**
 * The filtered, pausable view of the store's log. Typing in the search field stays responsive: the
 * filter used for the (full) pass over the ring is a deferred copy of the one in the store.
 */
export function useLogView(): LogViewModel {
  // The ring changes in place; this only decides when the view catches up with it (and re-renders).
  const logs = useThrottled(
    useApp((s) => s.logs),
    LOG_RENDER_INTERVAL_MS,
  );
  const filter = useDeferredValue(useApp((s) => s.ui.logFilter));
  // A regular expression runs in a worker (lib/log-search.ts): its results and failures arrive later.
  const { search, version: searchVersion } = useLogSearch(filter, logs.ring, logs);
  const failure = search?.failure;
  // eslint-disable-next-line react-hooks/exhaustive-deps -- a failure changes what the filter does: a new view
  const compiled = useMemo(() => compileLogFilter(filter, search), [filter, search, failure]);
  const view = useMemo(() => new LogView(compiled), [compiled]);
  /** While paused: the ring's end id when the user paused; lines from there on wait. */
  const [pausedAt, setPausedAt] = useState<number | null>(null);

  // sync() is idempotent (it catches the view up with the ring), so running it during render is safe.
  const { count, buffered } = useMemo(
    () => {
      view.sync(logs.ring);
      const shown = pausedAt === null ? view.count : view.countBelow(pausedAt);
      return { count: shown, buffered: view.count - shown };
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps -- searchVersion: the worker's results grew in place
    [view, logs, pausedAt, searchVersion],
  );

  const setPaused = useCallback((paused: boolean) => setPausedAt(paused ? logs.ring.endId : null), [logs]);

  return { ring: logs.ring, view, compiled, count, total: logs.ring.size, buffered, paused: pausedAt !== null, setPaused };
}
