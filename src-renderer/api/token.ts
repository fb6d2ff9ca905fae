// The per-start access token reaches the page in its URL fragment (`#token=…`), which browsers never
// send to a server. The page moves it out of the address bar and this tab's history at once (so it is
// not shown, bookmarked or shared with the URL) into sessionStorage, where a reload of the same tab
// finds it again; it goes to the host only inside the API socket's first message.

export const TOKEN_STORAGE_KEY = 'porthole.token';

/** Reads `token` from a URL fragment such as `#token=ab12…` (other `&key=value` pairs are allowed). */
export function tokenFromHash(hash: string): string | undefined {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const token = params.get('token')?.trim();
  return token ? token : undefined;
}

/** The fragment without its token (other pairs kept), `''` when nothing else was in it. */
export function hashWithoutToken(hash: string): string {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  params.delete('token');
  const rest = params.toString();
  return rest ? `#${rest}` : '';
}

export interface TokenPlace {
  location: { pathname: string; search: string; hash: string };
  history: { state: unknown; replaceState(data: unknown, unused: string, url?: string): void };
  /** Undefined when the browser refuses storage (some private modes): the token then lasts until a reload. */
  storage: { getItem(key: string): string | null; setItem(key: string, value: string): void } | undefined;
}

/** Takes the token out of the URL (keeping it for this tab), or finds the one kept earlier. */
export function takeToken(place: TokenPlace): string | undefined {
  const fromHash = tokenFromHash(place.location.hash);
  if (fromHash) {
    try {
      place.storage?.setItem(TOKEN_STORAGE_KEY, fromHash);
    } catch {
      // Storage full or refused: the token still works until this tab reloads.
    }
    const { pathname, search, hash } = place.location;
    place.history.replaceState(place.history.state, '', `${pathname}${search}${hashWithoutToken(hash)}`);
    return fromHash;
  }
  try {
    return place.storage?.getItem(TOKEN_STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** The API socket's URL: the page's own host, never the token (that goes in the first message). */
export function apiSocketUrl(loc: { protocol: string; host: string }): string {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${loc.host}/api`;
}
