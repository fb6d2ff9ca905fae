import { forwardRef, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../store/app-store';
import { tagCounts } from '../store/mapping-sections';
import { setHelpOpen, setQuery, setTagFilter, useMappingView } from '../store/mapping-view';

export const SEARCH_ID = 'mapping-search';

function TagFilter() {
  const { t } = useTranslation();
  const rules = useApp((s) => s.rules);
  const active = useMappingView((s) => s.tag);
  const tags = tagCounts(rules);
  if (tags.length === 0) return null;
  return (
    <div className="tag-filter" role="group" aria-label={t('mappings.toolbar.filterByTag')}>
      <span className="tag-filter-label" aria-hidden="true">
        {t('mappings.toolbar.tags')}
      </span>
      {tags.map(({ tag, count }) => {
        const on = tag.toLowerCase() === active.toLowerCase();
        return (
          <button
            key={tag}
            type="button"
            className={`tag-chip${on ? ' is-on' : ''}`}
            aria-pressed={on}
            aria-label={t('mappings.toolbar.tagAria', { tag, count })}
            data-testid="tag-filter"
            data-tag={tag}
            onClick={() => setTagFilter(on ? '' : tag)}
          >
            {tag} <span className="tag-count">{count}</span>
          </button>
        );
      })}
    </div>
  );
}

/** Search box (`/` or Ctrl/Cmd+F), tag filter, the shown count and the shortcut help button. */
export const MappingToolbar = forwardRef<HTMLInputElement, { shown: number; total: number }>(function MappingToolbar({ shown, total }, ref) {
  const { t } = useTranslation();
  const { query, tag } = useMappingView(useShallow((s) => ({ query: s.query, tag: s.tag })));
  const filtering = query.trim() !== '' || tag !== '';

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>): void {
    if (e.key !== 'Escape') return;
    // Esc clears a search, then a second Esc leaves the box (back to the list's keys).
    e.preventDefault();
    if (query !== '') setQuery('');
    else e.currentTarget.blur();
  }

  return (
    <div className="mapping-toolbar">
      <div className="search-box">
        <span className="search-icon" aria-hidden="true">
          ⌕
        </span>
        <input
          ref={ref}
          id={SEARCH_ID}
          type="search"
          aria-label={t('mappings.toolbar.search')}
          aria-keyshortcuts="/ Control+F Meta+F"
          placeholder={t('mappings.toolbar.searchPlaceholder')}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={onKeyDown}
          spellCheck={false}
          autoComplete="off"
        />
        <kbd className="search-kbd" aria-hidden="true">
          /
        </kbd>
      </div>
      <TagFilter />
      <p className="mapping-count" role="status" data-testid="mapping-count">
        {filtering ? t('mappings.toolbar.shownOf', { shown, total }) : t('mappings.toolbar.count', { count: total })}
      </p>
      {filtering && (
        <button
          type="button"
          className="btn btn-small"
          onClick={() => {
            setQuery('');
            setTagFilter('');
          }}
        >
          {t('mappings.list.clearFilters')}
        </button>
      )}
      <button type="button" className="btn btn-small kbd-help-btn" aria-label={t('mappings.toolbar.shortcuts')} aria-keyshortcuts="Shift+?" onClick={() => setHelpOpen(true)}>
        <span aria-hidden="true">?</span>
      </button>
    </div>
  );
});
