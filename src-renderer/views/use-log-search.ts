import { useEffect, useMemo, useReducer } from 'react';
import type { LogRing } from '../lib/log-ring';
import { LogSearch, spawnSearchWorker } from '../lib/log-search';
import { searchPattern, type LogFilter } from '../store/log-filter';

/**
 * The worker-backed search for the filter's regular expression (none for plain text): one LogSearch per
 * pattern, fed as lines arrive, stopped (its worker terminated) when the pattern changes or the panel
 * closes. `version` changes whenever results or a failure came in, so the view re-syncs.
 */
export function useLogSearch(filter: LogFilter, ring: LogRing, ringVersion: unknown): { search: LogSearch | undefined; version: number } {
  const pattern = searchPattern(filter);
  const source = pattern?.source;
  const flags = pattern?.flags;
  const [version, bump] = useReducer((n: number) => n + 1, 0);
  // Making one starts nothing: its worker is spawned by feed(), in the effect below, and ended by its cleanup.
  const search = useMemo(
    () => (source !== undefined && flags !== undefined ? new LogSearch(source, flags, { spawn: spawnSearchWorker, onChange: bump }) : undefined),
    [source, flags],
  );
  useEffect(() => {
    if (!search) return;
    search.feed(ring);
    return () => search.stop();
  }, [search, ring]);
  useEffect(() => {
    search?.feed(ring);
  }, [search, ring, ringVersion]);
  return { search, version };
}
