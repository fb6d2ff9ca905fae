import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Pure (no electron import) so it is unit-tested in plain Node. The IPC bridge turns an
// IpcMainInvokeEvent into `SenderFacts` and asks this module whether to run the handler
// (Electron security checklist item 17, VS Code's validatedIpcMain).

/** Where the app's own renderer is served from. */
export type RendererLocation =
  | { kind: 'file'; /** Absolute path of out/renderer. */ rendererDir: string }
  | { kind: 'dev'; /** ELECTRON_RENDERER_URL, e.g. http://localhost:5173 */ url: string };

/** What the bridge observed about the frame that sent an IPC message. */
export interface SenderFacts {
  /** The sender frame's URL, or undefined when Electron gave no frame (destroyed or navigated away). */
  frameUrl: string | undefined;
  /** The frame has no parent (it is not an iframe). */
  isMainFrame: boolean;
  /** The sending webContents and frame are our window's webContents and its main frame. */
  isOurWindow: boolean;
}

export type SenderVerdict = { ok: true } | { ok: false; reason: string };

function refuse(reason: string): SenderVerdict {
  return { ok: false, reason };
}

/** True when `url` is a file:// URL naming a file inside `rendererDir` (never the dir's parent). */
export function isInsideRendererDir(url: URL, rendererDir: string): boolean {
  if (url.protocol !== 'file:') return false;
  // file://host/share/... is a UNC path on Windows: never ours.
  if (url.hostname !== '' && url.hostname !== 'localhost') return false;
  let path: string;
  try {
    path = fileURLToPath(url);
  } catch {
    return false;
  }
  const rel = relative(resolve(rendererDir), resolve(path));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** The origin (scheme + host + port) of an http(s) URL, or undefined when it is anything else. */
function httpOrigin(raw: string): string | undefined {
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a URL is the app's own renderer (used for IPC senders and for will-navigate). */
export function isAppUrl(rawUrl: string, loc: RendererLocation): boolean {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return false;
  }
  if (loc.kind === 'file') return isInsideRendererDir(url, loc.rendererDir);
  const devOrigin = httpOrigin(loc.url);
  return devOrigin !== undefined && httpOrigin(rawUrl) === devOrigin;
}

/**
 * A link the renderer tried to open in a new window: returned (normalised) only when it is http(s),
 * so `shell.openExternal` never sees file:, javascript:, smb: or custom schemes.
 */
export function externalLinkTarget(rawUrl: string): string | undefined {
  try {
    const u = new URL(rawUrl);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Decides whether an IPC message may reach the API. The frame must exist, be the main frame of our
 * window, and show the app's own renderer URL. A missing URL is refused on purpose: Playwright's
 * Electron launcher once produced frames without a URL (microsoft/vscode#147301), but our e2e
 * project loads the real renderer file, so its frames carry the real file:// URL.
 */
export function checkSender(facts: SenderFacts | null | undefined, loc: RendererLocation): SenderVerdict {
  if (!facts) return refuse('the sender frame is gone');
  if (!facts.isMainFrame) return refuse('the sender is a subframe');
  if (!facts.isOurWindow) return refuse('the sender is not the Porthole window');
  if (!facts.frameUrl) return refuse('the sender frame has no URL');
  if (!isAppUrl(facts.frameUrl, loc)) return refuse(`the sender URL is not the Porthole renderer`);
  return { ok: true };
}
