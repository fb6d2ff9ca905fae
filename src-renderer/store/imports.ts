import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ImportPreview } from '../../src-shared/model/import';
import type { RefusedFile } from '../lib/read-import-files';

// The import and export UI's own state, apart from the app store: the drop overlay, the preview
// dialog's session, the paste and export dialogs, and the toast after an import (with its Undo).

/** `pasted`: the source is text pasted in the paste dialog, not a file (the dialog words it so). */
export type ImportSession =
  | { status: 'reading'; names: string[]; pasted?: boolean }
  /** `preview` is null when every file was refused here or the host could not read them (`error`). */
  | { status: 'ready'; preview: ImportPreview | null; refused: RefusedFile[]; error?: string; pasted?: boolean };

export type ImportToast =
  | { kind: 'imported'; text: string; canUndo: boolean; undoing?: boolean }
  | { kind: 'undone' | 'error'; text: string };

export interface ImportUiState {
  /** Files are being dragged over the window. */
  dragging: boolean;
  session: ImportSession | null;
  /** Counts sessions, so an answer for a session the user already replaced is dropped. */
  serial: number;
  pasteOpen: boolean;
  exportOpen: boolean;
  toast: ImportToast | null;
}

export function initialImportState(): ImportUiState {
  return { dragging: false, session: null, serial: 0, pasteOpen: false, exportOpen: false, toast: null };
}

export type ImportStore = StoreApi<ImportUiState>;

export function createImportStore(): ImportStore {
  return createStore<ImportUiState>()(() => initialImportState());
}

/** The one import store of this window. Tests build their own with createImportStore(). */
export const importStore: ImportStore = createImportStore();

export function useImports<T>(selector: (s: ImportUiState) => T): T {
  return useStore(importStore, selector);
}

export function setDragging(dragging: boolean, store: ImportStore = importStore): void {
  if (store.getState().dragging !== dragging) store.setState({ dragging });
}

export function closeImportSession(store: ImportStore = importStore): void {
  store.setState((s) => ({ session: null, serial: s.serial + 1 }));
}

export function setPasteOpen(pasteOpen: boolean, store: ImportStore = importStore): void {
  store.setState({ pasteOpen });
}

export function setExportOpen(exportOpen: boolean, store: ImportStore = importStore): void {
  store.setState({ exportOpen });
}

export function setImportToast(toast: ImportToast | null, store: ImportStore = importStore): void {
  store.setState({ toast });
}
