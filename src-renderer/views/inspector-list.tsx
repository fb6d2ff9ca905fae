import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useRef, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ExchangeSummary } from '../../src-shared/model/inspector';
import { fmtBytes, fmtTime } from '../i18n/format';
import { countRender } from '../lib/render-probe';
import { statusClass } from '../store/inspector';

const ROW_HEIGHT = 30;
const estimateSize = (): number => ROW_HEIGHT;

interface RowProps {
  x: ExchangeSummary;
  ruleName: string;
  selected: boolean;
  checked: boolean;
  onSelect: (id: number) => void;
  onCheck: (id: number, on: boolean) => void;
}

/** One exchange; memoised on its summary object, which a new exchange elsewhere never replaces. */
const Row = memo(function Row({ x, ruleName, selected, checked, onSelect, onCheck }: RowProps) {
  const { t } = useTranslation();
  countRender(`insp-row:${x.id}`);
  const status = x.status === 0 ? t('inspector.noResponse') : String(x.status);
  return (
    <div className={`insp-row${selected ? ' is-selected' : ''}`} data-testid="insp-row" data-id={x.id} data-status={x.status}>
      <input
        type="checkbox"
        className="insp-check"
        checked={checked}
        aria-label={t('inspector.tick', { method: x.method, path: x.url })}
        onChange={(e) => onCheck(x.id, e.target.checked)}
      />
      <button
        type="button"
        className="insp-open"
        aria-pressed={selected}
        aria-label={t('inspector.open', { method: x.method, path: x.url, status })}
        onClick={() => onSelect(x.id)}
      >
        <span className="insp-method">{x.method}</span>
        <span className="insp-path" title={`${x.host ?? ''}${x.url}`}>
          {x.replayOf !== undefined && <span className="insp-tag">↻ {t('inspector.replayMark')}</span>}
          {x.url}
          <span className="insp-rule">{ruleName}</span>
        </span>
        <span className={`insp-status st-${statusClass(x.status)}`}>{x.upgrade ? `${x.status} ⇅` : status}</span>
        <span className="insp-num">{fmtBytes(x.responseBytes)}</span>
        <span className="insp-num">{x.durationMs < 1000 ? `${Math.round(x.durationMs)} ms` : `${(x.durationMs / 1000).toFixed(2)} s`}</span>
        <span className="insp-time">{fmtTime(x.startedAt)}</span>
      </button>
    </div>
  );
});

interface ListProps {
  ids: readonly number[];
  byId: ReadonlyMap<number, ExchangeSummary>;
  selectedId: number | null;
  checked: ReadonlySet<number>;
  nameOf: (ruleId: string) => string;
  onSelect: (id: number) => void;
  onCheck: (id: number, on: boolean) => void;
}

/** The recorded exchanges, virtualised: only the rows in view are in the DOM. Arrow keys move the selection. */
export function InspectorList({ ids, byId, selectedId, checked, nameOf, onSelect, onCheck }: ListProps) {
  const { t } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  const getScrollElement = useCallback(() => scroller.current, []);
  const getItemKey = useCallback((i: number) => ids[i] ?? i, [ids]);
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({ count: ids.length, getScrollElement, estimateSize, getItemKey, overscan: 8 });

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>): void {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const at = selectedId === null ? -1 : ids.indexOf(selectedId);
    const next = e.key === 'ArrowDown' ? Math.min(ids.length - 1, at + 1) : Math.max(0, at - 1);
    const id = ids[next];
    if (id === undefined) return;
    e.preventDefault();
    onSelect(id);
    virtualizer.scrollToIndex(next);
    requestAnimationFrame(() => scroller.current?.querySelector<HTMLButtonElement>(`[data-id="${id}"] .insp-open`)?.focus());
  }

  return (
    <div className="insp-list">
      <div className="insp-head" aria-hidden="true">
        <span>{t('inspector.column.method')}</span>
        <span>{t('inspector.column.path')}</span>
        <span>{t('inspector.column.status')}</span>
        <span className="insp-num">{t('inspector.column.size')}</span>
        <span className="insp-num">{t('inspector.column.duration')}</span>
        <span>{t('inspector.column.started')}</span>
      </div>
      <div className="insp-scroll" ref={scroller} onKeyDown={onKeyDown} data-testid="insp-list">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((v) => {
            const id = ids[v.index]!;
            const x = byId.get(id);
            if (!x) return null;
            return (
              <div key={v.key} className="insp-slot" style={{ transform: `translateY(${v.start}px)` }}>
                <Row x={x} ruleName={nameOf(x.ruleId)} selected={id === selectedId} checked={checked.has(id)} onSelect={onSelect} onCheck={onCheck} />
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
