import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
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
  kindHeading,
  planCounts,
  wouldStart,
} from '../forms/import-plan';
import { t as tt } from '../i18n/i18n';
import type { RefusedFile } from '../lib/read-import-files';
import { downloadText } from '../lib/download-text';
import { showView } from '../store/app-store';
import { closeImportSession, type ImportSession, useImports } from '../store/imports';
import { ImportFileList } from './import-file-list';
import { ImportItemRow } from './import-item-row';
import { ImportStartSection } from './import-start-section';

const KIND_ORDER: readonly ImportItem['kind'][] = ['server', 'relay', 'rule'];

function title(names: string[], pasted: boolean): string {
  if (pasted) return tt('importExport.preview.titlePasted');
  return names.length === 1 ? tt('importExport.preview.titleOne', { name: names[0] ?? '' }) : tt('importExport.preview.titleFiles', { count: names.length });
}

/** The items of a preview with their choices, what the choices add up to, and Apply. */
function PreviewBody({ preview, refused }: { preview: ImportPreview; refused: RefusedFile[] }) {
  const { t } = useTranslation();
  const actions = useActions();
  const [choices, setChoices] = useState<Choices>(() => initialChoices(preview));
  // Off by default: an import adds mappings switched off unless the person asks otherwise.
  const [start, setStart] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const counts = useMemo(() => planCounts(preview, choices), [preview, choices]);
  const invalid = hasErrors(preview, choices);
  const nothing = !changesSomething(counts);
  const showSource = preview.files.filter((f) => !f.error).length > 1;
  const conflicts = preview.items.filter((i) => i.conflicts.length > 0).length;
  const starting = useMemo(() => wouldStart(preview, choices), [preview, choices]);
  const hasRules = preview.items.some((i) => i.kind === 'rule');
  const [relaySaved, setRelaySaved] = useState<Record<number, string>>({});

  /** frpc / rathole: the config of the Porthole relay that replaces their server, saved as a file. */
  async function saveRelayConfig(file: number): Promise<void> {
    setError(null);
    try {
      const out = await actions.imports.relayConfig(preview.id, file);
      downloadText(out.fileName, out.yaml, 'application/yaml;charset=utf-8');
      setRelaySaved((s) => ({ ...s, [file]: t('importExport.files.relayConfigSaved', { file: out.fileName, notes: out.notes.join(' ') }).trim() }));
    } catch (err) {
      setError(t('importExport.preview.failed', { error: err instanceof Error ? err.message : String(err) }));
    }
  }

  async function apply(): Promise<void> {
    if (busy || invalid || nothing) return;
    setBusy(true);
    setError(null);
    try {
      const outcome = await actions.imports.apply({ previewId: preview.id, decisions: decisionsFrom(preview, choices), start: preview.canStart && start && starting.length > 0 });
      showView(outcome.rules > 0 || outcome.ruleIds.length > 0 ? 'mappings' : 'servers');
    } catch (err) {
      setError(t('importExport.preview.failed', { error: err instanceof Error ? err.message : String(err) }));
      setBusy(false);
    }
  }

  return (
    <>
      <div className="import-scroll">
        <ImportFileList files={preview.files} refused={refused} onRelayConfig={(i) => void saveRelayConfig(i)} relayConfigSaved={relaySaved} />
        {KIND_ORDER.map((kind) => {
          const items = preview.items.filter((i) => i.kind === kind);
          if (items.length === 0) return null;
          return (
            <section key={kind} className="import-section" aria-label={kindHeading(kind)}>
              <h3>
                {kindHeading(kind)} <span className="muted">({items.length})</span>
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
        {hasRules && <ImportStartSection canStart={preview.canStart} start={start} onStart={setStart} starting={starting} />}
      </div>
      {error && (
        <p className="form-error" role="alert" data-testid="import-error">
          {error}
        </p>
      )}
      <div className="dialog-actions import-actions">
        <p className="import-plan" data-testid="import-plan" aria-live="polite">
          {preview.items.length > 0 && describePlan(counts)}
          {conflicts > 0 && <span className="import-plan-conflicts"> · {t('importExport.preview.conflicts', { count: conflicts })}</span>}
        </p>
        {preview.items.length === 0 ? (
          <button type="button" className="btn" onClick={() => closeImportSession()} autoFocus>
            {t('common.close')}
          </button>
        ) : (
          <>
            <button type="button" className="btn" onClick={() => closeImportSession()}>
              {t('common.cancel')}
            </button>
            <button type="button" className="btn btn-primary" disabled={busy || invalid || nothing} onClick={() => void apply()}>
              {busy ? t('importExport.preview.importing') : t('importExport.preview.import')}
            </button>
          </>
        )}
      </div>
    </>
  );
}

function SessionBody({ session }: { session: ImportSession }) {
  const { t } = useTranslation();
  if (session.status === 'reading') {
    return (
      <p className="import-reading muted">
        {session.names.length === 1
          ? t('importExport.preview.readingOne', { name: session.names[0] ?? '' })
          : t('importExport.preview.readingFiles', { count: session.names.length })}
      </p>
    );
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
          {t('common.close')}
        </button>
      </div>
    </>
  );
}

/** The import preview: per file its format or error, per item what it is and what to do with it; nothing changes before Import. */
export function ImportPreviewDialog() {
  const { t } = useTranslation();
  const session = useImports((s) => s.session);
  if (!session) return null;
  const names = session.status === 'reading' ? session.names : [...session.refused.map((r) => r.name), ...(session.preview?.files.map((f) => f.name) ?? [])];
  return (
    <Modal labelledBy="import-dialog-title" onClose={() => closeImportSession()} className="import-dialog">
      <h2 id="import-dialog-title">{title(names, session.pasted === true)}</h2>
      {session.status === 'reading' || (session.preview?.items.length ?? 0) > 0 ? (
        <p className="dialog-lead">{t('importExport.preview.lead')}</p>
      ) : (
        <p className="dialog-lead">
          {session.pasted ? t('importExport.preview.nothingPasted') : names.length === 1 ? t('importExport.preview.nothingFile') : t('importExport.preview.nothingFiles')}
        </p>
      )}
      <SessionBody session={session} />
    </Modal>
  );
}
