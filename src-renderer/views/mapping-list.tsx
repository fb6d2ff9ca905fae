import { useCallback, useMemo, useRef } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import '../mappings.css';
import { useShallow } from 'zustand/react/shallow';
import { useActions } from '../api/api-context';
import { openDialog, useApp } from '../store/app-store';
import { groupKey, mappingSections, visibleIds, type MappingSection } from '../store/mapping-sections';
import { setQuery, setTagFilter, useMappingView } from '../store/mapping-view';
import { MappingDetail } from './mapping-detail';
import { MappingGroup } from './mapping-group';
import { MappingRow } from './mapping-row';
import { MappingToolbar } from './mapping-toolbar';
import { ShortcutsHelp } from './shortcuts-help';
import { useMappingKeys } from './use-mapping-keys';

function EmptyState() {
  const { t } = useTranslation();
  return (
    <div className="empty" data-testid="empty-state">
      <h2>{t('mappings.list.emptyTitle')}</h2>
      <p>{t('mappings.list.emptyText')}</p>
      <button type="button" className="btn btn-primary" onClick={() => openDialog({ kind: 'create' })}>
        {t('mappings.list.createFirst')}
      </button>
    </div>
  );
}

function NoMatchText({ query, tag }: { query: string; tag: string }) {
  const { t } = useTranslation();
  const strong = { strong: <strong /> };
  if (query !== '' && tag !== '') return <Trans t={t} i18nKey="mappings.list.noMatchBoth" values={{ query, tag }} components={strong} />;
  if (query !== '') return <Trans t={t} i18nKey="mappings.list.noMatchQuery" values={{ query }} components={strong} />;
  if (tag !== '') return <Trans t={t} i18nKey="mappings.list.noMatchTag" values={{ tag }} components={strong} />;
  return <>{t('mappings.list.noMatch')}</>;
}

function NoMatch({ query, tag }: { query: string; tag: string }) {
  const { t } = useTranslation();
  return (
    <div className="empty empty-compact" data-testid="no-match">
      <p>
        <NoMatchText query={query.trim()} tag={tag} />
      </p>
      <button
        type="button"
        className="btn"
        onClick={() => {
          setQuery('');
          setTagFilter('');
        }}
      >
        {t('mappings.list.clearFilters')}
      </button>
    </div>
  );
}

/** Every mapping, by group, with search, tag filter, keyboard navigation and the selected one's details. */
export function MappingList() {
  const { t } = useTranslation();
  const { order, rules, statuses, loaded } = useApp(useShallow((s) => ({ order: s.order, rules: s.rules, statuses: s.statuses, loaded: s.loaded })));
  const selectedId = useApp((s) => s.ui.selectedId);
  const { query, tag, collapsed } = useMappingView(useShallow((s) => ({ query: s.query, tag: s.tag, collapsed: s.collapsed })));
  const sections = useMemo(() => mappingSections(order, rules, statuses, { query, tag }), [order, rules, statuses, query, tag]);
  const ids = useMemo(() => visibleIds(sections, collapsed), [sections, collapsed]);
  const actions = useActions();
  const search = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLDivElement>(null);
  const focusSearch = useCallback(() => {
    search.current?.focus();
    search.current?.select();
  }, []);
  useMappingKeys({ ids, list, focusSearch, actions });

  if (!loaded) return <p className="placeholder">{t('mappings.list.loading')}</p>;
  if (order.length === 0) return <EmptyState />;

  const selected = selectedId !== null && rules[selectedId] ? selectedId : null;
  const tabStop = selected !== null && ids.includes(selected) ? selected : ids[0];
  const filtering = query.trim() !== '' || tag !== '';
  const rows = (section: MappingSection) =>
    section.ids.map((id) => <MappingRow key={id} id={id} selected={id === selected} tabStop={id === tabStop} activeTag={tag} />);

  return (
    <div className="mappings">
      <MappingToolbar ref={search} shown={sections.shown} total={order.length} />
      <div className={`mappings-body${selected ? ' has-detail' : ''}`}>
        <div className="mappings-list" ref={list}>
          {sections.shown === 0 && <NoMatch query={query} tag={tag} />}
          {sections.grouped
            ? sections.sections.map((section) => (
                <MappingGroup key={groupKey(section.group)} section={section} collapsed={collapsed[groupKey(section.group)] === true} filtering={filtering}>
                  {rows(section)}
                </MappingGroup>
              ))
            : sections.shown > 0 && (
                <ul className="rows" aria-label={t('mappings.list.aria')}>
                  {sections.sections.flatMap(rows)}
                </ul>
              )}
        </div>
        {selected && <MappingDetail key={selected} id={selected} />}
      </div>
      <ShortcutsHelp />
    </div>
  );
}
