// The desktop shell's own calls, outside the API contract: they need a native window, so browser mode
// has none. Dependency-free so the sandboxed preload can bundle it.

export const SHELL_CHOOSE_IMPORT_FILES = 'porthole:shell:choose-import-files';

/** What the Electron preload exposes as `window.portholeShell`. */
export interface ShellBridge {
  /**
   * Shows the native file dialog. The host reads the chosen files by their paths — files the user
   * named, so an ssh_config's Include lines are followed — and shows them in the import preview.
   * Resolves with how many files were chosen (0: cancelled).
   */
  chooseImportFiles(): Promise<number>;
}
