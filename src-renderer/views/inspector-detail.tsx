import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { curlCommand, MASK, maskedHeaders } from '../../src-shared/inspector/exchange-text';
import type { ExchangeDetail, HeaderList, ReplayEdit } from '../../src-shared/model/inspector';
import { isSensitiveHeader } from '../../src-shared/model/inspector';
import { useActions } from '../api/api-context';
import { CopyButton } from '../components/copy-button';
import { fmtBytes, fmtDateTime } from '../i18n/format';
import { translateMessage } from '../i18n/messages';
import { statusClass } from '../store/inspector';
import { InspectorBody } from './inspector-body';
import { InspectorCompare } from './inspector-compare';
import { ReplayDialog } from './inspector-replay-dialog';

const ms = (v: number | undefined): string => (v === undefined ? '—' : v < 1000 ? `${v} ms` : `${(v / 1000).toFixed(2)} s`);

export function HeaderTable({ headers, reveal, label }: { headers: HeaderList; reveal: boolean; label: string }) {
  const { t } = useTranslation();
  if (headers.length === 0) return <p className="muted">{t('inspector.detail.noHeaders')}</p>;
  return (
    <table className="insp-table insp-headers" aria-label={label}>
      <tbody>
        {maskedHeaders(headers, reveal).map(([k, v], i) => (
          <tr key={i}>
            <th scope="row">{k}</th>
            <td>
              {!reveal && isSensitiveHeader(k) ? (
                <span className="insp-masked" data-testid="masked-value">
                  <span aria-hidden="true">{MASK}</span>
                  <span className="sr-only">{t('inspector.masked')}</span>
                </span>
              ) : (
                <code>{v}</code>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="insp-section" aria-labelledby={id}>
      <h4 id={id}>{title}</h4>
      {children}
    </section>
  );
}

function Timings({ x }: { x: ExchangeDetail }) {
  const { t } = useTranslation();
  const parts = [
    { key: 'send', v: x.timings.requestMs ?? 0 },
    { key: 'wait', v: x.timings.waitMs ?? 0 },
    { key: 'receive', v: x.timings.receiveMs ?? 0 },
  ] as const;
  const total = Math.max(x.durationMs, parts.reduce((n, p) => n + p.v, 0), 0.001);
  return (
    <>
      <div className="insp-bar" aria-hidden="true">
        {parts.map((p) => (
          <span key={p.key} className={`insp-bar-${p.key}`} style={{ width: `${(p.v / total) * 100}%` }} />
        ))}
      </div>
      <dl className="insp-facts">
        {parts.map((p) => (
          <div key={p.key}>
            <dt>
              <span className={`insp-swatch insp-bar-${p.key}`} aria-hidden="true" /> {t(`inspector.detail.${p.key}`)}
            </dt>
            <dd>{ms(p.v)}</dd>
          </div>
        ))}
        <div>
          <dt>{t('inspector.detail.ttfb')}</dt>
          <dd>{ms(x.ttfbMs)}</dd>
        </div>
        <div>
          <dt>{t('inspector.detail.duration')}</dt>
          <dd>{ms(x.durationMs)}</dd>
        </div>
      </dl>
    </>
  );
}

interface DetailProps {
  id: number;
  ruleName: string;
  /** Where the mapping listens: the host a request without a Host header went to. */
  fallbackHost?: string;
}

/** The selected exchange: overview, timings, request and response with headers (masked) and bodies; replay. */
export function InspectorDetail({ id, ruleName, fallbackHost }: DetailProps) {
  const { t } = useTranslation();
  const actions = useActions();
  const [state, setState] = useState<{ id: number; x?: ExchangeDetail; error?: string }>({ id });
  const [reveal, setReveal] = useState(false);
  const [replay, setReplay] = useState<{ busy: boolean; result?: ExchangeDetail; error?: string }>({ busy: false });
  const [editing, setEditing] = useState(false);

  // The view keys this component by id: another exchange gets a fresh one (reveal and replay reset).
  useEffect(() => {
    let live = true;
    actions.inspector.get(id).then(
      (x) => live && setState({ id, x }),
      (err: unknown) => live && setState({ id, error: translateMessage(err instanceof Error ? err.message : String(err)) }),
    );
    return () => {
      live = false;
    };
  }, [actions, id]);

  const x = state.id === id ? state.x : undefined;
  if (state.error) return <p className="inline-error" role="alert">{t('inspector.detail.failed', { id, error: state.error })}</p>;
  if (!x) return <p className="placeholder">{t('inspector.detail.loading')}</p>;

  async function send(edit?: ReplayEdit): Promise<void> {
    setReplay({ busy: true });
    try {
      const result = await actions.inspector.replay(id, edit);
      setReplay({ busy: false, result });
      setEditing(false);
    } catch (err) {
      setReplay({ busy: false, error: translateMessage(err instanceof Error ? err.message : String(err)) });
      throw err;
    }
  }

  const status = x.status === 0 ? t('inspector.noResponse') : `${x.status} ${x.response?.reason ?? ''}`.trim();
  return (
    <div className="insp-detail-body" data-testid="insp-detail" data-id={x.id}>
      <div className="insp-detail-head">
        <h3 className="insp-title">
          <span className="insp-method">{x.method}</span> <code className="insp-url">{x.url}</code>{' '}
          <span className={`insp-status st-${statusClass(x.status)}`} data-testid="insp-detail-status">
            {status}
          </span>
        </h3>
        <div className="insp-actions">
          <button type="button" className="btn btn-small btn-primary" disabled={replay.busy} title={t('inspector.replayHint')} onClick={() => void send().catch(() => undefined)}>
            {replay.busy ? t('inspector.replaying') : t('inspector.replay')}
          </button>
          <button type="button" className="btn btn-small" disabled={replay.busy} onClick={() => setEditing(true)}>
            {t('inspector.editReplay')}
          </button>
          <CopyButton text={curlCommand(x, reveal, fallbackHost)} label={t('inspector.copyCurlLabel', { method: x.method, path: x.url })} caption={t('inspector.copyCurl')} className="btn btn-small" />
          <button type="button" className="btn btn-small" aria-pressed={reveal} title={t('inspector.maskedHint')} onClick={() => setReveal(!reveal)}>
            {reveal ? t('inspector.hide') : t('inspector.reveal')}
          </button>
        </div>
        {(x.replayOf !== undefined || x.upgrade || x.truncated || x.end !== 'complete') && (
          <p className="insp-badges">
            {x.replayOf !== undefined && <span className="insp-tag">↻ {t('inspector.replayOf', { id: x.replayOf })}</span>}
            {x.upgrade && <span className="insp-tag">{t('inspector.upgraded', { protocol: x.upgrade })}</span>}
            {x.truncated && <span className="insp-tag">{t('inspector.truncated')}</span>}
            {x.end !== 'complete' && x.end !== 'upgraded' && <span className="insp-tag">{t(`inspector.end.${x.end}`)}</span>}
          </p>
        )}
        {replay.error && (
          <p className="inline-error" role="alert">
            {t('inspector.replayFailed', { error: replay.error })}
          </p>
        )}
      </div>
      {replay.result && <InspectorCompare original={x} replay={replay.result} reveal={reveal} onClose={() => setReplay({ busy: false })} />}
      <Section id={`insp-${x.id}-overview`} title={t('inspector.detail.overview')}>
        <dl className="insp-facts">
          <div>
            <dt>{t('inspector.detail.mapping')}</dt>
            <dd>{ruleName}</dd>
          </div>
          <div>
            <dt>{t('inspector.detail.client')}</dt>
            <dd>
              <code>{x.client}</code>
            </dd>
          </div>
          <div>
            <dt>{t('inspector.detail.connection')}</dt>
            <dd>{t('inspector.detail.connectionValue', { id: x.connId })}</dd>
          </div>
          <div>
            <dt>{t('inspector.detail.started')}</dt>
            <dd>{fmtDateTime(x.startedAt)}</dd>
          </div>
          <div>
            <dt>{t('inspector.detail.requestSize')}</dt>
            <dd>{fmtBytes(x.requestBytes)}</dd>
          </div>
          <div>
            <dt>{t('inspector.detail.responseSize')}</dt>
            <dd>{fmtBytes(x.responseBytes)}</dd>
          </div>
          {x.interim.length > 0 && (
            <div>
              <dt>{t('inspector.detail.interim')}</dt>
              <dd>{x.interim.join(', ')}</dd>
            </div>
          )}
          {x.target && (
            <div>
              <dt>{t('inspector.detail.target')}</dt>
              <dd>
                <code>{x.target}</code>
              </dd>
            </div>
          )}
        </dl>
      </Section>
      <Section id={`insp-${x.id}-timings`} title={t('inspector.detail.timings')}>
        <Timings x={x} />
      </Section>
      <Section id={`insp-${x.id}-request`} title={t('inspector.detail.request')}>
        <HeaderTable headers={x.request.headers} reveal={reveal} label={`${t('inspector.detail.request')} — ${t('inspector.detail.headers')}`} />
        <InspectorBody body={x.request.body} headers={x.request.headers} idPrefix={`insp-${x.id}-req`} />
      </Section>
      <Section id={`insp-${x.id}-response`} title={t('inspector.detail.response')}>
        {x.response ? (
          <>
            <HeaderTable headers={x.response.headers} reveal={reveal} label={`${t('inspector.detail.response')} — ${t('inspector.detail.headers')}`} />
            <InspectorBody body={x.response.body} headers={x.response.headers} idPrefix={`insp-${x.id}-res`} />
          </>
        ) : (
          <p className="muted">{t('inspector.detail.noResponse')}</p>
        )}
      </Section>
      {editing && <ReplayDialog x={x} onClose={() => setEditing(false)} onSend={send} />}
    </div>
  );
}
