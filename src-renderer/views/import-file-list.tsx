import { useTranslation } from 'react-i18next';
import type { ImportPreview } from '../../src-shared/model/import';
import { formatLabel } from '../forms/import-plan';
import type { RefusedFile } from '../lib/read-import-files';

/** Above this many, a file's warnings fold into a <details>. */
const OPEN_WARNINGS = 3;

function Warnings({ warnings }: { warnings: string[] }) {
  const { t } = useTranslation();
  if (warnings.length === 0) return null;
  const list = (
    <ul className="import-warnings">
      {warnings.map((w, i) => (
        <li key={i}>{w}</li>
      ))}
    </ul>
  );
  if (warnings.length <= OPEN_WARNINGS) return list;
  return (
    <details className="import-warnings-more">
      <summary>{t('importExport.files.warnings', { count: warnings.length })}</summary>
      {list}
    </details>
  );
}

/** Formats whose server side (frps, rathole's server) becomes a Porthole relay: the preview offers its config. */
const RELAY_SIDE = new Set(['frpc-toml', 'frpc-ini', 'rathole-client', 'rathole-server']);

/** Each file of an import: the format it was read as, or why it was not; then its warnings. */
export function ImportFileList({
  files,
  refused,
  onRelayConfig,
  relayConfigSaved,
}: {
  files: ImportPreview['files'];
  refused: RefusedFile[];
  /** Saves the relay config for file `index` (frpc / rathole only). */
  onRelayConfig?: (index: number) => void;
  /** What saving it said, by file index. */
  relayConfigSaved?: Record<number, string>;
}) {
  const { t } = useTranslation();
  if (files.length === 0 && refused.length === 0) return null;
  return (
    <ul className="import-files" aria-label={t('importExport.files.label')}>
      {refused.map((f, i) => (
        <li key={`refused-${i}`} className="import-file is-error" data-testid="import-file" data-file-name={f.name}>
          <div className="import-file-head">
            <span className="import-file-name">{f.name}</span>
            <span className="format-badge format-badge-error">{t('importExport.files.notImported')}</span>
          </div>
          <p className="import-file-error" role="alert">
            {t('importExport.files.refused', { name: f.name, reason: f.reason })}
          </p>
        </li>
      ))}
      {files.map((f, i) => (
        <li key={`file-${i}`} className={`import-file ${f.error ? 'is-error' : ''}`} data-testid="import-file" data-file-name={f.name}>
          <div className="import-file-head">
            <span className="import-file-name">{f.name}</span>
            {f.format ? (
              <span className="format-badge" data-testid="import-format">
                {formatLabel(f.format)}
              </span>
            ) : (
              <span className="format-badge format-badge-error">{t('importExport.files.notImported')}</span>
            )}
          </div>
          {f.error && (
            <p className="import-file-error" role="alert">
              {f.error.startsWith(f.name) ? f.error : t('importExport.files.error', { name: f.name, error: f.error })}
            </p>
          )}
          <Warnings warnings={f.warnings} />
          {onRelayConfig && f.format && RELAY_SIDE.has(f.format) && (
            <div className="import-relay-config">
              <button type="button" className="btn btn-small" title={t('importExport.files.relayConfigTitle')} onClick={() => onRelayConfig(i)}>
                {t('importExport.files.relayConfig')}
              </button>
              {relayConfigSaved?.[i] && (
                <p className="field-hint" role="status">
                  {relayConfigSaved[i]}
                </p>
              )}
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}
