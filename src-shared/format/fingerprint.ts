/**
 * A SHA-256 certificate fingerprint as Node's `cert.fingerprint256` prints it (`AB:CD:…`, 32 pairs),
 * from 64 hex digits with or without colons, any case, optionally prefixed `SHA256:`; undefined if
 * malformed (misplaced colons included).
 */
export function normalizeFingerprint(s: string): string | undefined {
  const t = s.trim().replace(/^sha256[:=]/i, '');
  if (!/^[0-9A-Fa-f]{64}$/.test(t) && !/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){31}$/.test(t)) return undefined;
  return t.replace(/:/g, '').toUpperCase().match(/../g)!.join(':');
}
