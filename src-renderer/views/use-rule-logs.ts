import { useEffect, useMemo, useState } from 'react';
import type { LogEntry } from '../../src-shared/model/log';
import { useActions } from '../api/api-context';
import { t } from '../i18n/i18n';
import { translateMessage } from '../i18n/messages';
import type { LogRing } from '../lib/log-ring';
import { appStore } from '../store/app-store';

const key = (e: LogEntry) => `${e.seq}-${e.ts}`;

export interface RuleLogs {
  lines: LogEntry[];
  error: string | null;
}

/**
 * Recent log lines of one rule: asked of the host once (logs.query), then followed live from the
 * window's log ring — scanning only the lines added since the last look, not the whole ring each time.
 */
export function useRuleLogs(ruleId: string, limit = 40): RuleLogs {
  const actions = useActions();
  const [fetched, setFetched] = useState<{ lines: LogEntry[]; error: string | null }>({ lines: [], error: null });
  const [live, setLive] = useState<LogEntry[]>([]);

  useEffect(() => {
    let on = true;
    actions.queryLogs({ ruleId, limit }).then(
      (lines) => on && setFetched({ lines, error: null }),
      (err: unknown) =>
        on && setFetched({ lines: [], error: t('logs.ruleLogs.couldNotLoad', { error: translateMessage(err instanceof Error ? err.message : String(err)) }) }),
    );
    return () => {
      on = false;
    };
  }, [actions, ruleId, limit]);

  useEffect(() => {
    let ring: LogRing | null = null;
    let end = 0;
    const scan = () => {
      const current = appStore.getState().logs.ring;
      if (current !== ring) {
        ring = current;
        end = current.firstId;
        setLive([]);
      }
      const found: LogEntry[] = [];
      for (let id = Math.max(end, current.firstId); id < current.endId; id++) {
        if (current.ruleOf(id) !== ruleId) continue;
        const e = current.get(id);
        if (e) found.push(e);
      }
      end = current.endId;
      if (found.length > 0) setLive((prev) => [...prev, ...found].slice(-limit));
    };
    scan();
    return appStore.subscribe((s, prev) => {
      if (s.logs !== prev.logs) scan();
    });
  }, [ruleId, limit]);

  const lines = useMemo(() => {
    const byKey = new Map<string, LogEntry>();
    for (const e of [...fetched.lines, ...live]) byKey.set(key(e), e);
    return [...byKey.values()].sort((a, b) => a.ts - b.ts || a.seq - b.seq).slice(-limit);
  }, [fetched, live, limit]);

  return { lines, error: fetched.error };
}
