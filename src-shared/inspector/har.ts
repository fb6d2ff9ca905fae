import type { BodyView, ExchangeDetail, HeaderList } from '../model/inspector';
import { absoluteUrl, fromBase64, maskedHeaders, utf8Text } from './exchange-text';

// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/): what browser devtools open. Bodies are
// text when they are UTF-8, else base64 (`encoding`, which HAR allows for response content).

interface HarNameValue {
  name: string;
  value: string;
}

const pairs = (headers: HeaderList): HarNameValue[] => headers.map(([name, value]) => ({ name, value }));

function queryString(url: string): HarNameValue[] {
  const q = url.indexOf('?');
  if (q < 0) return [];
  const out: HarNameValue[] = [];
  for (const part of url.slice(q + 1).split('#')[0]!.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const dec = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        return s;
      }
    };
    out.push(eq < 0 ? { name: dec(part), value: '' } : { name: dec(part.slice(0, eq)), value: dec(part.slice(eq + 1)) });
  }
  return out;
}

function headerOf(headers: HeaderList, name: string): string | undefined {
  return headers.find(([k]) => k.toLowerCase() === name)?.[1];
}

function base64Of(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

function content(body: BodyView, mimeType: string): { size: number; mimeType: string; text?: string; encoding?: string; compression?: number; comment?: string } {
  const decoded = body.decodedBase64 !== undefined ? fromBase64(body.decodedBase64) : fromBase64(body.base64);
  const text = utf8Text(decoded);
  const c: ReturnType<typeof content> = { size: body.decodedBase64 !== undefined ? decoded.length : body.size, mimeType };
  if (decoded.length > 0) {
    if (text !== undefined) c.text = text;
    else {
      c.text = base64Of(decoded);
      c.encoding = 'base64';
    }
  }
  if (body.decodedBase64 !== undefined) c.compression = decoded.length - body.size;
  if (body.truncated) c.comment = `only the first ${fromBase64(body.base64).length} of ${body.size} bytes were kept`;
  return c;
}

export interface HarOptions {
  version: string;
  /** Show sensitive header values (else they are masked, as in the UI). */
  reveal: boolean;
  fallbackHost?: string;
}

export function buildHar(exchanges: readonly ExchangeDetail[], opts: HarOptions): object {
  const entries = exchanges.map((x) => {
    const reqHeaders = maskedHeaders(x.request.headers, opts.reveal);
    const reqType = headerOf(x.request.headers, 'content-type') ?? 'application/octet-stream';
    const reqBytes = fromBase64(x.request.body.base64);
    const reqText = utf8Text(reqBytes);
    const request = {
      method: x.method,
      url: absoluteUrl(x, opts.fallbackHost),
      httpVersion: x.httpVersion,
      cookies: [],
      headers: pairs(reqHeaders),
      queryString: queryString(x.url),
      ...(x.request.body.size > 0 ? { postData: { mimeType: reqType, text: reqText ?? base64Of(reqBytes), ...(reqText === undefined ? { comment: 'base64' } : {}) } } : {}),
      headersSize: -1,
      bodySize: x.request.body.size,
    };
    const res = x.response;
    const resHeaders = res ? maskedHeaders(res.headers, opts.reveal) : [];
    const response = res
      ? {
          status: x.status,
          statusText: res.reason,
          httpVersion: res.httpVersion,
          cookies: [],
          headers: pairs(resHeaders),
          content: content(res.body, headerOf(res.headers, 'content-type') ?? 'application/octet-stream'),
          redirectURL: headerOf(res.headers, 'location') ?? '',
          headersSize: -1,
          bodySize: res.body.size,
        }
      : // HAR wants a response; status 0 is what browsers export for one that never came.
        { status: 0, statusText: '', httpVersion: x.httpVersion, cookies: [], headers: [], content: { size: 0, mimeType: 'x-unknown' }, redirectURL: '', headersSize: -1, bodySize: -1 };
    const t = x.timings;
    const notes = [x.replayOf !== undefined ? `replay of #${x.replayOf}` : '', x.upgrade ? `upgraded to ${x.upgrade}` : '', x.end !== 'complete' && !x.upgrade ? `ended: ${x.end}` : ''].filter(Boolean);
    return {
      startedDateTime: new Date(x.startedAt).toISOString(),
      time: x.durationMs,
      request,
      response,
      cache: {},
      timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: t.requestMs ?? 0, wait: t.waitMs ?? 0, receive: t.receiveMs ?? 0 },
      connection: String(x.connId),
      ...(notes.length ? { comment: notes.join('; ') } : {}),
    };
  });
  return { log: { version: '1.2', creator: { name: 'Porthole', version: opts.version }, pages: [], entries } };
}
