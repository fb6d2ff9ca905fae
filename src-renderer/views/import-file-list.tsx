import type { ImportPreview } from '../../src-shared/model/import';
import { formatLabel, plural } from '../forms/import-plan';
import type { RefusedFile } from '../lib/read-import-files';

/** Above this many, a file's warnings fold into a <details>. */
const OPEN_WARNINGS = 3;

function Warnings({ warnings }: { warnings: string[] }) {
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
      <summary>{plural(warnings.length, 'warning')}</summary>
      {list}
    </details>
  );
}

/** Each file of an import: the format it was read as, or why it was not; then its warnings. */
export function ImportFileList({ files, refused }: { files: ImportPreview['files']; refused: RefusedFile[] }) {
  if (files.length === 0 && refused.length === 0) return null;
  return (
    <ul className="import-files" aria-label="Files">
      {refused.map((f, i) => (
        <li key={`refused-${i}`} className="import-file is-error" data-testid="import-file" data-file-name={f.name}>
          <div className="import-file-head">
            <span className="import-file-name">{f.name}</span>
            <span className="format-badge format-badge-error">not imported</span>
          </div>
          <p className="import-file-error" role="alert">
            {f.name} was not imported: {f.reason}.
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
              <span className="format-badge format-badge-error">not imported</span>
            )}
          </div>
          {f.error && (
            <p className="import-file-error" role="alert">
              {f.error.startsWith(f.name) ? f.error : `${f.name}: ${f.error}`}
            </p>
          )}
          <Warnings warnings={f.warnings} />
        </li>
      ))}
    </ul>
  );
}
