import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { ipcChannel, ipcEventChannel } from '../../src-shared/api/channels';
import { createApiClient } from '../../src-shared/api/client';

// Sandboxed preload, bundled to CommonJS: it may import only `electron` and the dependency-free
// channel and client modules (no zod, no node:*). It exposes named functions only — no generic
// invoke — and never hands the IpcRendererEvent (whose `sender` reaches ipcRenderer) to the page.

const api = createApiClient({
  invoke: (method, input) => ipcRenderer.invoke(ipcChannel(method), input),
  subscribe: (event, listener) => {
    const channel = ipcEventChannel(event);
    const handler = (_evt: IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(channel, handler);
    return () => {
      ipcRenderer.removeListener(channel, handler);
    };
  },
});

contextBridge.exposeInMainWorld('porthole', api);
