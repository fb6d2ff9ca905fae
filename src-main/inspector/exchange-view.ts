import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { type BodyView, type ExchangeDetail, type ExchangeSummary, type HeaderList, headerValue } from '../../src-shared/model/inspector';
import type { KeptBody } from './body-collector';
import type { StoredExchange } from './exchange-store';
import { parseFields } from './http-head';

// Stored exchanges as the API shows them: a summary per list row, the detail with bodies (base64) and,
// for a Content-Encoding the UI cannot undo itself (br) or should not have to, the decoded body.

/** A decoded body is shown up to this size: enough to read, small enough that a zip bomb cannot hurt. */
const MAX_DECODED = 8 * 1024 * 1024;

export function summaryOf(e: StoredExchange): ExchangeSummary {
  const { x } = e;
  const res = x.response;
  const s: ExchangeSummary = {
    id: e.id,
    ruleId: e.ruleId,
    connId: x.connId,
    client: x.client,
    startedAt: x.startedAt,
    method: x.method,
    url: x.target,
    status: res?.status ?? 0,
    requestBytes: x.requestBytes,
    responseBytes: res?.bytes ?? 0,
    durationMs: x.durationMs,
    end: x.end,
  };
  if (x.host !== undefined) s.host = x.host;
  if (x.ttfbMs !== undefined) s.ttfbMs = x.ttfbMs;
  if (x.upgrade) s.upgrade = x.upgrade;
  if (x.requestTruncated || res?.truncated) s.truncated = true;
  const type = res?.contentType;
  if (type) s.responseType = type.slice(0, 120);
  if (e.replayOf !== undefined) s.replayOf = e.replayOf;
  return s;
}

function decode(encoding: string, data: Buffer): Buffer {
  const opts = { maxOutputLength: MAX_DECODED };
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(data, opts);
    case 'br':
      return brotliDecompressSync(data, opts);
    case 'deflate':
      // "deflate" is meant to be zlib-wrapped (RFC 9110 §8.4.1.2), but some servers send it raw.
      try {
        return inflateSync(data, opts);
      } catch {
        return inflateRawSync(data, opts);
      }
    default:
      throw new Error(`${encoding} is not a coding Porthole can decode`);
  }
}

export function bodyView(kept: KeptBody, size: number, truncated: boolean, headers: HeaderList): BodyView {
  const data = kept.bytes();
  const view: BodyView = { size, base64: data.toString('base64'), truncated };
  const coding = headerValue(headers, 'content-encoding')?.trim().toLowerCase();
  if (!coding || coding === 'identity' || data.length === 0) return view;
  view.encoding = coding;
  if (truncated) {
    view.decodeError = 'only part of the body was kept, so it cannot be decoded';
    return view;
  }
  try {
    view.decodedBase64 = decode(coding, data).toString('base64');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    view.decodeError = code === 'ERR_BUFFER_TOO_LARGE' ? `decoded it is over ${MAX_DECODED / 1024 / 1024} MiB; save it to look at it` : `it is not valid ${coding} data (${(err as Error).message})`;
  }
  return view;
}

export function detailOf(e: StoredExchange): ExchangeDetail {
  const { x } = e;
  const requestHeaders = parseFields(x.requestHead);
  const d: ExchangeDetail = {
    ...summaryOf(e),
    httpVersion: x.httpVersion,
    request: { headers: requestHeaders, body: bodyView(x.requestBody, x.requestBytes, x.requestTruncated, requestHeaders) },
    interim: x.interim,
    timings: {
      ...(x.requestMs !== undefined ? { requestMs: x.requestMs } : {}),
      ...(x.waitMs !== undefined ? { waitMs: x.waitMs } : {}),
      ...(x.receiveMs !== undefined ? { receiveMs: x.receiveMs } : {}),
    },
  };
  const res = x.response;
  if (res) {
    const headers = parseFields(res.head);
    d.response = { httpVersion: res.version, reason: res.reason, headers, body: bodyView(res.body, res.bytes, res.truncated, headers) };
  }
  if (e.target) d.target = e.target;
  return d;
}
