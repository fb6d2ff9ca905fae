import { ipcMain } from 'electron';
import type { BrowserWindow, IpcMainInvokeEvent } from 'electron';
import { ipcChannel, ipcEventChannel, METHOD_NAMES } from '../../src-shared/api/channels';
import { SHELL_CHOOSE_IMPORT_FILES } from '../../src-shared/api/shell-bridge';
import type { Envelope } from '../../src-shared/api/contract';
import type { ApiCaller, ApiHost } from '../api/api-host';
import { createCallGate } from './ipc-gate';
import { checkSender } from './sender-check';
import type { RendererLocation, SenderFacts } from './sender-check';

// The only place ipcMain is used. One fixed channel per API method, each through the same wrapper:
// check the sender frame, then hand the raw input to the API host, which validates it.

function senderFacts(event: IpcMainInvokeEvent, win: BrowserWindow): SenderFacts | null {
  // senderFrame is null once the frame navigated away or was destroyed; reading it can also throw
  // while the frame is being torn down.
  let frame: IpcMainInvokeEvent['senderFrame'];
  try {
    frame = event.senderFrame;
  } catch {
    return null;
  }
  if (!frame || win.isDestroyed()) return null;
  const wc = win.webContents;
  return {
    frameUrl: frame.url || undefined,
    isMainFrame: frame.parent === null,
    isOurWindow: event.sender.id === wc.id && frame.frameTreeNodeId === wc.mainFrame.frameTreeNodeId,
  };
}

export interface IpcBridgeOptions {
  api: ApiHost;
  win: BrowserWindow;
  location: RendererLocation;
  /** Told about refused senders (for the log); never shown to the renderer in detail. */
  onRefused?: (method: string, reason: string) => void;
  /** The shell's native file dialog (ShellBridge.chooseImportFiles); resolves with how many files were chosen. */
  chooseImportFiles?: () => Promise<number>;
}

export interface IpcBridge {
  /** Quitting: calls answer "Porthole is shutting down" from now on, and events stop. */
  close(): void;
  /** Removes the handlers (after close). */
  dispose(): void;
}

/** Registers every API method and forwards every API event. */
export function installIpcBridge({ api, win, location, onRefused, chooseImportFiles }: IpcBridgeOptions): IpcBridge {
  const gate = createCallGate(api);
  // One caller per page load: its per-caller state (watching connections) ends with the page.
  let gone: (() => void)[] = [];
  const caller: ApiCaller = { onGone: (cleanup) => void gone.push(cleanup) };
  const pageGone = (): void => {
    const run = gone;
    gone = [];
    run.forEach((cleanup) => cleanup());
  };
  // Electron 45 passes the navigation in `details` (the positional arguments are deprecated).
  win.webContents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) pageGone();
  });
  win.webContents.on('render-process-gone', pageGone);
  win.webContents.on('destroyed', pageGone);
  for (const method of METHOD_NAMES) {
    ipcMain.handle(ipcChannel(method), async (event, input: unknown): Promise<Envelope<unknown>> => {
      const verdict = checkSender(senderFacts(event, win), location);
      if (!verdict.ok) {
        onRefused?.(method, verdict.reason);
        return { ok: false, error: { code: 'UNAUTHORIZED', message: `Refused ${method}: ${verdict.reason}` } };
      }
      return gate.handle(method, input, caller);
    });
  }

  if (chooseImportFiles) {
    // Takes no input: the page can only ask for the dialog, the paths come from the user's choice in it.
    ipcMain.handle(SHELL_CHOOSE_IMPORT_FILES, async (event): Promise<number> => {
      const verdict = checkSender(senderFacts(event, win), location);
      if (!verdict.ok || gate.closed) {
        if (!verdict.ok) onRefused?.(SHELL_CHOOSE_IMPORT_FILES, verdict.reason);
        return 0;
      }
      return chooseImportFiles();
    });
  }

  const unsubscribe = api.subscribeAll((event, payload) => {
    if (win.isDestroyed() || win.webContents.isDestroyed()) return;
    win.webContents.send(ipcEventChannel(event), payload);
  });

  let disposed = false;
  const close = (): void => {
    if (gate.closed) return;
    gate.close();
    pageGone();
    unsubscribe();
  };
  return {
    close,
    dispose() {
      if (disposed) return;
      disposed = true;
      close();
      for (const method of METHOD_NAMES) ipcMain.removeHandler(ipcChannel(method));
      if (chooseImportFiles) ipcMain.removeHandler(SHELL_CHOOSE_IMPORT_FILES);
    },
  };
}
