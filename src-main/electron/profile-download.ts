import { normalizeProfileText } from '../profiles/profile-file';

// The one download a porthole://import?url= link can cause, and only after the user said yes to a
// dialog naming the URL: one GET, no cookies, no redirects (the user approved this address, not
// wherever it points to), at most 1 MiB (the profile reader's own limit), within a deadline. No
// electron import: main.ts passes net.fetch (Chromium's stack, so the system proxy applies); tests
// pass Node's fetch and a loopback server.

export const MAX_DOWNLOAD_BYTES = 1024 * 1024;
export const DOWNLOAD_TIMEOUT_MS = 15_000;

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export class DownloadError extends Error {}

export interface DownloadOptions {
  fetch: FetchLike;
  maxBytes?: number;
  timeoutMs?: number;
}

const within = (ms: number): string => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`);

/** The address without query or fragment (they may carry tokens), for messages and the log. */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    const text = `${u.origin}${u.pathname}`;
    return text.length > 200 ? `${text.slice(0, 197)}…` : text;
  } catch {
    return 'the profile address';
  }
}

/** The name the import preview shows: the last path segment (its extension helps detection), else the host. */
export function downloadName(url: string): string {
  const u = new URL(url);
  let last = u.pathname.split('/').filter(Boolean).pop() ?? '';
  try {
    last = decodeURIComponent(last);
  } catch {
    /* keep it encoded */
  }
  // eslint-disable-next-line no-control-regex
  const clean = last.replace(/[\u0000-\u001f\u007f-\u009f/\\]/g, '_').slice(0, 200).trim();
  return clean || u.hostname;
}

function redirected(where: string, status: number | undefined): DownloadError {
  return new DownloadError(`${where}: the server redirects elsewhere (HTTP ${status ?? 'redirect'}) — link to the profile file itself`);
}

/**
 * What a rejected fetch means for the person. Electron's net.fetch does not hand a redirect back
 * under `redirect: 'manual'`: it rejects with "Redirect was cancelled" (its ClientRequest gives up on
 * a redirect nobody followed), and with "…redirect policy was 'error'" under 'error'. Those are the
 * redirect we refuse, not a network failure.
 */
export function fetchFailure(err: unknown, where: string, timedOutAfterMs?: number): DownloadError {
  if (timedOutAfterMs !== undefined) return new DownloadError(`${where}: no answer within ${within(timedOutAfterMs)}`);
  const message = err instanceof Error ? err.message : String(err);
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (/\bredirect\b/i.test(message) || /\bredirect\b/i.test(cause?.message ?? '')) return redirected(where, undefined);
  return new DownloadError(`${where}: could not download (${cause?.code ?? cause?.message ?? message})`);
}

async function readCapped(res: Response, maxBytes: number, where: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw new DownloadError(`${where}: the profile is larger than 1 MiB`);
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new DownloadError(`${where}: the profile is larger than 1 MiB`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks, total);
}

/** Downloads one profile as text. Throws DownloadError (or the reader's ProfileError) saying what went wrong. */
export async function downloadProfile(url: string, opts: DownloadOptions): Promise<string> {
  const where = shownUrl(url);
  const timeoutMs = opts.timeoutMs ?? DOWNLOAD_TIMEOUT_MS;
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    let res: Response;
    try {
      res = await opts.fetch(url, {
        method: 'GET',
        redirect: 'manual',
        credentials: 'omit',
        signal: ac.signal,
        headers: { accept: 'text/plain, application/yaml, application/json, */*;q=0.5' },
      });
    } catch (err) {
      throw fetchFailure(err, where, ac.signal.aborted ? timeoutMs : undefined);
    }
    // 'manual' gives the 3xx itself in Node and an opaque redirect in browsers; both are refused.
    if (res.type === 'opaqueredirect' || res.redirected || (res.status >= 300 && res.status < 400)) {
      await res.body?.cancel().catch(() => {});
      throw redirected(where, res.status || undefined);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw new DownloadError(`${where}: the server answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    }
    let body: Buffer;
    try {
      body = await readCapped(res, opts.maxBytes ?? MAX_DOWNLOAD_BYTES, where);
    } catch (err) {
      if (err instanceof DownloadError) throw err;
      if (ac.signal.aborted) throw new DownloadError(`${where}: the download did not finish within ${within(timeoutMs)}`);
      throw new DownloadError(`${where}: the download broke off (${(err as Error).message})`);
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      throw new DownloadError(`${where}: not UTF-8 text — not a profile`);
    }
    return normalizeProfileText(text, where, 'a profile');
  } finally {
    clearTimeout(timer);
  }
}
