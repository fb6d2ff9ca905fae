import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import type { ExportOutput, ExportRequest } from '../../src-shared/model/import';
import { useActions } from '../api/api-context';
import { Modal } from '../components/modal';
import { EXPORT_FORMATS, type ExportFormat, exportRequest } from '../forms/export-selection';
import { countOf } from '../forms/import-plan';
import { t as tt } from '../i18n/i18n';
import { useApp } from '../store/app-store';
import { setExportOpen, useImports } from '../store/imports';
import { ExportChecklist } from './export-checklist';

const MIME: Record<ExportFormat, string> = { yaml: 'application/yaml', json: 'application/json', 'ssh-config': 'text/plain' };

type Built = { req: ExportRequest; out: ExportOutput } | { req: ExportRequest; error: string };

export function ExportDialog() {
  const open = useImports((s) => s.exportOpen);
  return open ? <ExportForm /> : null;
}

function describeCounts(c: ExportOutput['counts']): string {
  const parts = [countOf('rule', c.rules)];
  if (c.servers) parts.push(countOf('server', c.servers));
  if (c.relays) parts.push(countOf('relay', c.relays));
  return parts.join(tt('importExport.list.separator'));
}

/** Export mappings (with the servers and relays they use) as Porthole YAML/JSON or an ssh_config snippet: preview, Download, Copy. */
function ExportForm() {
  const { t } = useTranslation();
  const actions = useActions();
  const rules = useApp(useShallow((s) => s.order.map((id) => s.rules[id]).filter((r) => r !== undefined)));
  const [selected, setSelected] = useState<Set<string>>(() => new Set(rules.map((r) => r.id)));
  const [format, setFormat] = useState<ExportFormat>('yaml');
  const [includeSecrets, setIncludeSecrets] = useState(false);
  const [built, setBuilt] = useState<Built | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const anchorHost = useRef<HTMLDivElement>(null);
  const request = useMemo(() => exportRequest(rules, selected, format, includeSecrets), [rules, selected, format, includeSecrets]);

  // Rebuilt after each change (a short pause lets a run of clicks settle); a late answer for an older request is dropped.
  useEffect(() => {
    if (!request) return;
    let live = true;
    const timer = setTimeout(() => {
      actions.imports.buildExport(request).then(
        (out) => live && setBuilt({ req: request, out }),
        (err: unknown) => live && setBuilt({ req: request, error: err instanceof Error ? err.message : String(err) }),
      );
    }, 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [actions, request]);

  const current = request && built?.req === request ? built : null;
  const out = current && 'out' in current ? current.out : null;

  function download(): void {
    if (!out) return;
    const url = URL.createObjectURL(new Blob([out.text], { type: MIME[format] }));
    const a = document.createElement('a');
    a.href = url;
    a.download = out.fileName;
    // Inside the dialog: the rest of the page is inert while it is open.
    (anchorHost.current ?? document.body).append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30_000);
  }

  async function copy(): Promise<void> {
    if (!out) return;
    try {
      await navigator.clipboard.writeText(out.text);
      setCopied(t('importExport.export.copied'));
    } catch (err) {
      setCopied(t('importExport.export.copyFailed', { error: err instanceof Error ? err.message : String(err) }));
    }
  }

  return (
    <Modal labelledBy="export-dialog-title" onClose={() => setExportOpen(false)} className="export-dialog">
      <h2 id="export-dialog-title">{t('importExport.export.title')}</h2>
      <p className="dialog-lead">{t('importExport.export.lead')}</p>
      <div className="export-layout" ref={anchorHost}>
        <ExportChecklist
          rules={rules}
          selected={selected}
          onSelected={(next) => {
            setSelected(next);
            setCopied(null);
          }}
        />
        <div className="export-side">
          <div className="field">
            <span className="field-label" id="export-format-label">
              {t('importExport.export.format')}
            </span>
            <div className="segmented export-formats" role="radiogroup" aria-labelledby="export-format-label">
              {EXPORT_FORMATS.map((f) => (
                <label key={f.value} className={format === f.value ? 'segment is-on' : 'segment'}>
                  <input
                    type="radio"
                    name="export-format"
                    value={f.value}
                    checked={format === f.value}
                    onChange={() => {
                      setFormat(f.value);
                      setCopied(null);
                    }}
                  />
                  {f.label}
                </label>
              ))}
            </div>
            <p className="field-hint">{t(`importExport.export.hint.${format}`)}</p>
          </div>
          <label className="checkbox">
            <input type="checkbox" checked={includeSecrets} onChange={(e) => setIncludeSecrets(e.target.checked)} />
            {t('importExport.export.includeSecrets')}
          </label>
          {includeSecrets && (
            <p className="export-secrets-warning" role="alert" data-testid="secrets-warning">
              {t('importExport.export.secretsWarning')}
            </p>
          )}
          <div className="export-preview-head">
            <span className="field-label">{t('importExport.export.preview')}</span>
            {out && (
              <span className="muted export-counts" data-testid="export-counts">
                {describeCounts(out.counts)} · <code>{out.fileName}</code>
              </span>
            )}
          </div>
          {!request ? (
            <p className="export-empty muted">{t('importExport.export.chooseOne')}</p>
          ) : current && 'error' in current ? (
            <p className="form-error" role="alert">
              {t('importExport.export.failed', { error: current.error })}
            </p>
          ) : (
            <pre className={`export-text ${out ? '' : 'is-loading'}`} data-testid="export-text" tabIndex={0} aria-label={t('importExport.export.previewAria')} aria-busy={!out}>
              {out?.text ?? (built && 'out' in built ? built.out.text : t('importExport.export.building'))}
            </pre>
          )}
          {out && out.warnings.length > 0 && (
            <ul className="export-warnings" data-testid="export-warnings">
              {out.warnings.map((w, i) => (
                <li key={i}>{w}</li>
              ))}
            </ul>
          )}
        </div>
      </div>
      <div className="dialog-actions">
        {copied && (
          <p className="export-copied muted" role="status">
            {copied}
          </p>
        )}
        <button type="button" className="btn" onClick={() => setExportOpen(false)}>
          {t('common.close')}
        </button>
        <button type="button" className="btn" disabled={!out} onClick={() => void copy()}>
          {t('importExport.export.copy')}
        </button>
        <button type="button" className="btn btn-primary" disabled={!out} onClick={download}>
          {t('importExport.export.download')}
        </button>
      </div>
    </Modal>
  );
}
