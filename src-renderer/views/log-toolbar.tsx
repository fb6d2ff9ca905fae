import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { LOG_LEVELS } from '../../src-shared/model/log';
import { fmtNumber } from '../i18n/format';
import { setLogFilter, useApp } from '../store/app-store';
import { ruleLabel } from '../store/log-export';
import { ALL_RULES, NO_RULE } from '../store/log-filter';

/** `1.2k`: the short count on a toggle (the title has the exact one). */
function compact(n: number): string {
  return n < 1000 ? String(n) : n < 100_000 ? `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k` : `${Math.round(n / 1000)}k`;
}

/** Which levels show: one toggle each, so "Warn" off hides exactly the warnings (no hidden threshold). */
export function LevelToggles({ counts }: { counts: readonly number[] }) {
  const { t } = useTranslation();
  const levels = useApp((s) => s.ui.logFilter.levels);
  return (
    <div className="log-levels" role="group" aria-label={t('logs.toolbar.levels')}>
      <span className="log-label" aria-hidden="true">
        {t('logs.toolbar.show')}
      </span>
      {LOG_LEVELS.map((l, i) => {
        const kept = counts[i] ?? 0;
        return (
          <button
            key={l}
            type="button"
            className={`log-level-toggle level-${l}`}
            aria-pressed={levels[l]}
            title={levels[l] ? t(`logs.toolbar.hideTitle.${l}`, { n: fmtNumber(kept) }) : t(`logs.toolbar.showTitle.${l}`, { n: fmtNumber(kept) })}
            onClick={() => setLogFilter({ levels: { ...levels, [l]: !levels[l] } })}
          >
            <span className="log-check" aria-hidden="true">
              {levels[l] ? '✓' : ''}
            </span>
            {t(`logs.level.${l}`)}
            <span className="log-count" aria-hidden="true">
              {compact(kept)}
            </span>
          </button>
        );
      })}
    </div>
  );
}

export function RuleSelect() {
  const { t } = useTranslation();
  const ruleId = useApp((s) => s.ui.logFilter.ruleId);
  const names = useApp((s) => s.ruleNames);
  const options = Object.keys(names)
    .map((id) => [id, ruleLabel(id, names)] as const)
    .sort((a, b) => a[1].localeCompare(b[1]));
  const known = ruleId === ALL_RULES || ruleId === NO_RULE || names[ruleId] !== undefined;
  return (
    <label className="log-field">
      <span className="sr-only">{t('logs.toolbar.mapping')}</span>
      <select value={ruleId} onChange={(e) => setLogFilter({ ruleId: e.target.value })}>
        <option value={ALL_RULES}>{t('logs.toolbar.allMappings')}</option>
        <option value={NO_RULE}>{t('logs.toolbar.appOnly')}</option>
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
  const { t } = useTranslation();
  const { text, regex, caseSensitive } = useApp((s) => s.ui.logFilter);
  const errorId = useId();
  return (
    <div className={`log-search${error ? ' has-error' : ''}`}>
      <input
        type="search"
        value={text}
        placeholder={regex ? t('logs.toolbar.regexPlaceholder') : t('logs.toolbar.searchPlaceholder')}
        aria-label={regex ? t('logs.toolbar.searchRegex') : t('logs.toolbar.search')}
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
      <button type="button" className="log-opt" aria-pressed={regex} aria-label={t('logs.toolbar.regex')} title={t('logs.toolbar.regex')} onClick={() => setLogFilter({ regex: !regex })}>
        .*
      </button>
      <button type="button" className="log-opt" aria-pressed={caseSensitive} aria-label={t('logs.toolbar.matchCase')} title={t('logs.toolbar.matchCase')} onClick={() => setLogFilter({ caseSensitive: !caseSensitive })}>
        Aa
      </button>
      {error && (
        <span id={errorId} className="log-search-error" role="alert" data-testid="log-search-error">
          {t('logs.toolbar.notApplied', { error })}
        </span>
      )}
    </div>
  );
}
