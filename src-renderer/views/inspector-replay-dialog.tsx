import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { fromBase64, utf8Text } from '../../src-shared/inspector/exchange-text';
import type { ExchangeDetail, HeaderList, ReplayEdit } from '../../src-shared/model/inspector';
import { Modal } from '../components/modal';
import { fmtBytes } from '../i18n/format';

const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,32}$/;
const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** "Name: value" lines → header list, or the number of the first line that is not one. */
export function parseHeaderLines(text: string): HeaderList | { badLine: number } {
  const out: HeaderList = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!NAME.test(name)) return { badLine: i + 1 };
    out.push([name, line.slice(colon + 1).trim()]);
  }
  return out;
}

function toBase64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** Edit the method, URL, header fields and body of a recorded request, then send it to the target. */
export function ReplayDialog({ x, onClose, onSend }: { x: ExchangeDetail; onClose: () => void; onSend: (edit: ReplayEdit) => Promise<void> }) {
  const { t } = useTranslation();
  const recorded = fromBase64(x.request.body.base64);
  const recordedText = x.request.body.truncated ? undefined : utf8Text(recorded);
  const binary = recordedText === undefined && recorded.length > 0 && !x.request.body.truncated;
  const [method, setMethod] = useState(x.method);
  const [url, setUrl] = useState(x.url);
  const [headers, setHeaders] = useState(x.request.headers.map(([k, v]) => `${k}: ${v}`).join('\n'));
  const [body, setBody] = useState(recordedText ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    if (!METHOD.test(method.trim())) return setError(t('inspector.edit.badMethod'));
    if (!/^\S+$/.test(url.trim())) return setError(t('inspector.edit.badUrl'));
    const parsed = parseHeaderLines(headers);
    if ('badLine' in parsed) return setError(t('inspector.edit.badHeader', { line: parsed.badLine }));
    setError(null);
    setBusy(true);
    // A binary body nobody typed over goes as recorded.
    const bodyBase64 = binary && body === '' ? x.request.body.base64 : toBase64(body);
    try {
      await onSend({ method: method.trim(), url: url.trim(), headers: parsed, bodyBase64 });
    } catch {
      // The detail pane shows why.
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal labelledBy="replay-edit-title" onClose={onClose} className="insp-edit-dialog">
      <form onSubmit={(e) => void submit(e)}>
        <h2 id="replay-edit-title">{t('inspector.edit.title')}</h2>
        <div className="insp-edit-line">
          <div className="field">
            <label htmlFor="replay-method">{t('inspector.edit.method')}</label>
            <input id="replay-method" value={method} onChange={(e) => setMethod(e.target.value)} spellCheck={false} autoComplete="off" />
          </div>
          <div className="field insp-edit-url">
            <label htmlFor="replay-url">{t('inspector.edit.url')}</label>
            <input id="replay-url" value={url} onChange={(e) => setUrl(e.target.value)} spellCheck={false} autoComplete="off" />
          </div>
        </div>
        <div className="field">
          <label htmlFor="replay-headers">{t('inspector.edit.headers')}</label>
          <textarea id="replay-headers" rows={8} value={headers} onChange={(e) => setHeaders(e.target.value)} spellCheck={false} aria-describedby="replay-headers-hint" />
          <p id="replay-headers-hint" className="field-hint">
            {t('inspector.edit.headersHint')}
          </p>
        </div>
        <div className="field">
          <label htmlFor="replay-body">{t('inspector.edit.body')}</label>
          <textarea id="replay-body" rows={8} value={body} onChange={(e) => setBody(e.target.value)} spellCheck={false} aria-describedby={binary || x.request.body.truncated ? 'replay-body-hint' : undefined} />
          {(binary || x.request.body.truncated) && (
            <p id="replay-body-hint" className="field-hint">
              {binary ? t('inspector.edit.bodyBinary', { size: fmtBytes(recorded.length) }) : t('inspector.edit.bodyTruncated')}
            </p>
          )}
        </div>
        {error && (
          <p className="inline-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('inspector.replaying') : t('inspector.edit.send')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
