import { useId } from 'react';
import { LOG_LEVELS, type LogLevel } from '../../src-shared/model/log';
import { setLogFilter, useApp } from '../store/app-store';
import { ruleLabel } from '../store/log-export';
import { ALL_RULES, NO_RULE } from '../store/log-filter';

const LEVEL_LABEL: Record<LogLevel, string> = { debug: 'Debug', info: 'Info', warn: 'Warn', error: 'Error' };

function compact(n: number): string {
  return n < 1000 ? String(n) : n < 100_000 ? `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k` : `${Math.round(n / 1000)}k`;
}

/** Which levels show: one toggle each, so "Warn" off hides exactly the warnings (no hidden threshold). */
export function LevelToggles({ counts }: { counts: readonly number[] }) {
  const levels = useApp((s) => s.ui.logFilter.levels);
  return (
    <div className="log-levels" role="group" aria-label="Levels shown">
      <span className="log-label" aria-hidden="true">
        Show
      </span>
      {LOG_LEVELS.map((l, i) => (
        <button
          key={l}
          type="button"
          className={`log-level-toggle level-${l}`}
          aria-pressed={levels[l]}
          title={`${levels[l] ? 'Hide' : 'Show'} ${l} lines (${(counts[i] ?? 0).toLocaleString()} kept)`}
          onClick={() => setLogFilter({ levels: { ...levels, [l]: !levels[l] } })}
        >
          <span className="log-check" aria-hidden="true">
            {levels[l] ? '✓' : ''}
          </span>
          {LEVEL_LABEL[l]}
          <span className="log-count" aria-hidden="true">
            {compact(counts[i] ?? 0)}
          </span>
        </button>
      ))}
    </div>
  );
}

export function RuleSelect() {
  const ruleId = useApp((s) => s.ui.logFilter.ruleId);
  const names = useApp((s) => s.ruleNames);
  const options = Object.keys(names)
    .map((id) => [id, ruleLabel(id, names)] as const)
    .sort((a, b) => a[1].localeCompare(b[1]));
  const known = ruleId === ALL_RULES || ruleId === NO_RULE || names[ruleId] !== undefined;
  return (
    <label className="log-field">
      <span className="sr-only">Mapping</span>
      <select value={ruleId} onChange={(e) => setLogFilter({ ruleId: e.target.value })}>
        <option value={ALL_RULES}>All mappings</option>
        <option value={NO_RULE}>Porthole itself (no mapping)</option>
        {options.map(([id, name]) => (
          <option key={id} value={id}>
            {name}
          </option>
        ))}
        {!known && <option value={ruleId}>{ruleId}</option>}
      </select>
    </label>
  );
}

export function SearchField({ error }: { error: string | undefined }) {
  const { text, regex, caseSensitive } = useApp((s) => s.ui.logFilter);
  const errorId = useId();
  return (
    <div className={`log-search${error ? ' has-error' : ''}`}>
      <input
        type="search"
        value={text}
        placeholder={regex ? 'Regular expression' : 'Search messages'}
        aria-label={regex ? 'Search logs (regular expression)' : 'Search logs'}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        spellCheck={false}
        onChange={(e) => setLogFilter({ text: e.target.value })}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && text) {
            e.preventDefault();
            setLogFilter({ text: '' });
          }
        }}
      />
      <button type="button" className="log-opt" aria-pressed={regex} aria-label="Regular expression" title="Regular expression" onClick={() => setLogFilter({ regex: !regex })}>
        .*
      </button>
      <button type="button" className="log-opt" aria-pressed={caseSensitive} aria-label="Match case" title="Match case" onClick={() => setLogFilter({ caseSensitive: !caseSensitive })}>
        Aa
      </button>
      {error && (
        <span id={errorId} className="log-search-error" role="alert" data-testid="log-search-error">
          {error} — search not applied
        </span>
      )}
    </div>
  );
}
