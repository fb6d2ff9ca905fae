import { useTranslation } from 'react-i18next';
import { translateMessage } from '../i18n/messages';
import { useCallback, useMemo, useState } from 'react';
import type { ConnectionRow } from '../../src-shared/model/connection';
import { setConnectionFilter, useApp } from '../store/app-store';
import { countLabel, DEFAULT_SORT, filterConnections, sortConnections, toggleSort, type SortKey, type SortState } from '../store/connections';
import { ConnectionsTable } from './connections-table';
import { useConnections } from './use-connections';

function ConnectionsToolbar({ shown, total }: { shown: number; total: number }) {
  const { t } = useTranslation();
  const filter = useApp((s) => s.ui.connectionFilter);
  const order = useApp((s) => s.order);
  const rules = useApp((s) => s.rules);
  return (
    <div className="conn-toolbar">
      <div className="conn-filter">
        <label htmlFor="conn-filter-text">{t('connections.filter')}</label>
        <input
          id="conn-filter-text"
          type="search"
          value={filter.text}
          placeholder={t('connections.filterPlaceholder')}
          onChange={(e) => setConnectionFilter({ text: e.target.value })}
          spellCheck={false}
          autoComplete="off"
        />
      </div>
      <div className="conn-filter">
        <label htmlFor="conn-filter-rule">{t('connections.mapping')}</label>
        <select id="conn-filter-rule" value={filter.ruleId} onChange={(e) => setConnectionFilter({ ruleId: e.target.value })}>
          <option value="">{t('connections.allMappings')}</option>
          {order.map((id) => (
            <option key={id} value={id}>
              {rules[id]?.name ?? id}
            </option>
          ))}
        </select>
      </div>
      <p className="conn-count" role="status" data-testid="connection-count">
        {countLabel(shown, total)}
      </p>
    </div>
  );
}

/** Live TCP connections and UDP sessions of every mapping, refreshed each second while shown. */
export function ConnectionsView() {
  const { t } = useTranslation();
  const { rows, at, loaded, pollError, closeError, close, dismissCloseError } = useConnections();
  const filter = useApp((s) => s.ui.connectionFilter);
  const rules = useApp((s) => s.rules);
  const names = useApp((s) => s.ruleNames);
  const [sort, setSort] = useState<SortState>(DEFAULT_SORT);
  const nameOf = useCallback((id: string) => rules[id]?.name ?? names[id] ?? id, [rules, names]);
  const visible = useMemo(() => sortConnections(filterConnections(rows, filter, nameOf), sort, nameOf), [rows, filter, sort, nameOf]);
  const onSort = useCallback((key: SortKey) => setSort((s) => toggleSort(s, key)), []);
  const onClose = useCallback((row: ConnectionRow) => void close(row), [close]);

  return (
    <section className="connections" aria-labelledby="connections-title">
      <h2 id="connections-title" className="sr-only">
        {t('connections.title')}
      </h2>
      <ConnectionsToolbar shown={visible.length} total={rows.length} />
      {closeError && (
        <div className="inline-error" role="alert">
          <span>{translateMessage(closeError)}</span>
          <button type="button" className="btn btn-ghost" aria-label={t('common.dismissError')} onClick={dismissCloseError}>
            ✕
          </button>
        </div>
      )}
      {pollError && (
        <p className="inline-warn" role="status">
          {translateMessage(pollError)}
        </p>
      )}
      {!loaded ? (
        <p className="placeholder">{t('connections.loading')}</p>
      ) : visible.length === 0 ? (
        <div className="conn-empty" data-testid="connections-empty">
          <p>{rows.length === 0 || filter.text.trim() === '' ? t('connections.none') : t('connections.noMatch')}</p>
        </div>
      ) : (
        <ConnectionsTable rows={visible} now={at} nameOf={nameOf} sort={sort} onSort={onSort} onClose={onClose} />
      )}
    </section>
  );
}
