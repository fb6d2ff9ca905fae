import { useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatHostPort } from '../../src-shared/format/address';
import { buildHar } from '../../src-shared/inspector/har';
import type { ExchangeDetail } from '../../src-shared/model/inspector';
import { useActions } from '../api/api-context';
import { translateMessage } from '../i18n/messages';
import { downloadText } from '../lib/download-text';
import { useApp } from '../store/app-store';
import { filterIds, methodsOf, selectExchange, setChecked, setInspectorFilter, type StatusClass, toggleChecked, useInspector } from '../store/inspector';
import { FilterText, MappingFilter } from './filter-fields';
import { InspectorDetail } from './inspector-detail';
import { InspectorList } from './inspector-list';
import { useInspectorFeed } from './use-inspector-feed';
import '../inspector.css';

const STATUS_CLASSES: readonly StatusClass[] = ['all', '2xx', '3xx', '4xx', '5xx', 'other'];

const errorText = (err: unknown) => translateMessage(err instanceof Error ? err.message : String(err));

function Toolbar({ shown, onError }: { shown: readonly number[]; onError: (m: string | null) => void }) {
  const { t } = useTranslation();
  const actions = useActions();
  const filter = useInspector((s) => s.filter);
  const total = useInspector((s) => s.ids.length);
  const checked = useInspector((s) => s.checked);
  const byId = useInspector((s) => s.byId);
  const methods = useMemo(() => methodsOf({ byId }), [byId]);
  const version = useApp((s) => s.info?.version ?? '');
  const [busy, setBusy] = useState(false);

  async function exportHar(): Promise<void> {
    const ids = checked.size > 0 ? [...checked].sort((a, b) => a - b) : [...shown];
    setBusy(true);
    onError(null);
    try {
      const details: ExchangeDetail[] = [];
      for (const id of ids) details.push(await actions.inspector.get(id));
      const har = buildHar(details, { version, reveal: false });
      downloadText(`porthole-${new Date().toISOString().replace(/[:.]/g, '-')}.har`, JSON.stringify(har, null, 2), 'application/json');
    } catch (err) {
      onError(t('inspector.exportFailed', { error: errorText(err) }));
    } finally {
      setBusy(false);
    }
  }

  async function clear(): Promise<void> {
    onError(null);
    try {
      await actions.inspector.clear(filter.ruleId || undefined);
    } catch (err) {
      onError(t('inspector.clearFailed', { error: errorText(err) }));
    }
  }

  return (
    <div className="conn-toolbar insp-toolbar">
      <FilterText id="insp-filter-text" label={t('inspector.filter')} placeholder={t('inspector.filterPlaceholder')} value={filter.text} onChange={(text) => setInspectorFilter({ text })} />
      <MappingFilter id="insp-filter-rule" label={t('inspector.mapping')} allLabel={t('inspector.allMappings')} value={filter.ruleId} onChange={(ruleId) => setInspectorFilter({ ruleId })} />
      <div className="conn-filter">
        <label htmlFor="insp-filter-method">{t('inspector.method')}</label>
        <select id="insp-filter-method" value={filter.method} onChange={(e) => setInspectorFilter({ method: e.target.value })}>
          <option value="">{t('inspector.allMethods')}</option>
          {methods.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </div>
      <div className="conn-filter">
        <label htmlFor="insp-filter-status">{t('inspector.status')}</label>
        <select id="insp-filter-status" value={filter.status} onChange={(e) => setInspectorFilter({ status: e.target.value as StatusClass })}>
          {STATUS_CLASSES.map((c) => (
            <option key={c} value={c}>
              {t(`inspector.statusClass.${c}`)}
            </option>
          ))}
        </select>
      </div>
      <p className="conn-count" role="status" data-testid="insp-count">
        {shown.length === total ? t('inspector.count', { count: total }) : t('inspector.countOf', { shown: shown.length, count: total })}
      </p>
      <div className="insp-tools">
        <button type="button" className="btn btn-small" disabled={shown.length === 0} onClick={() => setChecked(checked.size > 0 ? [] : shown)}>
          {checked.size > 0 ? t('inspector.unselectAll') : t('inspector.selectShown')}
        </button>
        <button type="button" className="btn btn-small" disabled={busy || (checked.size === 0 && shown.length === 0)} title={t('inspector.exportHarHint')} onClick={() => void exportHar()}>
          {checked.size > 0 ? t('inspector.exportHarCount', { count: checked.size }) : t('inspector.exportHar')}
        </button>
        <button type="button" className="btn btn-small btn-danger" disabled={total === 0} title={t('inspector.clearHint')} onClick={() => void clear()}>
          {t('inspector.clear')}
        </button>
      </div>
    </div>
  );
}

/** Recorded HTTP exchanges of the mappings with "Inspect HTTP" on: filterable list, detail, replay, HAR. */
export function InspectorView() {
  const { t } = useTranslation();
  useInspectorFeed();
  const ids = useInspector((s) => s.ids);
  const byId = useInspector((s) => s.byId);
  const filter = useInspector((s) => s.filter);
  const loaded = useInspector((s) => s.loaded);
  const loadError = useInspector((s) => s.error);
  const notices = useInspector((s) => s.notices);
  const selectedId = useInspector((s) => s.selectedId);
  const checked = useInspector((s) => s.checked);
  const rules = useApp((s) => s.rules);
  const names = useApp((s) => s.ruleNames);
  const [error, setError] = useState<string | null>(null);
  const nameOf = useCallback((id: string) => rules[id]?.name ?? names[id] ?? id, [rules, names]);
  const shown = useMemo(() => filterIds({ ids, byId, filter }, nameOf), [ids, byId, filter, nameOf]);
  const onCheck = useCallback((id: number, on: boolean) => toggleChecked(id, on), []);
  const selected = selectedId !== null ? byId.get(selectedId) : undefined;
  const rule = selected ? rules[selected.ruleId] : undefined;
  const fallbackHost = rule && 'listen' in rule ? formatHostPort(rule.listen.host, rule.listen.port) : undefined;

  return (
    <section className="inspector" aria-labelledby="inspector-title">
      <h2 id="inspector-title" className="sr-only">
        {t('inspector.title')}
      </h2>
      <Toolbar shown={shown} onError={setError} />
      {(error ?? loadError) && (
        <p className="inline-error" role="alert">
          {error ?? loadError}
        </p>
      )}
      {notices.map((n) => (
        <p key={`${n.ruleId}:${n.kind}`} className="inline-warn insp-notice" role="status" data-testid="insp-notice">
          {t(`inspector.notice.${n.kind}`, { name: nameOf(n.ruleId), detail: n.message })}
        </p>
      ))}
      <div className="insp-split">
        <div className="insp-pane">
          {!loaded ? (
            <p className="placeholder">{t('inspector.loading')}</p>
          ) : shown.length === 0 ? (
            <div className="conn-empty" data-testid="insp-empty">
              <p>{ids.length === 0 ? t('inspector.none') : t('inspector.noMatch')}</p>
              {ids.length === 0 && <p className="muted">{t('inspector.noneHint')}</p>}
            </div>
          ) : (
            <InspectorList ids={shown} byId={byId} selectedId={selectedId} checked={checked} nameOf={nameOf} onSelect={selectExchange} onCheck={onCheck} />
          )}
        </div>
        <aside className="insp-detail" aria-label={t('inspector.detail.label')}>
          {selected ? (
            <InspectorDetail key={selected.id} id={selected.id} ruleName={nameOf(selected.ruleId)} {...(fallbackHost ? { fallbackHost } : {})} />
          ) : (
            <p className="placeholder">{t('inspector.detail.empty')}</p>
          )}
        </aside>
      </div>
    </section>
  );
}
