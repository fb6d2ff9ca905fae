import type { PreloadBridge } from '../src-shared/api/contract';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in browser mode. */
    porthole?: PreloadBridge;
  }
}
