import type { PortholeApi, Unsubscribe } from '../../src-shared/api/contract';
import type { ExportOutput, ExportRequest, ImportApplyInput, ImportOutcome, ImportPreview, ImportRelayConfig, ImportSource } from '../../src-shared/model/import';
import { describeOutcome, describeUndo } from '../forms/import-plan';
import { t } from '../i18n/i18n';
import { translateMessage } from '../i18n/messages';
import { type FileLike, pastedSource, readImportFiles, type RefusedFile } from '../lib/read-import-files';
import type { ImportStore } from './imports';

export interface ImportActions {
  /** Dropped or picked files: refuses what is not a small text file, previews the rest. */
  previewFiles(files: readonly FileLike[]): Promise<void>;
  /** Pasted text; resolves with why it cannot be imported, or undefined once the preview is shown. */
  previewText(text: string): Promise<string | undefined>;
  /** Shows the previews the host starts itself (porthole:// links, files opened with the app, tray drops). */
  followHostPreviews(): Unsubscribe;
  /** All or nothing; closes the preview and shows the toast, or throws (the dialog shows why). */
  apply(input: ImportApplyInput): Promise<ImportOutcome>;
  /** Undoes the last import; the toast says what was undone or why not. */
  undo(): Promise<void>;
  buildExport(req: ExportRequest): Promise<ExportOutput>;
  /** The relay config for the server side of a previewed frpc / rathole file (issue 15). */
  relayConfig(previewId: string, file: number): Promise<ImportRelayConfig>;
}

/** The error's message, in the UI language where it is a known one. */
function errorText(err: unknown): string {
  return translateMessage(err instanceof Error ? err.message : String(err));
}

export function createImportActions(api: PortholeApi, store: ImportStore): ImportActions {
  function begin(names: string[], pasted = false): number {
    const serial = store.getState().serial + 1;
    store.setState({ serial, session: { status: 'reading', names, ...(pasted ? { pasted } : {}) } });
    return serial;
  }

  /** Sets the session unless the user closed it or started another meanwhile. */
  function settle(serial: number, preview: ImportPreview | null, refused: RefusedFile[], error?: string): void {
    const before = store.getState();
    if (before.serial !== serial) return;
    const pasted = before.session?.pasted === true;
    store.setState({ session: { status: 'ready', preview, refused, ...(error !== undefined ? { error } : {}), ...(pasted ? { pasted } : {}) } });
  }

  async function preview(serial: number, sources: ImportSource[], refused: RefusedFile[]): Promise<void> {
    if (sources.length === 0) return settle(serial, null, refused);
    try {
      settle(serial, await api.imports.preview(sources), refused);
    } catch (err) {
      const names = sources.map((s) => s.name).join(', ');
      settle(serial, null, refused, t('shell.notice.couldNotRead', { names, error: errorText(err) }));
    }
  }

  return {
    async previewFiles(files) {
      if (files.length === 0) return;
      const serial = begin(files.map((f) => f.name));
      const { sources, refused } = await readImportFiles(files);
      if (store.getState().serial !== serial) return;
      await preview(serial, sources, refused);
    },
    async previewText(text) {
      const pasted = pastedSource(text);
      if ('reason' in pasted) return pasted.reason;
      const serial = begin([pasted.source.name], true);
      await preview(serial, [pasted.source], []);
      return undefined;
    },
    followHostPreviews() {
      const show = (p: ImportPreview): void => {
        const now = store.getState().session;
        if (now?.status === 'ready' && now.preview?.id === p.id) return;
        const serial = begin(p.files.map((f) => f.name));
        settle(serial, p, []);
      };
      const off = api.on.importPreview((p) => {
        show(p);
        // Taken by this window: one opened later must not show it again.
        api.imports.claim([p.id]).catch(() => {});
      });
      // Offered before this window listened (a cold start from a link or a file; a browser window
      // opened later): the host kept it. The newest wins, as it would have live. Shown even if this
      // follower stopped meanwhile (React StrictMode mounts effects twice): the store outlives it,
      // and the host hands a preview out only once.
      api.imports
        .claim()
        .then((waiting) => {
          const newest = waiting.at(-1);
          if (newest) show(newest);
        })
        .catch(() => {});
      return off;
    },
    async apply(input) {
      const outcome = await api.imports.apply(input);
      store.setState((s) => ({
        session: null,
        serial: s.serial + 1,
        toast: { kind: 'imported', text: describeOutcome(outcome), canUndo: outcome.canUndo },
      }));
      return outcome;
    },
    async undo() {
      const toast = store.getState().toast;
      if (toast?.kind === 'imported') store.setState({ toast: { ...toast, undoing: true } });
      try {
        const undone = await api.imports.undo();
        store.setState({ toast: { kind: 'undone', text: describeUndo(undone) } });
      } catch (err) {
        store.setState({ toast: { kind: 'error', text: t('shell.notice.couldNotUndo', { error: errorText(err) }) } });
      }
    },
    buildExport: (req) => api.exports.build(req),
    relayConfig: (previewId, file) => api.imports.relayConfig(previewId, file),
  };
}
