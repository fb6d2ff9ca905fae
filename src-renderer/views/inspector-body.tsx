import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fromBase64 } from '../../src-shared/inspector/exchange-text';
import { type BodyView, type HeaderList, headerValue } from '../../src-shared/model/inspector';
import { fmtBytes } from '../i18n/format';
import { HEX_MAX, bodyShape, displayBytes, hexDump } from '../lib/body-format';

type Mode = 'pretty' | 'raw' | 'hex';

/** One body: formatted (JSON, form, image) or raw or hex, with what was decoded or cut. */
export function InspectorBody({ body, headers, idPrefix }: { body: BodyView; headers: HeaderList; idPrefix: string }) {
  const { t } = useTranslation();
  const bytes = useMemo(() => displayBytes(body), [body]);
  const shape = useMemo(() => bodyShape(bytes, headerValue(headers, 'content-type'), body.truncated), [bytes, headers, body.truncated]);
  const [mode, setMode] = useState<Mode>('pretty');
  if (body.size === 0) return <p className="muted">{t('inspector.detail.noBody')}</p>;
  const kept = fromBase64(body.base64).length;
  const modes: Mode[] = shape.kind === 'binary' ? ['hex'] : shape.kind === 'image' ? ['pretty', 'hex'] : ['pretty', 'raw', 'hex'];
  const shown: Mode = modes.includes(mode) ? mode : modes[0]!;
  return (
    <div className="insp-body">
      {body.encoding && body.decodedBase64 !== undefined && <p className="insp-note">{t('inspector.detail.decodedNote', { encoding: body.encoding, size: fmtBytes(body.size) })}</p>}
      {body.encoding && body.decodeError && <p className="insp-note">{t('inspector.detail.decodeFailed', { encoding: body.encoding, error: body.decodeError })}</p>}
      {body.truncated && <p className="insp-note">{t('inspector.detail.truncatedNote', { kept: fmtBytes(kept), size: fmtBytes(body.size) })}</p>}
      {modes.length > 1 && (
        <div className="segmented insp-modes" role="radiogroup" aria-label={t('inspector.detail.view.label')}>
          {modes.map((m) => (
            <label key={m} className={shown === m ? 'segment is-on' : 'segment'}>
              <input type="radio" name={`${idPrefix}-mode`} value={m} checked={shown === m} onChange={() => setMode(m)} />
              {t(`inspector.detail.view.${m}`)}
            </label>
          ))}
        </div>
      )}
      {shown === 'hex' ? (
        <>
          {shape.kind === 'binary' && <p className="insp-note">{t('inspector.detail.binary', { size: fmtBytes(bytes.length) })}</p>}
          {bytes.length > HEX_MAX && <p className="insp-note">{t('inspector.detail.hexMore', { shown: fmtBytes(HEX_MAX), size: fmtBytes(bytes.length) })}</p>}
          <pre className="insp-pre insp-hex" tabIndex={0}>
            {hexDump(bytes)}
          </pre>
        </>
      ) : shape.kind === 'image' ? (
        <img className="insp-image" src={shape.dataUrl} alt={t('inspector.detail.imageAlt', { type: shape.type })} />
      ) : shape.kind === 'form' && shown === 'pretty' ? (
        <table className="insp-table">
          <thead>
            <tr>
              <th scope="col">{t('inspector.detail.formName')}</th>
              <th scope="col">{t('inspector.detail.formValue')}</th>
            </tr>
          </thead>
          <tbody>
            {shape.fields.map(([k, v], i) => (
              <tr key={i}>
                <td>
                  <code>{k}</code>
                </td>
                <td>
                  <code>{v}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <pre className="insp-pre" tabIndex={0} data-testid={`${idPrefix}-text`}>
          {shape.kind === 'json' ? (shown === 'pretty' ? shape.pretty : shape.raw) : 'raw' in shape ? shape.raw : ''}
        </pre>
      )}
    </div>
  );
}
