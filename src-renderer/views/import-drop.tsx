import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { setDragging, useImports } from '../store/imports';

function carriesFiles(e: DragEvent): boolean {
  return e.dataTransfer?.types.includes('Files') ?? false;
}

/**
 * Files dropped anywhere on the window go to `onFiles`. Only drags that carry files are taken: text
 * dragged within the page keeps its default. dragenter/dragleave fire for every element crossed, so
 * they are counted; leaving the window (relatedTarget null) or dropping ends the drag whatever the count.
 */
export function useWindowFileDrop(onFiles: (files: File[]) => void): void {
  useEffect(() => {
    let depth = 0;
    const end = () => {
      depth = 0;
      setDragging(false);
    };
    const onEnter = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      depth++;
      setDragging(true);
    };
    const onOver = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      // Without this the drop is refused (and Electron would open the file in place of the app).
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
      setDragging(true);
    };
    const onLeave = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0 || e.relatedTarget === null) end();
    };
    const onDrop = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      end();
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.length > 0) onFiles(files);
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragover', onOver);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    window.addEventListener('dragend', end);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('drop', onDrop);
      window.removeEventListener('dragend', end);
      setDragging(false);
    };
  }, [onFiles]);
}

/** The formats by their file names, which stay as they are; `porthole` is the Porthole export, a sentence. */
const FORMATS = ['ssh_config', 'porthole', 'port-proxy YAML', 'frpc.toml / frpc.ini', 'rathole client.toml'] as const;

/** The full-window "drop to import" sheet shown while files are dragged over the window. */
export function DropOverlay() {
  const { t } = useTranslation();
  const dragging = useImports((s) => s.dragging);
  if (!dragging) return null;
  return (
    <div className="drop-overlay" data-testid="drop-overlay" role="status" aria-live="polite">
      <div className="drop-card">
        <span className="drop-icon" aria-hidden="true">
          <svg viewBox="0 0 24 24" width="36" height="36" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
            <path d="M12 3v12" />
            <path d="m7 10 5 5 5-5" />
            <path d="M4 17v2a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-2" />
          </svg>
        </span>
        <p className="drop-title">{t('importExport.drop.title')}</p>
        <ul className="drop-formats" aria-label={t('importExport.drop.formats')}>
          {FORMATS.map((f) => (
            <li key={f}>{f === 'porthole' ? t('importExport.drop.portholeExport') : f}</li>
          ))}
        </ul>
        <p className="drop-note">{t('importExport.drop.note')}</p>
      </div>
    </div>
  );
}
