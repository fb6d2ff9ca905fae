import { useMemo, useState } from 'react';
import type { ImportItem, ImportPreview } from '../../src-shared/model/import';
import { useActions } from '../api/api-context';
import { Modal } from '../components/modal';
import {
  changesSomething,
  choiceOf,
  type Choices,
  decisionsFrom,
  describePlan,
  hasErrors,
  initialChoices,
  KIND_HEADINGS,
  planCounts,
  plural,
} from '../forms/import-plan';
import type { RefusedFile } from '../lib/read-import-files';
import { showView } from '../store/app-store';
import { closeImportSession, type ImportSession, useImports } from '../store/imports';
import { ImportFileList } from './import-file-list';
import { ImportItemRow } from './import-item-row';

const KIND_ORDER: readonly ImportItem['kind'][] = ['server', 'relay', 'rule'];

function title(names: string[]): string {
  return names.length === 1 ? `Import ${names[0]}` : `Import ${plural(names.length, 'file')}`;
}

/** The items of a preview with their choices, what the choices add up to, and Apply. */
function PreviewBody({ preview, refused }: { preview: ImportPreview; refused: RefusedFile[] }) {
  const actions = useActions();
  const [choices, setChoices] = useState<Choices>(() => initialChoices(preview));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const counts = useMemo(() => planCounts(preview, choices), [preview, choices]);
  const invalid = hasErrors(preview, choices);
  const nothing = !changesSomething(counts);
  const showSource = preview.files.filter((f) => !f.error).length > 1;
  const conflicts = preview.items.filter((i) => i.conflicts.length > 0).length;

  async function apply(): Promise<void> {
    if (busy || invalid || nothing) return;
    setBusy(true);
    setError(null);
    try {
      const outcome = await actions.imports.apply({ previewId: preview.id, decisions: decisionsFrom(preview, choices) });
      showView(outcome.rules > 0 || outcome.ruleIds.length > 0 ? 'mappings' : 'servers');
    } catch (err) {
      setError(`Nothing was imported: ${err instanceof Error ? err.message : String(err)}`);
      setBusy(false);
    }
  }

  return (
    <>
      <div className="import-scroll">
        <ImportFileList files={preview.files} refused={refused} />
        {KIND_ORDER.map((kind) => {
          const items = preview.items.filter((i) => i.kind === kind);
          if (items.length === 0) return null;
          return (
            <section key={kind} className="import-section" aria-label={KIND_HEADINGS[kind]}>
              <h3>
                {KIND_HEADINGS[kind]} <span className="muted">({items.length})</span>
              </h3>
              <ul className="import-items">
                {items.map((item) => (
                  <ImportItemRow
                    key={item.key}
                    item={item}
                    showSource={showSource}
                    choice={choiceOf(choices, item)}
                    onChoice={(c) => {
                      setChoices((prev) => ({ ...prev, [item.key]: c }));
                      setError(null);
                    }}
                  />
                ))}
              </ul>
            </section>
          );
        })}
      </div>
      {error && (
        <p className="form-error" role="alert" data-testid="import-error">
          {error}
        </p>
      )}
      <div className="dialog-actions import-actions">
        <p className="import-plan" data-testid="import-plan" aria-live="polite">
          {preview.items.length > 0 && describePlan(counts)}
          {conflicts > 0 && <span className="import-plan-conflicts"> · {plural(conflicts, 'conflict')}</span>}
        </p>
        {preview.items.length === 0 ? (
          <button type="button" className="btn" onClick={() => closeImportSession()} autoFocus>
            Close
          </button>
        ) : (
          <>
            <button type="button" className="btn" onClick={() => closeImportSession()}>
              Cancel
            </button>
            <button type="button" className="btn btn-primary" disabled={busy || invalid || nothing} onClick={() => void apply()}>
              {busy ? 'Importing…' : 'Import'}
            </button>
          </>
        )}
      </div>
    </>
  );
}

function SessionBody({ session }: { session: ImportSession }) {
  if (session.status === 'reading') {
    return <p className="import-reading muted">Reading {session.names.length === 1 ? session.names[0] : plural(session.names.length, 'file')}…</p>;
  }
  if (session.preview) return <PreviewBody key={session.preview.id} preview={session.preview} refused={session.refused} />;
  return (
    <>
      <div className="import-scroll">
        <ImportFileList files={[]} refused={session.refused} />
        {session.error && (
          <p className="form-error" role="alert">
            {session.error}
          </p>
        )}
      </div>
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={() => closeImportSession()} autoFocus>
          Close
        </button>
      </div>
    </>
  );
}

/** The import preview: per file its format or error, per item what it is and what to do with it; nothing changes before Import. */
export function ImportPreviewDialog() {
  const session = useImports((s) => s.session);
  if (!session) return null;
  const names = session.status === 'reading' ? session.names : [...session.refused.map((r) => r.name), ...(session.preview?.files.map((f) => f.name) ?? [])];
  return (
    <Modal labelledBy="import-dialog-title" onClose={() => closeImportSession()} className="import-dialog">
      <h2 id="import-dialog-title">{title(names)}</h2>
      {session.status === 'reading' || (session.preview?.items.length ?? 0) > 0 ? (
        <p className="dialog-lead">Check what will be added. Items that clash with what you have are marked; choose what to do with each.</p>
      ) : (
        <p className="dialog-lead">Nothing can be imported from {names.length === 1 ? 'this file' : 'these files'}:</p>
      )}
      <SessionBody session={session} />
    </Modal>
  );
}
