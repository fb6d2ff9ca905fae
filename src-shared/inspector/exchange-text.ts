import { type ExchangeDetail, type HeaderList, isSensitiveHeader } from '../model/inspector';

// Turning a recorded exchange into text people paste elsewhere (curl, HAR): shared by the UI and tests.

export const MASK = '••••••';

/** The header list as shown: sensitive values replaced unless revealed. */
export function maskedHeaders(headers: HeaderList, reveal: boolean): HeaderList {
  return reveal ? headers : headers.map(([k, v]) => [k, isSensitiveHeader(k) ? MASK : v]);
}

/** base64 → bytes (atob exists in browsers and in Node). */
export function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The bytes as UTF-8 text, or undefined when they are not (or hold NUL bytes: binary). */
export function utf8Text(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The request's absolute URL: the target itself when it is absolute (a proxy request), else
 * http://Host + target; without a Host header, the mapping's address stands in.
 */
export function absoluteUrl(x: Pick<ExchangeDetail, 'url' | 'host'>, fallbackHost = 'localhost'): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(x.url)) return x.url;
  const path = x.url.startsWith('/') ? x.url : `/${x.url}`;
  return `http://${x.host ?? fallbackHost}${x.url === '*' ? '' : path}`;
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
// curl computes these itself from what it sends.
const CURL_SKIPS = new Set(['content-length', 'connection', 'transfer-encoding', 'expect', 'keep-alive', 'te', 'upgrade', 'proxy-connection']);

/** A curl command that sends the same request (sensitive header values masked unless revealed). */
export function curlCommand(x: ExchangeDetail, reveal: boolean, fallbackHost?: string): string {
  const parts = ['curl'];
  const body = fromBase64(x.request.body.base64);
  const hasBody = x.request.body.size > 0;
  if (!(x.method === 'GET' && !hasBody) && !(x.method === 'POST' && hasBody)) parts.push('-X', x.method);
  parts.push(quote(absoluteUrl(x, fallbackHost)));
  for (const [k, v] of maskedHeaders(x.request.headers, reveal)) {
    const n = k.toLowerCase();
    if (CURL_SKIPS.has(n) || n === 'host') continue;
    parts.push('-H', quote(`${k}: ${v}`));
  }
  const host = x.request.headers.find(([k]) => k.toLowerCase() === 'host');
  if (host && x.host && !absoluteUrl(x, fallbackHost).includes(`//${x.host}`)) parts.push('-H', quote(`Host: ${host[1]}`));
  if (hasBody) {
    const text = utf8Text(body);
    if (text !== undefined && !x.request.body.truncated) parts.push('--data-binary', quote(text));
    else parts.push('--data-binary', '@body.bin');
  }
  const cmd = parts.join(' ');
  if (hasBody && (x.request.body.truncated || utf8Text(body) === undefined)) {
    return `# The request body is ${x.request.body.truncated ? 'only partly kept' : 'binary'}: save it as body.bin first.\n${cmd}`;
  }
  return cmd;
}
