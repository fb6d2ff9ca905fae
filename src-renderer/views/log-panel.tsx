import { useLayoutEffect, useMemo, useRef } from 'react';
import { LOG_FILTERS, LOG_RENDER_LIMIT, visibleLogs, type LogFilter } from '../store/logs';
import { setUi, useApp } from '../store/app-store';

function time(ts: number): string {
  return new Date(ts).toLocaleTimeString([], { hour12: false, hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function isLogFilter(v: string): v is LogFilter {
  return LOG_FILTERS.some((f) => f.value === v);
}

export function LogPanel() {
  const logs = useApp((s) => s.logs);
  const names = useApp((s) => s.ruleNames);
  const open = useApp((s) => s.ui.logOpen);
  const filter = useApp((s) => s.ui.logFilter);
  const lines = useMemo(() => visibleLogs(logs, filter), [logs, filter]);
  const scroller = useRef<HTMLOListElement>(null);
  const follow = useRef(true);

  // Stay pinned to the newest line unless the user scrolled up to read.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, [lines, open]);

  return (
    <section className={`log-panel ${open ? 'is-open' : ''}`} aria-label="Logs">
      <div className="log-bar">
        <button type="button" className="log-toggle" aria-expanded={open} aria-controls="log-lines" onClick={() => setUi({ logOpen: !open })}>
          <span className="chevron" aria-hidden="true">
            {open ? '▾' : '▸'}
          </span>
          Logs <span className="muted">({logs.buf.size})</span>
        </button>
        <label className="log-filter">
          Level
          <select value={filter} onChange={(e) => isLogFilter(e.target.value) && setUi({ logFilter: e.target.value })}>
            {LOG_FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {open && (
        <ol
          id="log-lines"
          ref={scroller}
          className="log-lines"
          data-testid="log-lines"
          tabIndex={0}
          aria-label={`Log lines, newest last (at most ${LOG_RENDER_LIMIT})`}
          onScroll={(e) => {
            const el = e.currentTarget;
            follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
          }}
        >
          {lines.length === 0 && <li className="log-empty">No log lines at this level yet.</li>}
          {lines.map((l) => (
            <li key={`${l.seq}-${l.ts}`} className={`log-line level-${l.level}`} data-level={l.level}>
              <time dateTime={new Date(l.ts).toISOString()}>{time(l.ts)}</time>
              <span className="log-level">{l.level}</span>
              <span className="log-rule">{l.ruleId ? (names[l.ruleId] ?? l.ruleId) : '—'}</span>
              <span className="log-msg">{l.message}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
