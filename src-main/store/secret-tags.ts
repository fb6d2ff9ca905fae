// How a stored secret says how it was stored: `v1:<scheme>:<body>`.
// - `file`: the body is the secret itself; only the file's mode (0600) protects it. Every Porthole can
//   read it (CLI, browser mode, the desktop app with or without a keyring).
// - `keychain`: the body is base64 of Electron safeStorage ciphertext. Only the desktop app with the
//   same OS keyring can read it; anywhere else it is unreadable — asked for again, never sent.
// Without the tag (files written before it existed) the CLI used to send desktop ciphertext as a
// password, and the desktop app could decode a plain value into garbage; hence the explicit scheme.

export type SecretScheme = 'file' | 'keychain';

export const SECRET_TAG_VERSION = 'v1';

export type ParsedSecret = { scheme: SecretScheme; body: string } | { scheme: 'unknown'; tag: string };

const TAGGED = /^(v\d+):([a-z][a-z0-9-]*):/;

export function tagSecret(scheme: SecretScheme, body: string): string {
  return `${SECRET_TAG_VERSION}:${scheme}:${body}`;
}

/**
 * Whether an untagged value is Electron safeStorage ciphertext (base64): Chromium's OSCrypt prefixes
 * its output with a version, "v10"/"v11" (macOS, Windows, Linux), and Windows' older DPAPI blobs
 * start with the DPAPI header (01 00 00 00 d0 8c 9d df). A plain password that happens to look like
 * this is treated as unreadable and asked for again: the safe side of the guess.
 */
export function looksLikeSafeStorage(value: string): boolean {
  if (value.length < 8 || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length >= 3 && bytes[0] === 0x76 && bytes[1] === 0x31 && bytes[2]! >= 0x30 && bytes[2]! <= 0x39) return true;
  return bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x01, 0x00, 0x00, 0x00, 0xd0, 0x8c, 0x9d, 0xdf]));
}

/** Reads the tag; an untagged (older) value is classified by its shape. */
export function parseStoredSecret(stored: string): ParsedSecret {
  const m = TAGGED.exec(stored);
  if (m) {
    const [prefix, version, scheme] = m;
    if (version === SECRET_TAG_VERSION && (scheme === 'file' || scheme === 'keychain')) return { scheme, body: stored.slice(prefix.length) };
    return { scheme: 'unknown', tag: `${version}:${scheme}` };
  }
  return { scheme: looksLikeSafeStorage(stored) ? 'keychain' : 'file', body: stored };
}

/** The tagged form of a value read from disk: an old untagged value gets the tag its shape implies. */
export function migrateStoredSecret(stored: string): string {
  const parsed = parseStoredSecret(stored);
  return parsed.scheme === 'unknown' || TAGGED.test(stored) ? stored : tagSecret(parsed.scheme, parsed.body);
}

export interface SecretReader {
  readonly scheme: SecretScheme;
  /** Decodes a body of the reader's own scheme; throws when it cannot (another keyring or account). */
  decode(body: string): string;
}

export type SecretRead = { ok: true; value: string } | { ok: false; reason: string };

export const UNREADABLE = {
  keychainElsewhere:
    'it was encrypted with an OS keyring by the Porthole desktop app, and this Porthole has no access to that keyring ' +
    '(command line, browser mode, or a desktop session without a keyring)',
  keychainFailed: 'it was encrypted with another keyring or user account and cannot be decrypted here',
  unknownTag: (tag: string) => `it was saved by a newer Porthole in a form this version cannot read (${tag})`,
} as const;

/** What a reader makes of a stored value: the secret, or why it cannot be used here. */
export function readStoredSecret(stored: string, reader: SecretReader): SecretRead {
  const parsed = parseStoredSecret(stored);
  if (parsed.scheme === 'unknown') return { ok: false, reason: UNREADABLE.unknownTag(parsed.tag) };
  // A plain value is readable everywhere: the desktop app with a keyring uses what the CLI saved.
  if (parsed.scheme === 'file') return { ok: true, value: parsed.body };
  if (reader.scheme !== 'keychain') return { ok: false, reason: UNREADABLE.keychainElsewhere };
  try {
    return { ok: true, value: reader.decode(parsed.body) };
  } catch {
    return { ok: false, reason: UNREADABLE.keychainFailed };
  }
}
