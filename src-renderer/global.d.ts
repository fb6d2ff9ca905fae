import type { PreloadBridge } from '../src-shared/api/contract';
import type { ShellBridge } from '../src-shared/api/shell-bridge';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in browser mode. */
    porthole?: PreloadBridge;
    /** The desktop shell's native calls (file dialog); absent in browser mode. */
    portholeShell?: ShellBridge;
  }
}
