import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { EVENT_NAMES, METHOD_NAMES, ipcChannel, ipcEventChannel } from '../../src-shared/api/channels';
import type { PreloadBridge } from '../../src-shared/api/contract';
import { SHELL_CHOOSE_IMPORT_FILES, type ShellBridge } from '../../src-shared/api/shell-bridge';

// Sandboxed preload, bundled to CommonJS: it imports only `electron` and the dependency-free channel
// list. It exposes one function per API method, each fixed to its own channel (no generic invoke),
// resolving with the envelope so error codes and field issues survive contextBridge, and one
// subscribe function per event that never hands the IpcRendererEvent (whose `sender` reaches
// ipcRenderer) to the page and returns an unsubscribe.

const methods = Object.fromEntries(
  METHOD_NAMES.map((m) => {
    const channel = ipcChannel(m);
    return [m, (input: unknown) => ipcRenderer.invoke(channel, input)];
  }),
);

const on = Object.fromEntries(
  EVENT_NAMES.map((e) => {
    const channel = ipcEventChannel(e);
    return [
      e,
      (listener: (payload: unknown) => void) => {
        const handler = (_evt: IpcRendererEvent, payload: unknown): void => listener(payload);
        ipcRenderer.on(channel, handler);
        return () => {
          ipcRenderer.removeListener(channel, handler);
        };
      },
    ];
  }),
);

contextBridge.exposeInMainWorld('porthole', { ...methods, on } as unknown as PreloadBridge);

// The native file dialog, shown by the main process: the page only asks for it, and never names a path.
const shell: ShellBridge = { chooseImportFiles: () => ipcRenderer.invoke(SHELL_CHOOSE_IMPORT_FILES) as Promise<number> };
contextBridge.exposeInMainWorld('portholeShell', shell);
