import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { Rule } from '../../src-shared/model/rule';
import { checkState, type CheckState, exportGroups, toggleAll } from '../forms/export-selection';

function TriCheckbox({ state, label, onChange, className }: { state: CheckState; label: string; onChange: (on: boolean) => void; className?: string }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = state === 'some';
  }, [state]);
  return (
    <label className={`checkbox ${className ?? ''}`}>
      <input ref={ref} type="checkbox" checked={state === 'all'} onChange={(e) => onChange(e.target.checked)} />
      {label}
    </label>
  );
}

interface ExportChecklistProps {
  rules: readonly Rule[];
  selected: ReadonlySet<string>;
  onSelected: (next: Set<string>) => void;
}

/** Which mappings to export: all, a whole group, or one by one. */
export function ExportChecklist({ rules, selected, onSelected }: ExportChecklistProps) {
  const { t } = useTranslation();
  const all = rules.map((r) => r.id);
  const byId = new Map(rules.map((r) => [r.id, r]));
  const groups = exportGroups(rules);
  const grouped = groups.some((g) => g.name !== '');
  return (
    <fieldset className="export-checklist">
      <legend className="export-legend">{t('importExport.export.mappings')}</legend>
      <TriCheckbox
        className="export-all"
        state={checkState(all, selected)}
        label={t('importExport.export.all', { n: all.length })}
        onChange={(on) => onSelected(toggleAll(selected, all, on))}
      />
      <div className="export-groups">
        {groups.map((g) => (
          <div key={g.name || '(none)'} className="export-group">
            {grouped &&
              (g.name ? (
                <TriCheckbox
                  className="export-group-head"
                  state={checkState(g.ids, selected)}
                  label={t('importExport.export.group', { name: g.name, n: g.ids.length })}
                  onChange={(on) => onSelected(toggleAll(selected, g.ids, on))}
                />
              ) : (
                <p className="export-group-head export-ungrouped muted">{t('importExport.export.noGroup')}</p>
              ))}
            <ul className={grouped ? 'export-rules is-nested' : 'export-rules'}>
              {g.ids.map((id) => {
                const rule = byId.get(id);
                if (!rule) return null;
                return (
                  <li key={id}>
                    <label className="checkbox">
                      <input type="checkbox" checked={selected.has(id)} onChange={(e) => onSelected(toggleAll(selected, [id], e.target.checked))} />
                      <span className="export-rule-name">{rule.name}</span>
                      <span className="proto">{rule.type}</span>
                    </label>
                  </li>
                );
              })}
            </ul>
          </div>
        ))}
      </div>
    </fieldset>
  );
}
