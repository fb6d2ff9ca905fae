import { useTranslation } from 'react-i18next';
import type { ExchangeDetail } from '../../src-shared/model/inspector';
import { statusClass } from '../store/inspector';
import { InspectorBody } from './inspector-body';
import { HeaderTable } from './inspector-detail';

function Column({ x, title, reveal }: { x: ExchangeDetail; title: string; reveal: boolean }) {
  const { t } = useTranslation();
  return (
    <div className="insp-compare-col" data-testid={x.replayOf !== undefined ? 'insp-compare-replay' : 'insp-compare-original'}>
      <h5>
        {title}{' '}
        <span className={`insp-status st-${statusClass(x.status)}`}>{x.status === 0 ? t('inspector.noResponse') : `${x.status} ${x.response?.reason ?? ''}`.trim()}</span>
      </h5>
      {x.response ? (
        <>
          <HeaderTable headers={x.response.headers} reveal={reveal} label={`${title} — ${t('inspector.detail.headers')}`} />
          <InspectorBody body={x.response.body} headers={x.response.headers} idPrefix={`insp-cmp-${x.id}`} />
        </>
      ) : (
        <p className="muted">{t('inspector.detail.noResponse')}</p>
      )}
    </div>
  );
}

/** A replay's response beside the original's. */
export function InspectorCompare({ original, replay, reveal, onClose }: { original: ExchangeDetail; replay: ExchangeDetail; reveal: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const same = original.status === replay.status && (original.response?.body.base64 ?? '') === (replay.response?.body.base64 ?? '');
  return (
    <section className="insp-compare" aria-labelledby="insp-compare-title" data-testid="insp-compare">
      <div className="insp-compare-head">
        <h4 id="insp-compare-title">{t('inspector.compare.title')}</h4>
        <span className={same ? 'insp-same' : 'insp-differs'} role="status">
          {same ? t('inspector.compare.same') : t('inspector.compare.different')}
        </span>
        <button type="button" className="btn btn-ghost btn-small" aria-label={t('inspector.compare.close')} onClick={onClose}>
          ✕
        </button>
      </div>
      <div className="insp-compare-cols">
        <Column x={original} title={t('inspector.compare.original', { id: original.id })} reveal={reveal} />
        <Column x={replay} title={t('inspector.compare.replay', { id: replay.id })} reveal={reveal} />
      </div>
    </section>
  );
}
