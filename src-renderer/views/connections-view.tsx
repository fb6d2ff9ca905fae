import { useTranslation } from 'react-i18next';
import { translateMessage } from '../i18n/messages';
import { useCallback, useMemo, useState } from 'react';
import type { ConnectionRow } from '../../src-shared/model/connection';
import { setConnectionFilter, useApp } from '../store/app-store';
import { countLabel, DEFAULT_SORT, filterConnections, sortConnections, toggleSort, type SortKey, type SortState } from '../store/connections';
import { ConnectionsTable } from './connections-table';
import { FilterText, MappingFilter } from './filter-fields';
import { useConnections } from './use-connections';

function ConnectionsToolbar({ shown, total }: { shown: number; total: number }) {
  const { t } = useTranslation();
  const filter = useApp((s) => s.ui.connectionFilter);
  return (
    <div className="conn-toolbar">
      <FilterText id="conn-filter-text" label={t('connections.filter')} placeholder={t('connections.filterPlaceholder')} value={filter.text} onChange={(text) => setConnectionFilter({ text })} />
      <MappingFilter id="conn-filter-rule" label={t('connections.mapping')} allLabel={t('connections.allMappings')} value={filter.ruleId} onChange={(ruleId) => setConnectionFilter({ ruleId })} />
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
