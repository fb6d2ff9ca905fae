import { useCallback, useMemo, useRef } from 'react';
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
  return (
    <div className="empty" data-testid="empty-state">
      <h2>No mappings yet</h2>
      <p>
        A mapping listens on a port of this machine and forwards every connection to another host and port. It listens on 127.0.0.1
        unless you choose otherwise.
      </p>
      <button type="button" className="btn btn-primary" onClick={() => openDialog({ kind: 'create' })}>
        Create your first mapping
      </button>
    </div>
  );
}

function NoMatch({ query, tag }: { query: string; tag: string }) {
  return (
    <div className="empty empty-compact" data-testid="no-match">
      <p>
        No mapping matches {query.trim() !== '' && <strong>“{query.trim()}”</strong>}
        {query.trim() !== '' && tag !== '' && ' with '}
        {tag !== '' && (
          <>
            the tag <strong>{tag}</strong>
          </>
        )}
        .
      </p>
      <button
        type="button"
        className="btn"
        onClick={() => {
          setQuery('');
          setTagFilter('');
        }}
      >
        Clear filters
      </button>
    </div>
  );
}

/** Every mapping, by group, with search, tag filter, keyboard navigation and the selected one's details. */
export function MappingList() {
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

  if (!loaded) return <p className="placeholder">Loading mappings…</p>;
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
                <ul className="rows" aria-label="Mappings">
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
