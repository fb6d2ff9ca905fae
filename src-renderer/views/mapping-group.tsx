import type { ReactNode } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { useActions } from '../api/api-context';
import { Switch } from '../components/switch';
import type { MappingSection } from '../store/mapping-sections';
import { toggleGroup } from '../store/mapping-view';

/** A group of mappings: a header that collapses it, its counts and a switch for all of it. */
export function MappingGroup({ section, collapsed, filtering, children }: { section: MappingSection; collapsed: boolean; filtering: boolean; children: ReactNode }) {
  const { t } = useTranslation();
  const actions = useActions();
  const { group, total, running, enabled, ids } = section;
  const name = group ?? t('mappings.group.ungrouped');
  const slug = `group-${encodeURIComponent(group ?? '').replace(/%/g, '_') || 'none'}`;
  const allOn = enabled === total;
  return (
    <section className={`group${collapsed ? ' is-collapsed' : ''}`} aria-labelledby={`${slug}-name`} data-testid="mapping-group" data-group={group ?? ''}>
      <div className="group-head">
        <div className="group-switch">
          {group !== null && (
            <Switch checked={allOn} label={t('mappings.group.enableAll', { name })} onChange={(on) => void actions.setGroupEnabled(group, on)} />
          )}
        </div>
        <button type="button" className="group-toggle" aria-expanded={!collapsed} aria-controls={collapsed ? undefined : `${slug}-rows`} onClick={() => toggleGroup(group)}>
          <span className="chevron" aria-hidden="true">
            {collapsed ? '▸' : '▾'}
          </span>
          <span className="group-name" id={`${slug}-name`}>
            {name}
          </span>
        </button>
        <span className="group-count" data-testid="group-count">
          <Trans t={t} i18nKey="mappings.group.running" values={{ running, total }} components={{ n: <span className={running > 0 ? 'group-running' : undefined} /> }} />
          {enabled !== total && enabled > 0 && <span className="muted"> · {t('mappings.group.on', { count: enabled })}</span>}
          {filtering && ids.length !== total && <span className="muted"> · {t('mappings.group.shown', { count: ids.length })}</span>}
        </span>
      </div>
      {!collapsed && (
        <ul className="rows" id={`${slug}-rows`} aria-label={t('mappings.group.rowsAria', { name })}>
          {children}
        </ul>
      )}
    </section>
  );
}
