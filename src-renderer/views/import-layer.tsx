import { useEffect } from 'react';
import { useActions } from '../api/api-context';
import { ExportDialog } from './export-dialog';
import { DropOverlay, useWindowFileDrop } from './import-drop';
import { ImportPasteDialog } from './import-paste-dialog';
import { ImportPreviewDialog } from './import-preview-dialog';
import { ImportToast } from './import-toast';
import '../import.css';

/** Import and export, mounted once: drops on the window, previews the host starts, the dialogs and the toast. */
export function ImportLayer() {
  const actions = useActions();
  useWindowFileDrop(actions.imports.previewFiles);
  useEffect(() => actions.imports.followHostPreviews(), [actions]);
  return (
    <>
      <DropOverlay />
      <ImportPasteDialog />
      <ExportDialog />
      <ImportPreviewDialog />
      <ImportToast />
    </>
  );
}
