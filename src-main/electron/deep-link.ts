// `porthole://` links: from a browser, another app, or the command line of a second launch. All of it
// is untrusted input, parsed here without electron. Nothing is fetched here: an inline profile goes
// to the import preview as it is; a url= link is downloaded only after the user confirmed the address
// (import-intake.ts), and the preview then shows what it would import.
import { type LogLine, said } from '../../src-shared/model/log-text';

export const DEEP_LINK_SCHEME = 'porthole';
export const MAX_IMPORT_URL_LENGTH = 2048;
export const MAX_INLINE_PROFILE_BYTES = 64 * 1024;
/** base64url of the largest inline profile, plus room for `porthole://import?profile=`. */
export const MAX_LINK_LENGTH = Math.ceil((MAX_INLINE_PROFILE_BYTES * 4) / 3) + 64;

export type DeepLinkSource = { kind: 'url'; url: string } | { kind: 'inline'; text: string };

export type DeepLinkResult = { ok: true; action: 'import'; source: DeepLinkSource } | { ok: false; reason: string };

const fail = (reason: string): DeepLinkResult => ({ ok: false, reason });

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** What may appear in the raw link: printable ASCII without space (browsers percent-encode the rest). */
const RAW_OK = /^[\u0021-\u007e]*$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

function parseImportUrl(value: string): DeepLinkResult {
  if (value.length > MAX_IMPORT_URL_LENGTH) return fail(`the profile URL is longer than ${MAX_IMPORT_URL_LENGTH} characters`);
  if (CONTROL.test(value) || /\s/.test(value)) return fail('the profile URL contains control characters or spaces');
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return fail('the profile URL is not a valid URL');
  }
  if (u.protocol !== 'https:') return fail('only https:// profile URLs are accepted');
  if (u.username !== '' || u.password !== '') return fail('the profile URL must not carry a user name or password');
  if (u.hostname === '') return fail('the profile URL has no host');
  if (u.href.length > MAX_IMPORT_URL_LENGTH) return fail(`the profile URL is longer than ${MAX_IMPORT_URL_LENGTH} characters`);
  return { ok: true, action: 'import', source: { kind: 'url', url: u.href } };
}

function parseInlineProfile(value: string): DeepLinkResult {
  if (value === '') return fail('the inline profile is empty');
  // Canonical, unpadded base64url only: Buffer's decoder silently skips anything else.
  if (!BASE64URL.test(value) || value.length % 4 === 1) return fail('the inline profile is not base64url');
  if (Math.floor((value.length * 3) / 4) > MAX_INLINE_PROFILE_BYTES) return fail('the inline profile is larger than 64 KiB');
  const bytes = Buffer.from(value, 'base64url');
  if (bytes.toString('base64url') !== value) return fail('the inline profile is not base64url');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return fail('the inline profile is not UTF-8 text');
  }
  if (text.includes('\u0000')) return fail('the inline profile contains NUL characters');
  return { ok: true, action: 'import', source: { kind: 'inline', text } };
}

/** Parses a `porthole://import?url=…` or `porthole://import?profile=…` link. Never throws. */
export function parseDeepLink(raw: unknown): DeepLinkResult {
  if (typeof raw !== 'string') return fail('the link is not text');
  if (raw.length > MAX_LINK_LENGTH) return fail('the link is too long');
  if (!RAW_OK.test(raw)) return fail('the link contains spaces, control or non-ASCII characters');
  if (!raw.toLowerCase().startsWith(`${DEEP_LINK_SCHEME}://`)) return fail('not a porthole:// link');
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return fail('the link is not a valid URL');
  }
  if (u.username !== '' || u.password !== '' || u.port !== '') return fail('the link must not carry a user, password or port');
  // Some launchers append a slash (porthole://import/?…); anything longer is another action.
  if (u.hostname.toLowerCase() !== 'import' || (u.pathname !== '' && u.pathname !== '/')) {
    return fail('unknown link action (only porthole://import is supported)');
  }
  if (u.hash !== '') return fail('the link must not have a #fragment');
  const params = new URLSearchParams(u.search);
  const keys = [...params.keys()];
  if (new Set(keys).size !== keys.length) return fail('a link parameter is given more than once');
  const unknown = keys.find((k) => k !== 'url' && k !== 'profile');
  if (unknown !== undefined) return fail('the link has an unknown parameter');
  const url = params.get('url');
  const profile = params.get('profile');
  if (url !== null && profile !== null) return fail('give either url or profile, not both');
  if (url !== null) return parseImportUrl(url);
  if (profile !== null) return parseInlineProfile(profile);
  return fail('the link names nothing to import (url= or profile=)');
}

/**
 * For the log: where an import would come from, without paths, queries or contents (they may hold
 * tokens, as Clash Verge Rev's scheme handler also assumes).
 */
export function deepLinkSourceLine(source: DeepLinkSource): [string, LogLine] {
  if (source.kind === 'url') return said('importLinkUrl', { origin: new URL(source.url).origin });
  return said('importLinkInline', { bytes: Buffer.byteLength(source.text, 'utf8') });
}
