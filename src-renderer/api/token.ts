/** Reads `token` from a URL fragment such as `#token=ab12…` (other `&key=value` pairs are allowed). */
export function tokenFromHash(hash: string): string | undefined {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const token = params.get('token')?.trim();
  return token ? token : undefined;
}

export function apiSocketUrl(loc: { protocol: string; host: string }, token: string): string {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${loc.host}/api?token=${encodeURIComponent(token)}`;
}
